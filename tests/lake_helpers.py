"""Reading the lake's Delta tables in tests as any reader would: ``deltalake``, no dedupe, no dbt."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import duckdb
import fsspec
from ingest_helpers import COMPARED, JSON_FIELDS, add_colas_view

#: The lake's tables: upserted on their keys, then the appended crawl logs.
UPSERTED = ("cola_details", "cola_forms", "cola_listings", "cola_label_images", "cola_images", "cola_barcodes",
            "crawl_parked")
APPENDED = ("crawl_partitions", "crawl_searches", "cola_status_log")
TABLES = (*UPSERTED, *APPENDED)


def delta_options(fs: fsspec.AbstractFileSystem) -> dict[str, str]:
    """``deltalake`` options for the filesystem a test reads (moto's endpoint and keys; none for a folder)."""
    if fs.protocol == "file" or "file" in fs.protocol:
        return {}
    return {"aws_access_key_id": fs.key, "aws_secret_access_key": fs.secret, "endpoint_url": fs.endpoint_url,
            "region": "us-east-1", "aws_allow_http": "true"}


def read_lake(fs: fsspec.AbstractFileSystem, root: str, tables: tuple[str, ...] = TABLES) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with each of ``tables`` as ``deltalake`` reads its Delta table (last commit, no
    dedupe)."""
    from deltalake import DeltaTable

    con = duckdb.connect()
    options = delta_options(fs)
    for table in tables:
        uri = f"{root}/ttb_cola/{table}" if not options else f"s3://{root}/ttb_cola/{table}"
        assert DeltaTable.is_deltatable(uri, storage_options=options), f"no Delta table {table}"
        con.register(table, DeltaTable(uri, storage_options=options).to_pyarrow_table())
    add_colas_view(con, None)  # ``colas``: one row per COLA, joined from the upserted page tables
    return con


def lake_colas(con: duckdb.DuckDBPyConnection, table: str = "colas") -> dict[str, dict[str, Any]]:
    """Loaded ``colas`` rows by TTB ID, in the truth export's form."""
    rows = con.sql(f"select {', '.join(COMPARED)} from {table}").fetchall()
    rows = [dict(zip(COMPARED, row, strict=True)) for row in rows]
    for row in rows:
        for name, value in row.items():
            if isinstance(value, date):
                row[name] = value.isoformat()
            elif name in JSON_FIELDS and isinstance(value, str):
                row[name] = json.loads(value)
    return {row["ttb_id"]: row for row in rows}
