"""Parked COLAs on the lake (moto's S3 on loopback): ``crawl_parked`` in the bucket, the open parked
COLAs restored from the bucket's state by a fresh runner, listed by status and recovered by a rerun that
also reprobes their partition."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import dlt
import fsspec
import pytest
from ingest_helpers import Warehouse, assert_one_row_per_key
from lake_helpers import read_lake
from moto_server import MotoS3, no_machine_aws_credentials
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.destinations.lake import LAKE_PIPELINE_NAME
from ttb_cola.runs.exit_codes import EXIT_OK, EXIT_PARKED

TODAY = date(2025, 6, 26)
PROBED = date(2025, 6, 20)  # method 002: four public COLAs as of TODAY (seed 3)


def test_parked_colas_on_the_lake_restored_by_a_fresh_runner_then_retried_and_reprobed_once(
    s3: MotoS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A COLA parked on the lake is in the bucket's ``crawl_parked`` and comes back from the bucket's state on
    a fresh runner (listed by status). That runner's next run retries it and ``--reprobe`` walks its partition
    in the same chunk: the Delta upserts get one row per key (the latest fetch), the parked row is resolved,
    no load package is left pending, and the next run loads. (A plain retry, without ``--reprobe``, is
    tests/runs/test_parked.py's.)"""
    no_machine_aws_credentials(monkeypatch, tmp_path)
    warehouse = Warehouse(tmp_path, monkeypatch)
    args = ("--date", PROBED.isoformat(), "--methods", "002", "--destination", "filesystem")
    lake = s3.new_bucket()
    for name, value in lake.env(f"{lake.bucket_url}/lake").items():
        monkeypatch.setenv(name, value)
    fs = fsspec.filesystem("s3", **lake.storage_options())

    def parked() -> list[tuple]:
        """The rows of ``crawl_parked``'s latest commit, as any reader of the Delta table sees them."""
        with read_lake(fs, f"{lake.bucket}/lake", ("crawl_parked",)) as con:
            return con.sql("select ttb_id, page, attempts, resolved from crawl_parked").fetchall()

    with running_simulator(seed=3, as_of=TODAY) as sim:
        public = [r["ttb_id"] for r in sim.registry.partition_records(PROBED, "002", TODAY)]
        wrong = public[1]
        sim.set_faults(wrong_page_ids=[wrong])
        assert warehouse.ingest(sim.base_url, *args, today=TODAY) == EXIT_PARKED
        assert parked() == [(wrong, "detail", 1, False)]

        # a fresh runner: the parked COLA comes back from the bucket's state
        shutil.rmtree(warehouse.pipelines)
        capsys.readouterr()
        assert main(["status", "--destination", "filesystem", "--pipelines-dir", str(warehouse.pipelines)]) \
            == EXIT_PARKED
        assert wrong in capsys.readouterr().out
        shutil.rmtree(warehouse.pipelines)

        sim.set_faults(None)
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=TODAY + timedelta(days=1)) == EXIT_OK
        pipeline = dlt.attach(pipeline_name=LAKE_PIPELINE_NAME, pipelines_dir=str(warehouse.pipelines))
        assert pipeline.list_normalized_load_packages() == []
        assert parked() == [(wrong, "detail", 1, True)]
        with read_lake(fs, f"{lake.bucket}/lake") as con:
            assert_one_row_per_key(con)
            assert {r[0] for r in con.sql("select ttb_id from cola_details").fetchall()} == set(public)
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=TODAY + timedelta(days=2)) == EXIT_OK
    assert pipeline.list_normalized_load_packages() == []
