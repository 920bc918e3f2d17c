"""Parked COLAs on the lake (moto's S3 on loopback): ``crawl_parked`` in the bucket, the open parked
COLAs restored from the bucket's state by a fresh runner, listed by status and recovered by a rerun."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import dlt
import fsspec
import pyarrow.parquet as pq
import pytest
from ingest_helpers import Warehouse, assert_one_row_per_key
from lake_helpers import read_lake
from moto_server import MotoS3, no_machine_aws_credentials, running_moto
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.destinations.lake import LAKE_PIPELINE_NAME
from ttb_cola.runs.exit_codes import EXIT_OK, EXIT_PARKED

TODAY = date(2025, 6, 26)
PROBED = date(2025, 6, 20)  # method 002: four public COLAs as of TODAY (seed 3)


def test_parked_colas_on_the_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    no_machine_aws_credentials(monkeypatch, tmp_path)
    warehouse = Warehouse(tmp_path, monkeypatch)
    args = ("--date", PROBED.isoformat(), "--methods", "002", "--destination", "filesystem")
    with running_moto() as s3, running_simulator(seed=3, as_of=TODAY) as sim:
        lake = s3.new_bucket()
        for name, value in lake.env(f"{lake.bucket_url}/lake").items():
            monkeypatch.setenv(name, value)
        fs = fsspec.filesystem("s3", **lake.storage_options())

        def parked() -> dict[str, tuple]:
            """Each TTB ID's row of the latest load (the lake appends)."""
            fs.invalidate_cache()
            files = sorted(fs.glob(f"{lake.bucket}/lake/ttb_cola/crawl_parked/*.parquet"))
            rows = sorted(pq.ParquetDataset(files, filesystem=fs).read().to_pylist(), key=lambda r: r["_dlt_load_id"])
            return {r["ttb_id"]: (r["page"], r["attempts"], r["resolved"]) for r in rows}

        public = [r["ttb_id"] for r in sim.registry.partition_records(PROBED, "002", TODAY)]
        wrong = public[1]
        sim.set_faults(wrong_page_ids=[wrong])
        assert warehouse.ingest(sim.base_url, *args, today=TODAY) == EXIT_PARKED
        assert parked() == {wrong: ("detail", 1, False)}

        # a fresh runner: the parked COLA comes back from the bucket's state
        shutil.rmtree(warehouse.pipelines)
        capsys.readouterr()
        assert main(["status", "--destination", "filesystem", "--pipelines-dir", str(warehouse.pipelines)]) \
            == EXIT_PARKED
        assert wrong in capsys.readouterr().out
        shutil.rmtree(warehouse.pipelines)
        sim.set_faults(None)
        assert warehouse.ingest(sim.base_url, *args, today=TODAY + timedelta(days=1)) == EXIT_OK
        assert parked() == {wrong: ("detail", 1, True)}
        fs.invalidate_cache()
        files = fs.glob(f"{lake.bucket}/lake/ttb_cola/cola_details/*.parquet")
        loaded = {r["ttb_id"] for r in pq.ParquetDataset(files, filesystem=fs).read().to_pylist()}
        assert loaded == set(public)


def test_a_parked_cola_retried_then_reprobed_loads_once_on_the_lake(
    s3: MotoS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retry loads the parked COLA and ``--reprobe`` walks its partition in the same chunk: the Delta
    upserts get one row per key (the latest fetch), no load package is left pending, and the next run
    loads."""
    no_machine_aws_credentials(monkeypatch, tmp_path)
    warehouse = Warehouse(tmp_path, monkeypatch)
    args = ("--date", PROBED.isoformat(), "--methods", "002", "--destination", "filesystem")
    lake = s3.new_bucket()
    for name, value in lake.env(f"{lake.bucket_url}/lake").items():
        monkeypatch.setenv(name, value)
    fs = fsspec.filesystem("s3", **lake.storage_options())
    with running_simulator(seed=3, as_of=TODAY) as sim:
        public = [r["ttb_id"] for r in sim.registry.partition_records(PROBED, "002", TODAY)]
        sim.set_faults(wrong_page_ids=[public[1]])
        assert warehouse.ingest(sim.base_url, *args, today=TODAY) == EXIT_PARKED
        sim.set_faults(None)
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=TODAY + timedelta(days=1)) == EXIT_OK
        pipeline = dlt.attach(pipeline_name=LAKE_PIPELINE_NAME, pipelines_dir=str(warehouse.pipelines))
        assert pipeline.list_normalized_load_packages() == []
        with read_lake(fs, f"{lake.bucket}/lake") as con:
            assert_one_row_per_key(con)
            assert con.sql("select ttb_id, resolved from crawl_parked").fetchall() == [(public[1], True)]
            assert {r[0] for r in con.sql("select ttb_id from cola_details").fetchall()} == set(public)
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=TODAY + timedelta(days=2)) == EXIT_OK
    assert pipeline.list_normalized_load_packages() == []
