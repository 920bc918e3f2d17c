"""Old state copies pruned after each load, on DuckDB and on the lake: many loads leave one copy, the
newest complete load's state is never deleted (a copy of an unfinished load is kept beside it), a
fresh working folder restores it, and a prune that fails (a kill between load and prune leaves the
same) loses nothing. One sequence of loads per destination checks all of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from ingest_helpers import Warehouse
from moto_server import MotoS3, no_machine_aws_credentials
from sim_server import running_simulator

import ttb_cola.runs.pipeline as runs_pipeline
from ttb_cola.destinations.lake import checked_lake
from ttb_cola.destinations.lake_state import completed_state
from ttb_cola.destinations.state_prune import STATE_TABLE, lake_dataset, prune_state_copies, state_copies
from ttb_cola.destinations.warehouse import make_pipeline, pipeline_and_lake
from ttb_cola.destinations.working_folder import destination_state
from ttb_cola.runs.pipeline import crawl_state
from ttb_cola.state_compaction import crawl_view
from ttb_cola_sim.server import SimulatorServer

AS_OF = date(2025, 6, 21)
FIRST = date(2025, 5, 1)
METHOD = "002"  # a few COLAs a day: each run is quick


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with running_simulator(seed=7, as_of=AS_OF) as server:
        yield server


@pytest.fixture(params=["duckdb", "filesystem"])
def destination(request: pytest.FixtureRequest, s3: MotoS3, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh DuckDB file, or a fresh bucket, with dlt's home inside the test's folder."""
    no_machine_aws_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt-home"))
    Warehouse(tmp_path, monkeypatch)
    if request.param == "filesystem":
        lake = s3.new_bucket()
        for name, value in lake.env(f"{lake.bucket_url}/lake").items():
            monkeypatch.setenv(name, value)
    return str(request.param)


def ingest(sim: SimulatorServer, destination: str, day: date, folder: Path) -> None:
    """One `ttb-cola ingest` of ``day`` (one receipt method) in the working folder ``folder``, exit 0."""
    from ttb_cola.cli import main

    status = main(["ingest", "--date", day.isoformat(), "--methods", METHOD, "--today", AS_OF.isoformat(),
                   "--base-url", sim.base_url, "--requests-per-second", "0", "--max-workers", "4", "--quiet",
                   "--destination", destination, "--pipelines-dir", str(folder)])
    assert status == 0


def copies(destination: str, folder: Path) -> int:
    """How many state copies the destination holds."""
    pipeline, lake = pipeline_and_lake(destination, str(folder), align=False)
    return state_copies(pipeline, lake)[0]


def test_loads_leave_one_copy_lose_nothing_to_a_failed_prune_restore_and_keep_an_unfinished_newer_copy(
    destination: str, sim: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads = 2  # each later load prunes; the soak variant below makes thirty
    _loads_leave_one_copy(destination, sim, tmp_path, monkeypatch, loads=loads)
    _a_newer_unfinished_copy_is_kept(destination, sim, tmp_path / "fresh", tmp_path / "other",
                                     [FIRST + timedelta(days=n) for n in range(loads + 4)])


@pytest.mark.soak
def test_soak_thirty_loads_leave_one_copy(
    destination: str, sim: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _loads_leave_one_copy(destination, sim, tmp_path, monkeypatch, loads=30)


def _loads_leave_one_copy(destination: str, sim: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          loads: int) -> None:
    """``loads`` ingests of successive dates, each leaving one state copy; then two loads whose prune fails
    (as a kill between load and prune leaves it) keep every copy and lose nothing; a fresh folder restores
    the newest state, and its load prunes the copies left behind."""
    monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", "40")  # the older dates settle: stored by column
    folder = tmp_path / "work"
    for n in range(loads):
        ingest(sim, destination, FIRST + timedelta(days=n), folder)
        assert copies(destination, folder) == 1
    assert len(crawl_state(destination, str(folder))["partitions"]) == loads

    def killed(*_: object) -> int:
        raise OSError("killed between load and prune")

    monkeypatch.setattr(runs_pipeline, "prune_state_copies", killed)
    ingest(sim, destination, FIRST + timedelta(days=loads), folder)
    ingest(sim, destination, FIRST + timedelta(days=loads + 1), folder)
    assert copies(destination, folder) == 3
    held = crawl_state(destination, str(folder))
    assert set(held["partitions"]) == {f"{FIRST + timedelta(days=n)}|{METHOD}" for n in range(loads + 2)}
    assert "settled" in {one["status"] for one in held["partitions"].values()}
    monkeypatch.setattr(runs_pipeline, "prune_state_copies", prune_state_copies)

    # A fresh working folder restores the destination's newest state (every date crawled is kept as it
    # was), loads a new date and prunes.
    fresh, new = tmp_path / "fresh", f"{FIRST + timedelta(days=loads + 2)}|{METHOD}"
    ingest(sim, destination, FIRST + timedelta(days=loads + 2), fresh)
    pipeline = make_pipeline(destination, str(fresh), align=False)
    assert not pipeline.first_run
    restored = crawl_state(destination, str(fresh))["partitions"]
    assert set(restored) == {*held["partitions"], new}
    assert {key: one for key, one in restored.items() if key != new} == held["partitions"]
    assert copies(destination, fresh) == 1


def _a_newer_unfinished_copy_is_kept(destination: str, sim: SimulatorServer, folder: Path, other: Path,
                                     days: list[date]) -> None:
    """After loads of ``days[:-1]`` into ``folder``: a newer state copy of an unfinished load is kept by the
    prune, and by the next load's (of ``days[-1]``, from the working folder ``other``) beside its own."""
    pipeline, lake = pipeline_and_lake(destination, str(folder), align=False)
    complete = destination_state(pipeline) if lake is None else completed_state(
        pipeline.pipeline_name, pipeline.dataset_name)
    unfinished = "9999999999.000001"  # a state copy whose load has no `_dlt_loads` row
    if lake is None:
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name(STATE_TABLE)
            client.execute_sql(f"INSERT INTO {table} SELECT version + 1, engine_version, pipeline_name, state, "
                               f"created_at, version_hash || 'x', %s, _dlt_id || 'x' FROM {table}", unfinished)
    else:
        fs, dataset = lake_dataset(checked_lake(), pipeline.dataset_name)
        newest = sorted(fs.glob(f"{dataset}/{STATE_TABLE}/*"))[-1]
        doc = json.loads(fs.cat_file(newest).decode().splitlines()[0])
        doc.update(_dlt_load_id=unfinished, version=doc["version"] + 1)
        name = newest.rsplit("/", 1)[1].split("__")
        name[1] = unfinished
        fs.pipe_file(f"{dataset}/{STATE_TABLE}/{'__'.join(name)}", (json.dumps(doc) + "\n").encode())
    assert prune_state_copies(pipeline, lake) == 0
    assert copies(destination, folder) == 2
    ingest(sim, destination, days[-1], other)
    pipeline, lake = pipeline_and_lake(destination, str(other), align=False)
    # the run's load is complete and older than the unfinished copy: both kept, the one before pruned
    assert copies(destination, other) == 2
    now = destination_state(pipeline) if lake is None else completed_state(
        pipeline.pipeline_name, pipeline.dataset_name)
    assert now is not None and complete is not None
    parts = crawl_view(now["sources"]["ttb_cola"]["resources"]["partitions"])["partitions"]
    assert set(parts) == {f"{day}|{METHOD}" for day in days}
