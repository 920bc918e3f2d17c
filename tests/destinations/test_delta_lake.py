"""The lake's Delta tables, read with ``deltalake`` and with polars (``pl.read_delta``), not our dbt, hold the same
rows as the DuckDB warehouse.

The same simulated Saturday (two receipt methods, probed; a search of every completed date since would list
thousands of COLAs, too slow here, so cola_listings and crawl_searches are compared empty) is ingested into a
DuckDB file and into a bucket on moto's S3 on loopback, then every page is refetched (``--reprobe`` the
next day) and rebuilt from the raw archive (``reparse``) on both: the upserts leave one row per TTB ID
(per image position) in every merged table without any dedupe by the reader, and every table equals the
warehouse's, column for column, except the columns that record the run (load ids, fetch times, run ids).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import Warehouse, truth
from moto_server import MotoS3, no_machine_aws_credentials
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola_sim.server import SimulatorServer

#: A Saturday (seed 7: 29 public COLAs filed electronically, none by the other method), so the bucket's raw
#: archive, written by each crawl and read back by the reparse, stays small.
DAY = date(2025, 6, 14)
AS_OF = DAY + timedelta(days=10)
METHODS = "001,002"
KEYS = {
    "cola_details": ("ttb_id",), "cola_forms": ("ttb_id",), "cola_listings": ("ttb_id",),
    "cola_label_images": ("ttb_id", "position"), "crawl_parked": ("ttb_id",), "crawl_partitions": None,
    "crawl_searches": None, "cola_status_log": None,
}
# Columns that record the run rather than the registry: two destinations, two sets of runs (and the
# requests of a walk depend on how far its concurrent lookahead ran past its end).
RUN_COLUMNS = {"_dlt_load_id", "_dlt_id", "fetched_at", "listed_at", "run_id", "started_at", "finished_at", "requests"}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with running_simulator(seed=7, as_of=AS_OF) as server:
        yield server


def _run_all(warehouse: Warehouse, sim: SimulatorServer, *destination: str) -> None:
    """Ingest, refetch every page the next day, reparse the archive: each must succeed."""
    args = ("--date", DAY.isoformat(), "--methods", METHODS, *destination)
    assert warehouse.ingest(sim.base_url, *args, today=AS_OF) == 0
    assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=AS_OF + timedelta(days=1)) == 0
    assert main(["reparse", *destination, "--pipelines-dir", str(warehouse.pipelines)]) == 0


def test_delta_tables_equal_the_duckdb_tables_after_refetch_and_reparse(
    s3: MotoS3, sim: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polars as pl
    from deltalake import DeltaTable

    no_machine_aws_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_RAW_HTML", "true")
    sim.set_as_of(AS_OF)
    duck = Warehouse(tmp_path / "duck", monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_URL", str(tmp_path / "duck" / "raw"))
    _run_all(duck, sim)
    monkeypatch.delenv("SOURCES__TTB_COLA__ARCHIVE_URL")  # the lake's archive: <bucket_url>/raw
    lake = s3.new_bucket()
    for name, value in lake.env(f"{lake.bucket_url}/lake").items():
        monkeypatch.setenv(name, value)
    _run_all(Warehouse(tmp_path / "lake", monkeypatch), sim, "--destination", "filesystem")

    options = {"aws_access_key_id": lake.access_key_id, "aws_secret_access_key": lake.secret_access_key,
               "endpoint_url": lake.endpoint_url, "region": lake.region_name, "aws_allow_http": "true"}
    compared = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{duck.db}' as duck (read_only)")
        for table, key in KEYS.items():
            uri = f"{lake.bucket_url}/lake/ttb_cola/{table}"
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_catalog = 'duck' "
                "and table_schema = 'ttb_cola' and table_name = ? order by ordinal_position", [table]).fetchall()]
            assert columns, f"{table} missing in the warehouse"
            # Two readers that are not our dbt: deltalake's own, and polars (pl.read_delta).
            delta = DeltaTable(uri, storage_options=options)
            # the oldest reader protocol, no table features: what lets any engine read it (README)
            protocol = delta.protocol()
            assert (protocol.min_reader_version, protocol.reader_features) == (1, None), f"{table}: {protocol}"
            con.register(f"deltalake_{table}", delta.to_pyarrow_table())
            con.register(f"polars_{table}", pl.read_delta(uri, storage_options=options).to_arrow())
            for reader in ("deltalake", "polars"):
                compared[table] = _assert_same_rows(con, table, f"{reader}_{table}", columns, key)
    public = [ttb_id for ttb_id in truth(sim.registry, [DAY], AS_OF) if ttb_id[5:8] in METHODS.split(",")]
    assert compared["cola_forms"] == len(public) > 20 and compared["cola_label_images"] > compared["cola_forms"]
    assert compared["crawl_partitions"] == 2 * len(METHODS.split(","))  # the reparse writes no crawl log
    print("rows compared per table:", compared)


def _assert_same_rows(con: duckdb.DuckDBPyConnection, table: str, lake: str, columns: list[str],
                      key: tuple[str, ...] | None) -> int:
    """``lake`` (a reader's view of the Delta table) holds the warehouse's rows of ``table``; their count."""
    lake_columns = {c for (c,) in con.execute(f"select column_name from (describe {lake})").fetchall()}
    assert set(columns) <= lake_columns, f"{lake}: the lake lacks {set(columns) - lake_columns}"
    if key:  # upserted: one row per key, no reader dedupe
        keys = ", ".join(key)
        [(rows, distinct)] = con.execute(f"select count(*), count(distinct ({keys})) from {lake}").fetchall()
        assert rows == distinct, f"{lake}: {rows - distinct} duplicate rows"
    kept = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in columns if c not in RUN_COLUMNS)
    duck_rows = f"select {kept} from duck.ttb_cola.{table}"
    lake_rows = f"select {kept} from {lake}"
    [(n,)] = con.execute(f"select count(*) from ({duck_rows})").fetchall()
    assert con.execute(f"select count(*) from ({lake_rows})").fetchone() == (n,), lake
    only_duck = con.execute(f"select count(*) from ({duck_rows} except all {lake_rows})").fetchone()
    only_lake = con.execute(f"select count(*) from ({lake_rows} except all {duck_rows})").fetchone()
    assert only_duck == only_lake == (0,), f"{lake}: rows differ: " + str(
        con.execute(f"({duck_rows} except all {lake_rows}) union all ({lake_rows} except all {duck_rows})").fetchall())
    return n
