"""A row no run can load never wedges the pipeline: timestamps are typed, and a load package that can never
load is moved aside (kept for diagnosis, its crawl state undone) while the run goes on.

Against the simulator over loopback HTTP, into a real DuckDB file. The packages are real: one the frozen
schema contract refuses (an empty ``started_at``, what a partition that failed before its first request
used to write), and one whose load job the destination refuses for good.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import Warehouse, assert_same_records, truth
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.destinations.warehouse import PIPELINE_NAME
from ttb_cola.ids import format_ttb_id
from ttb_cola.probe.runner import PartitionOutcome, Prober
from ttb_cola.runs.quarantine import QUARANTINE_FOLDER, RECORD_FILE
from ttb_cola.search.runner import Lister

DAY = date(2025, 6, 16)  # a Monday
NEXT = DAY + timedelta(days=1)
AS_OF = DAY + timedelta(days=10)
#: The rare receipt methods: a few COLAs a day, so each run stays small.
METHODS = ("002", "003", "000")


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    return Warehouse(tmp_path, monkeypatch)


def _ingest(warehouse: Warehouse, sim, day: date, *args: str, today: date = AS_OF) -> int:
    return warehouse.ingest(sim.base_url, "--date", day.isoformat(), "--methods", ",".join(METHODS), *args,
                            today=today)


def _expected(sim, days: list[date], today: date = AS_OF, methods: tuple[str, ...] = METHODS) -> dict:
    return {k: r for k, r in truth(sim.registry, days, today).items() if k[5:8] in methods}


def _loaded(warehouse: Warehouse, days: list[date], methods: tuple[str, ...]) -> dict:
    """The loaded COLAs received on ``days`` by one of ``methods`` (searches load every COLA they list)."""
    prefixes = {format_ttb_id(day, method, 0)[:8] for day in days for method in methods}
    return {k: r for k, r in warehouse.colas().items() if k[:8] in prefixes}


def _pipeline(warehouse: Warehouse) -> dlt.Pipeline:
    return dlt.attach(pipeline_name=PIPELINE_NAME, pipelines_dir=str(warehouse.pipelines))


def _records(warehouse: Warehouse) -> list[dict]:
    folder = warehouse.pipelines / PIPELINE_NAME / QUARANTINE_FOLDER
    return [json.loads(p.read_text()) for p in sorted(folder.glob(f"*/{RECORD_FILE}"))]


@pytest.mark.parametrize("strategy", ["probe", "search"])
def test_work_failing_before_its_first_request_loads_typed_timestamps_and_the_next_run_loads_the_date(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    """A partition (or completed date) that fails before any request (here: a bug raised at once) is
    logged with real timestamps, never "": its row loads, nothing stays pending, and the next run works."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug before the first request")

    table = "crawl_partitions" if strategy == "probe" else "crawl_searches"
    # Searches list every COLA completed on a date, whatever its method: two dates, every method. A registry
    # whose first receipt date is DAY completes only DAY's COLAs on them (41), not thousands received before.
    today, methods = (AS_OF, METHODS) if strategy == "probe" else (DAY + timedelta(days=1), ("001", *METHODS))
    with running_simulator(seed=7, as_of=today, start=DAY) as sim:
        with monkeypatch.context() as bug:
            bug.setattr(Prober if strategy == "probe" else Lister, "run", broken)
            assert _ingest(warehouse, sim, DAY, "--strategy", strategy, today=today) == 1
        assert not _pipeline(warehouse).has_pending_data
        rows = warehouse.query(f"select status, started_at, finished_at from ttb_cola.{table}")
        assert rows and {r[0] for r in rows} == {"failed"}
        assert all(isinstance(r[1], datetime) and isinstance(r[2], datetime) and r[1] <= r[2] for r in rows)
        columns = {name for (name,) in warehouse.query(
            f"select column_name from information_schema.columns where table_name = '{table}'")}
        assert not [c for c in columns if "__v_" in c]  # no variant column: every value had its type
        assert _ingest(warehouse, sim, DAY, "--strategy", strategy, today=today) == 0
        expected = _expected(sim, [DAY], today, methods)
    assert expected
    assert_same_records(_loaded(warehouse, [DAY], methods), expected)


def test_a_package_the_schema_contract_refuses_is_moved_aside_and_its_date_crawled_again(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The package of a run whose rows the frozen contract refuses (an empty started_at) used to fail every
    later run. The next run moves it aside with one line and goes on; the package's crawl state is undone,
    so the date is crawled again and every COLA of it loads."""
    row = PartitionOutcome.row
    with running_simulator(seed=7, as_of=AS_OF) as sim:
        with monkeypatch.context() as bug:
            bug.setattr(PartitionOutcome, "row", lambda self, run_id: {**row(self, run_id), "started_at": ""})
            assert _ingest(warehouse, sim, DAY) == 1
        assert "DataValidationError" in capsys.readouterr().err
        [poisoned] = _pipeline(warehouse).list_extracted_load_packages()

        assert _ingest(warehouse, sim, NEXT) == 0  # another date: the pending package no longer stops it
        [line] = [line for line in capsys.readouterr().err.splitlines() if "moved aside" in line]
        kept = warehouse.pipelines / PIPELINE_NAME / QUARANTINE_FOLDER / poisoned
        assert f"load package {poisoned} can never load: the schema contract refuses a row" in line
        assert "started_at__v_text" in line and str(kept) in line
        assert all(f"partition {DAY}|{m}" in line for m in METHODS)
        assert (kept / "package" / "load_package_state.json").is_file()
        [record] = _records(warehouse)
        assert record["load_id"] == poisoned and "DataValidationError" in record["reason"]
        assert record["undone"] == sorted(f"partition {DAY}|{m}" for m in METHODS)
        assert not _pipeline(warehouse).has_pending_data
        assert not [key for key in warehouse.state() if key.startswith(DAY.isoformat())]
        assert_same_records(warehouse.colas(), _expected(sim, [NEXT]))

        assert main(["status", "--pipelines-dir", str(warehouse.pipelines)]) == 0
        out = capsys.readouterr().out
        assert "1 load package(s) moved aside" in out and poisoned in out and "schema contract" in out

        assert _ingest(warehouse, sim, DAY) == 0  # the date the package held: crawled again, nothing lost
        expected = _expected(sim, [DAY, NEXT])
    assert len(expected) > len(_expected(sim, [NEXT]))
    assert_same_records(warehouse.colas(), expected)


def test_a_package_whose_load_job_the_destination_refuses_is_moved_aside(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A normalized package whose crawl log file the warehouse refuses for good (a count that is not a
    number) is moved aside by the next run, which goes on; the date it held loads in full later."""
    def killed(self: dlt.Pipeline, *args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the run stops after normalize: the package stays pending, normalized

    with running_simulator(seed=7, as_of=AS_OF) as sim:
        assert _ingest(warehouse, sim, NEXT) == 0  # the warehouse exists, its tables too
        with monkeypatch.context() as crash:
            crash.setattr(dlt.Pipeline, "load", killed)
            assert _ingest(warehouse, sim, DAY) == 130
        pipeline = _pipeline(warehouse)
        [pending] = pipeline.list_normalized_load_packages()
        [job] = [j for j in pipeline.get_load_package_info(pending).jobs["new_jobs"]
                 if j.job_file_info.table_name == "crawl_partitions"]
        table = pq.read_table(job.file_path)
        bad = table.set_column(table.schema.get_field_index("probed"), "probed",
                               pa.array(["many"] * table.num_rows, pa.string()))
        pq.write_table(bad, job.file_path)
        capsys.readouterr()

        assert _ingest(warehouse, sim, NEXT, "--reprobe") == 0
        [line] = [line for line in capsys.readouterr().err.splitlines() if "moved aside" in line]
        assert f"load package {pending} can never load: the destination refuses one of its load jobs" in line
        [record] = _records(warehouse)
        assert record["load_id"] == pending and record["undone"] == sorted(f"partition {DAY}|{m}" for m in METHODS)
        assert not _pipeline(warehouse).has_pending_data

        assert _ingest(warehouse, sim, DAY) == 0
        expected = _expected(sim, [DAY, NEXT])
    assert_same_records(warehouse.colas(), expected)
