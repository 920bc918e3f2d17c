"""The crawl's dataset on its destination, read-only, as views of an in-memory DuckDB connection.

``ttb-cola images`` and ``ttb-cola ocr`` plan their visits from it, ``ttb-cola fill`` reads its page
backlog from it, and the crawl reads which label images are already stored from it before each chunk.
The DuckDB file is attached read-only (and detached when the block ends, before dlt opens it to load);
on the lake each Delta table is read as of its last commit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb


@contextmanager
def open_dataset(destination: str, dataset: str, lake: Any, names: Sequence[str]) -> Iterator[
        tuple[duckdb.DuckDBPyConnection, list[str]]]:
    """An in-memory connection where each of ``names`` present in the dataset is a view; and those present."""
    with duckdb.connect() as con:
        if destination == "duckdb":
            tables = _attach_warehouse(con, dataset, names)
        else:
            tables = _lake_views(con, lake, dataset, names)
        yield con, tables


def _attach_warehouse(con: duckdb.DuckDBPyConnection, dataset: str, names: Sequence[str]) -> list[str]:
    from ttb_cola.destinations.duckdb import duckdb_path

    path = duckdb_path()
    if not path.exists():
        return []
    con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as wh (read_only)")
    present = {t for (t,) in con.execute(
        "select table_name from information_schema.tables where table_catalog = 'wh' and table_schema = ?",
        [dataset],
    ).fetchall()}
    tables = [name for name in names if name in present]
    for name in tables:
        con.execute(f'create view "{name}" as select * from wh."{dataset}"."{name}"')
    return tables


def _lake_views(con: duckdb.DuckDBPyConnection, lake: Any, dataset: str, names: Sequence[str]) -> list[str]:
    from deltalake import DeltaTable

    from ttb_cola.destinations.lake_duckdb import EXTENSIONS, extension_file, s3_secret_sql

    for extension in EXTENSIONS:
        con.load_extension(str(extension_file(extension)))
    if lake.protocol == "s3":
        con.execute(s3_secret_sql(lake))
    options = lake.delta_storage_options()
    tables = []
    for name in names:
        uri = lake.table_uri(dataset, name)
        if DeltaTable.is_deltatable(uri, storage_options=options):
            con.execute(f"create view \"{name}\" as select * from delta_scan('{uri.replace(chr(39), chr(39) * 2)}')")
            tables.append(name)
    return tables
