"""The marts of ``dbt build`` (dev target) published to their own DuckDB file, which analysts open.

dlt and dbt write ``data/warehouse.duckdb``; DuckDB lets one process open a file read-write or many
read-only, never both, so an analyst holding the warehouse open would stop the next ingest or build.
Analysts open ``data/analytics.duckdb`` instead: each table of the warehouse's ``marts`` and
``snapshots`` schemas copied into a new file beside it, with what the caller builds on them there
(``ttb-cola publish``: the serving table and full-text index of :mod:`ttb_cola.serve.search_index`),
which then replaces the published one with one ``os.replace`` (an atomic rename). A reader that holds
the old file keeps reading it (on POSIX the open file lives on until closed); the next connection opens
the new build. Nothing ever writes to the published file in place, so no reader's lock is ever in the way.

The file is not named ``marts.duckdb``: DuckDB names a file's catalog after it, and a catalog named
like a schema in it makes every ``marts.<table>`` ambiguous.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

#: The schemas copied: what analysts, the digest and the report read.
PUBLISHED_SCHEMAS = ("marts", "snapshots")
#: The published file's name, beside the warehouse file.
PUBLISHED_NAME = "analytics.duckdb"
#: What is built on the copied marts in the new file before it is published: rows per table it created.
BuildOnMarts = Callable[[duckdb.DuckDBPyConnection], dict[str, int]]


def published_file(warehouse: Path) -> Path:
    """The published marts file that belongs to ``warehouse`` (beside it)."""
    return warehouse.with_name(PUBLISHED_NAME)


def publish_marts_file(warehouse: Path, published: Path, build: BuildOnMarts) -> dict[str, int]:
    """Replace ``published`` with a copy of the marts and snapshots of ``warehouse`` and what ``build`` makes
    of them; rows per ``schema.table`` (none: the warehouse has no marts, and ``published`` is left as it was).

    Raises:
        duckdb.Error: the warehouse could not be read (e.g. another process holds it read-write);
            ``published`` is then left as it was.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    scratch = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    _remove(scratch)
    try:
        copied = _copy(warehouse, scratch, build)
        if copied:  # no marts built: the published file stays as it was
            _fsync(scratch)
            # A write-ahead log left by someone who opened the published file read-write and crashed
            # must not be replayed onto the new build.
            published.with_name(published.name + ".wal").unlink(missing_ok=True)
            os.replace(scratch, published)
            _fsync(published.parent)
    finally:
        _remove(scratch)
    return copied


def _copy(warehouse: Path, target: Path, build: BuildOnMarts) -> dict[str, int]:
    copied: dict[str, int] = {}
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach {_literal(str(warehouse))} as source (read_only)")
        tables = con.execute(
            "select schema_name, table_name, comment from duckdb_tables() where database_name = 'source' "
            f"and schema_name in ({', '.join('?' for _ in PUBLISHED_SCHEMAS)}) order by 1, 2",
            list(PUBLISHED_SCHEMAS),
        ).fetchall()
        for schema in sorted({schema for schema, _, _ in tables}):
            con.execute(f'create schema "{schema}"')
        for schema, table, comment in tables:
            name = f'"{schema}"."{table}"'
            con.execute(f"create table {name} as select * from source.{name}")
            _root_image_paths(con, name)
            _copy_comments(con, schema, table, comment)
            copied[f"{schema}.{table}"] = con.execute(f"select count(*) from {name}").fetchone()[0]  # type: ignore[index]
        con.execute("detach source")
        if copied:
            copied.update(build(con))
        con.execute("checkpoint")
    return copied


def _root_image_paths(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """An ``image_url`` that is a relative path (the image store's default ``data/images``, relative to where
    the pipeline runs) made absolute from the working directory, so analysts open it from anywhere."""
    columns = {row[0] for row in con.execute(f"select column_name from (describe {name})").fetchall()}
    if "image_url" not in columns:
        return
    root = str(Path.cwd().resolve())
    con.execute(f"""update {name} set image_url = ? || '/' || image_url
                    where image_url not like '%://%' and not starts_with(image_url, '/')""", [root])


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str, comment: str | None) -> None:
    """The table and column descriptions dbt persisted (``persist_docs``), which BI tools show."""
    name = f'"{schema}"."{table}"'
    if comment:
        con.execute(f"comment on table {name} is {_literal(comment)}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'source' and schema_name = ? "
        "and table_name = ? and comment is not null", [schema, table],
    ).fetchall()
    for column, text in columns:
        con.execute(f'comment on column {name}."{column}" is {_literal(text)}')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


__all__ = ["PUBLISHED_NAME", "PUBLISHED_SCHEMAS", "publish_marts_file", "published_file"]
