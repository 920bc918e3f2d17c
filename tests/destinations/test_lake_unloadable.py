"""A load package that can never load is moved aside on the lake too (moto's S3 on loopback): the next run
goes on, the bucket's state never counts the package's dates as crawled, and they load in full later."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import fsspec
import pyarrow.parquet as pq
import pytest
from ingest_helpers import Warehouse
from moto_server import no_machine_aws_credentials, running_moto
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.probe.runner import PartitionOutcome
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK

TODAY = date(2025, 6, 26)
POISONED = date(2025, 6, 20)  # method 002: four public COLAs as of TODAY (seed 3)
OTHER = POISONED - timedelta(days=1)


def test_a_package_the_contract_refuses_is_moved_aside_on_the_lake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_machine_aws_credentials(monkeypatch, tmp_path)
    warehouse = Warehouse(tmp_path, monkeypatch)
    row = PartitionOutcome.row

    def ingest(day: date) -> int:
        return warehouse.ingest(sim.base_url, "--date", day.isoformat(), "--methods", "002",
                                "--destination", "filesystem", today=TODAY)

    with running_moto() as s3, running_simulator(seed=3, as_of=TODAY) as sim:
        lake = s3.new_bucket()
        for name, value in lake.env(f"{lake.bucket_url}/lake").items():
            monkeypatch.setenv(name, value)
        fs = fsspec.filesystem("s3", **lake.storage_options())

        def loaded() -> set[str]:
            fs.invalidate_cache()
            files = fs.glob(f"{lake.bucket}/lake/ttb_cola/cola_details/*.parquet")
            return {r["ttb_id"] for r in pq.ParquetDataset(files, filesystem=fs).read().to_pylist()} if files else set()

        with monkeypatch.context() as bug:  # what a partition failing before its first request used to write
            bug.setattr(PartitionOutcome, "row", lambda self, run_id: {**row(self, run_id), "started_at": ""})
            assert ingest(POISONED) == EXIT_FAILED
        capsys.readouterr()

        assert ingest(OTHER) == EXIT_OK
        [line] = [line for line in capsys.readouterr().err.splitlines() if "moved aside" in line]
        assert "the schema contract refuses a row" in line and f"partition {POISONED}|002" in line
        assert main(["status", "--destination", "filesystem", "--pipelines-dir", str(warehouse.pipelines)]) \
            == EXIT_OK
        assert "1 load package(s) moved aside" in capsys.readouterr().out

        assert ingest(POISONED) == EXIT_OK
        public = {r["ttb_id"] for day in (POISONED, OTHER) for r in sim.registry.partition_records(day, "002", TODAY)}
        assert public and loaded() == public
