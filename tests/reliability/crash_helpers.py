"""Helpers of the crash trials: moto S3 (or a skip), the lake's COLAs (its Delta tables), a killed run's lease
expired."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from ingest_helpers import COMPARED, JSON_FIELDS, Warehouse, add_colas_view
from reliability_helpers import duplicate_count


def moto_or_skip() -> Any:
    """tests/moto_server.py's ``running_moto``, or a skip naming what is missing."""
    try:
        from moto_server import running_moto
    except ImportError as exc:  # the S3 test server is built with the bucket destination
        pytest.skip(f"bucket destination: tests/moto_server.py (S3 on loopback) not available: {exc}")
    try:
        import ttb_cola.destinations.lake  # noqa: F401
    except ImportError:
        pytest.skip("bucket destination: ttb_cola.destinations.lake not available")
    return running_moto


def lake_colas(s3: Any) -> tuple[dict[str, dict[str, Any]], int]:
    """The lake's COLAs as a reader of its Delta tables sees them (each table's last committed version, no
    dedupe: the page tables are upserted on ttb_id), and the number of page rows beyond one per TTB ID."""
    import duckdb
    from deltalake import DeltaTable

    options = {"aws_access_key_id": s3.access_key_id, "aws_secret_access_key": s3.secret_access_key,
               "endpoint_url": s3.endpoint_url, "region": s3.region_name, "aws_allow_http": "true"}
    con = duckdb.connect()
    extra = 0
    for table in ("cola_details", "cola_forms", "cola_listings"):
        uri = f"{s3.bucket_url}/ttb_cola/{table}"
        if DeltaTable.is_deltatable(uri, storage_options=options):  # a run killed early has none yet
            con.register(table, DeltaTable(uri, storage_options=options).to_pyarrow_table())
            [(n,)] = con.sql(f"select count(*) - count(distinct ttb_id) from {table}").fetchall()
            extra += n
    add_colas_view(con, None)
    rows = con.sql(f"select {', '.join(COMPARED)} from colas").fetchall()
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        record = dict(zip(COMPARED, row, strict=True))
        for name, value in record.items():
            if isinstance(value, date):
                record[name] = value.isoformat()
            elif name in JSON_FIELDS and isinstance(value, str):
                record[name] = json.loads(value)
        latest[record["ttb_id"]] = record
    return latest, extra


def expire_lease(s3: Any) -> None:
    """Let the killed run's bucket lease run out (15 min in production) by back-dating it, as time would."""
    try:
        from ttb_cola.destinations.warehouse import LOCK_NAME
    except ImportError:
        return  # no bucket lock (yet): nothing to expire
    import s3fs

    fs = s3fs.S3FileSystem(**s3.storage_options())
    path = f"{s3.bucket}/{LOCK_NAME}"
    if fs.exists(path):
        holder = json.loads(fs.cat_file(path))
        holder["expires_at"] = "2000-01-01T00:00:00+00:00"
        fs.pipe_file(path, json.dumps(holder).encode())


def rerun_colas(workdir: Any, s3: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, dict[str, Any]], int]:
    """The COLAs a trial's rerun left and the page rows beyond one per TTB ID: the DuckDB file of
    ``workdir`` (``s3`` None) or the lake's Delta tables (no reader dedupe: upserted on ttb_id)."""
    if s3 is None:
        warehouse = Warehouse(workdir, monkeypatch)
        return warehouse.colas(), duplicate_count(warehouse)
    return lake_colas(s3)
