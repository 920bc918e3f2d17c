"""The marts of ``dbt build --target s3`` published to the bucket as Delta tables, next to the raw ones.

The ``s3`` target builds its models into a local DuckDB file (``TTB_COLA_LAKE_DUCKDB``), which a throwaway
runner loses. Each table of its ``marts`` and ``snapshots`` schemas is written to
``<bucket_url>/<schema>/<table>/`` as one Delta overwrite commit: a reader sees the previous build's
mart or this one's, never a half-written one, and any Delta reader can query them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ttb_cola.destinations.lake import Lake

PUBLISHED_SCHEMAS = ("marts", "snapshots")


def publish_marts(lake: Lake, models_file: Path) -> dict[str, int]:
    """Overwrite ``<bucket_url>/<schema>/<table>`` with each mart of ``models_file``; rows per ``schema.table``."""
    from deltalake import write_deltalake
    from dlt.common.libs.deltalake import ensure_delta_compatible_arrow_data

    options = lake.delta_storage_options()
    published: dict[str, int] = {}
    with duckdb.connect(str(models_file), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' "
            f"and table_schema in ({', '.join('?' for _ in PUBLISHED_SCHEMAS)}) order by 1, 2",
            list(PUBLISHED_SCHEMAS),
        ).fetchall()
        for schema, table in tables:
            rows = con.sql(f'select * from "{schema}"."{table}"').to_arrow_table()
            write_deltalake(lake.table_uri(schema, table), ensure_delta_compatible_arrow_data(rows), mode="overwrite",
                            schema_mode="overwrite", storage_options=options)
            published[f"{schema}.{table}"] = rows.num_rows
    return published


__all__ = ["PUBLISHED_SCHEMAS", "publish_marts"]
