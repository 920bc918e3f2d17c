"""`ttb-cola lake migrate`: a lake of plain Parquet files (as written before the Delta tables) becomes Delta
tables in place, with what a reader of the old lake saw, and the crawl goes on from its state."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import fsspec
import pytest
from ingest_helpers import Warehouse, assert_same_records, truth
from lake_helpers import TABLES, lake_colas, read_lake
from moto_server import MotoS3, no_machine_aws_credentials
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola_sim.server import SimulatorServer

DAY = date(2025, 6, 14)  # a Saturday: 35 COLAs of method 001 (seed 7), where a Monday has over 400
AS_OF = DAY + timedelta(days=10)
METHODS = "001"
#: Tables the old lake of this test never wrote (no label images fetched): the next run creates them.
NEVER_WRITTEN = ("cola_images", "cola_barcodes")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with running_simulator(seed=7, as_of=AS_OF) as server:
        yield server


def _as_before_delta(source):  # type: ignore[no-untyped-def]
    """What the lake did before its Delta tables: every table appended to, plain Parquet."""
    for resource in source.resources.values():
        resource.apply_hints(write_disposition="append")
    return source


def _state_columns(status: str) -> list[list[str]]:
    """The month table of ``status`` without its COLAs-held column."""
    rows = [line.split() for line in status.splitlines() if line[:5].isdigit() or line.startswith("total ")]
    return [[row[0], *row[2:]] for row in rows]


def _parquet_files(fs: fsspec.AbstractFileSystem, root: str) -> list[str]:
    fs.invalidate_cache()  # s3fs caches listings: the migration deleted files behind this instance's back
    return [p for p in fs.glob(f"{root}/ttb_cola/*/*.parquet") if "/_dlt" not in p]


def test_migrate_turns_the_parquet_lake_into_delta_tables_and_the_crawl_goes_on(
    s3: MotoS3, sim: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_machine_aws_credentials(monkeypatch, tmp_path)
    lake = s3.new_bucket()
    for name, value in lake.env(f"{lake.bucket_url}/lake").items():
        monkeypatch.setenv(name, value)
    warehouse = Warehouse(tmp_path, monkeypatch)
    sim.set_as_of(AS_OF)
    args = ("--date", DAY.isoformat(), "--methods", METHODS, "--destination", "filesystem")

    # The old lake: two loads of the same COLAs (a refetch appended), plain Parquet files only.
    with monkeypatch.context() as old:
        old.setattr("ttb_cola.runs.pipeline.as_lake_tables", _as_before_delta)
        old.setattr("ttb_cola.runs.pipeline.create_lake_tables", lambda *_: [])
        assert warehouse.ingest(sim.base_url, *args, today=AS_OF) == 0
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=AS_OF) == 0
    fs = fsspec.filesystem("s3", **lake.storage_options())
    root = f"{lake.bucket}/lake"
    assert _parquet_files(fs, root) and not fs.glob(f"{root}/ttb_cola/*/_delta_log")
    capsys.readouterr()
    assert main(["status", "--destination", "filesystem", "--pipelines-dir", str(warehouse.pipelines)]) == 0
    status_before = capsys.readouterr().out

    assert main(["lake", "migrate"]) == 0
    out = capsys.readouterr().out
    assert "cola_forms:" in out and "Parquet files removed" in out
    expected = truth(sim.registry, [DAY], AS_OF)
    expected = {k: v for k, v in expected.items() if k[5:8] == METHODS}
    assert expected
    delta_files = {p.rsplit("/", 1)[1] for p in _parquet_files(fs, root)}
    assert delta_files and all(name.startswith("part-") for name in delta_files), "old Parquet files left"
    # no dedupe: one row per TTB ID in every page table (tables the old lake never wrote come with the next run)
    with read_lake(fs, root, tuple(t for t in TABLES if t not in NEVER_WRITTEN)) as con:
        for table in ("cola_details", "cola_forms"):
            assert con.sql(f"select count(*) - count(distinct ttb_id) from {table}").fetchone() == (0,), table
        assert_same_records(lake_colas(con), expected)
        # both runs' crawl log rows carried over
        assert con.sql("select count(distinct run_id) from crawl_partitions").fetchone() == (2,)

    # A second run is a no-op; the crawl state survived (status as before, on a fresh runner too).
    assert main(["lake", "migrate"]) == 0
    assert "0 tables converted, 0 Parquet files removed" in capsys.readouterr().out
    shutil.rmtree(warehouse.pipelines)
    assert main(["status", "--destination", "filesystem", "--pipelines-dir", str(warehouse.pipelines)]) == 0
    status_after = capsys.readouterr().out
    # the crawl state's columns as before; the COLAs held are read from the tables, Delta only once migrated
    assert _state_columns(status_after) == _state_columns(status_before)
    assert _state_columns(status_after)[-1][0] == "total" and status_after.count(f" {len(expected):>9,} ") == 2

    # The crawl goes on in the Delta tables: a refetch upserts, nothing is duplicated.
    assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=AS_OF + timedelta(days=1)) == 0
    with read_lake(fs, root) as con:
        for table in ("cola_details", "cola_forms"):
            assert con.sql(f"select count(*) - count(distinct ttb_id) from {table}").fetchone() == (0,), table
        assert con.sql("select count(*) - count(distinct (ttb_id, position)) from cola_label_images").fetchone() == (
            0,)
        assert_same_records(lake_colas(con), expected)
        assert con.sql("select count(distinct run_id) from crawl_partitions").fetchone() == (3,)
