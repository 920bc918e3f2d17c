"""Each warehouse file and each bucket keeps its own crawl state: runs interleaved across destinations
never act on another destination's state (by default each has its own working folder; one folder shared
on purpose is brought to the destination's state before each run), a package left pending for one
file is never loaded into another, and a warehouse restored from a backup crawls again what it lacks."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import fsspec
import pytest
from dlt import Pipeline
from ingest_helpers import Warehouse, assert_same_records, truth
from lake_helpers import lake_colas, read_lake
from moto_server import MotoS3, no_machine_aws_credentials
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.destinations.working_folder import FOLDERS
from ttb_cola.runs.pipeline import crawl_state
from ttb_cola_sim.server import SimulatorServer

D1, D2 = date(2025, 6, 10), date(2025, 6, 11)
AS_OF = date(2025, 6, 21)
METHOD = "002"  # a few COLAs a day: each run is quick


def partition_states(destination: str, pipelines_dir: str | None = None) -> dict[str, Any]:
    """Every partition's crawl state as the destination holds it."""
    return dict(crawl_state(destination, pipelines_dir).get("partitions", {}))


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with running_simulator(seed=7, as_of=AS_OF) as server:
        yield server


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Warehouse, Warehouse]:
    """Two warehouse files A and B (the destination points at A); dlt's home, where the default working
    folders go, inside the test's folder."""
    no_machine_aws_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt-home"))
    b = Warehouse(tmp_path / "b", monkeypatch)
    return Warehouse(tmp_path / "a", monkeypatch), b


def ingest(sim: SimulatorServer, capsys: pytest.CaptureFixture[str], day: date, *args: str,
           stderr: list[str] | None = None) -> str:
    """One `ttb-cola ingest` of ``day`` (one receipt method), exit 0: its summary line (``stderr``: gets
    what it wrote there)."""
    capsys.readouterr()
    status = main(["ingest", "--date", day.isoformat(), "--methods", METHOD, "--today", AS_OF.isoformat(),
                   "--base-url", sim.base_url, "--requests-per-second", "0", "--max-workers", "4", "--quiet", *args])
    out, err = capsys.readouterr()
    assert status == 0, out + err
    if stderr is not None:
        stderr.append(err)
    return out.strip().splitlines()[-1]


def on_file(monkeypatch: pytest.MonkeyPatch, warehouse: Warehouse) -> None:
    """Point the duckdb destination at ``warehouse``'s file, as a user does to keep another file."""
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(warehouse.db))


def probed(summary: str) -> tuple[int, int]:
    """(partitions probed, skipped) of a run's summary line."""
    match = re.search(r"(\d+) partitions probed, .*?(\d+) skipped", summary)
    assert match, summary
    return int(match[1]), int(match[2])


def expected(sim: SimulatorServer, *days: date) -> dict[str, dict]:
    return {k: r for k, r in truth(sim.registry, days, AS_OF).items() if k[5:8] == METHOD}


def keys(*days: date) -> set[str]:
    return {f"{day}|{METHOD}" for day in days}


@pytest.mark.parametrize("folder", ["default", "shared"])
def test_interleaved_runs_on_two_files_and_a_bucket_each_keep_their_own_state(
    folder: str, s3: MotoS3, sim: SimulatorServer, files: tuple[Warehouse, Warehouse],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    a, b = files
    lake = s3.new_bucket()
    for name, value in lake.env(f"{lake.bucket_url}/lake").items():
        monkeypatch.setenv(name, value)
    shared = tmp_path / "shared"
    where = ("--pipelines-dir", str(shared)) if folder == "shared" else ()
    lake_run = ("--destination", "filesystem", *where)

    # More runs on A than on B: A's local state has the higher version, which dlt alone would keep.
    assert probed(ingest(sim, capsys, D1, *where)) == (1, 0)
    assert probed(ingest(sim, capsys, D2, *where)) == (1, 0)
    on_file(monkeypatch, b)  # a fresh file
    assert probed(ingest(sim, capsys, D2, *where)) == (1, 0)
    assert probed(ingest(sim, capsys, D2, *lake_run)) == (1, 0)
    on_file(monkeypatch, a)
    assert probed(ingest(sim, capsys, D1, *where)) == (0, 1)  # A's own state: D1 is settled there
    on_file(monkeypatch, b)
    assert probed(ingest(sim, capsys, D1, *where)) == (1, 0)  # B never had D1: crawled, not skipped on A's word

    pipelines_dir = str(shared) if where else None
    for warehouse in (a, b):
        on_file(monkeypatch, warehouse)
        assert set(partition_states("duckdb", pipelines_dir)) == keys(D1, D2), warehouse.db
        assert_same_records(warehouse.colas(), expected(sim, D1, D2))
    assert set(partition_states("filesystem", pipelines_dir)) == keys(D2)
    with read_lake(fsspec.filesystem("s3", **lake.storage_options()), f"{lake.bucket}/lake") as con:
        assert_same_records(lake_colas(con), expected(sim, D2))
    home = tmp_path / "dlt-home" / "pipelines"
    if folder == "default":  # one working folder per destination, none the name-keyed one of before
        assert sorted(p.name.split("-")[0] for p in (home / FOLDERS).iterdir()) == ["duckdb", "duckdb", "s3"]
    assert not (home / "ttb_cola").exists() and not (home / "ttb_cola_lake").exists()


class Killed(BaseException):
    """A run stopped between its normalize and load steps, as by a kill."""


def test_a_package_left_pending_for_one_file_is_never_loaded_into_another(
    sim: SimulatorServer, files: tuple[Warehouse, Warehouse], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    a, b = files
    where = ("--pipelines-dir", str(tmp_path / "shared"))
    assert probed(ingest(sim, capsys, D1, *where)) == (1, 0)

    def killed(*args: object, **kwargs: object) -> None:
        raise Killed

    with monkeypatch.context() as patch, pytest.raises(Killed):
        patch.setattr(Pipeline, "load", killed)
        ingest(sim, capsys, D2, *where)  # A's D2 package is left normalized, not loaded
    on_file(monkeypatch, b)
    err: list[str] = []
    assert probed(ingest(sim, capsys, D1, *where, stderr=err)) == (1, 0)
    assert "moved aside" in err[0], err
    assert len(list((tmp_path / "shared").glob("ttb_cola.set-aside-*/load/normalized/*"))) == 1  # kept
    assert set(partition_states("duckdb")) == keys(D1)
    assert_same_records(b.colas(), expected(sim, D1))  # none of A's D2 COLAs

    on_file(monkeypatch, a)
    assert set(partition_states("duckdb")) == keys(D1)
    assert probed(ingest(sim, capsys, D2, *where)) == (1, 0)  # D2 is crawled again for A
    assert_same_records(a.colas(), expected(sim, D1, D2))


def test_a_warehouse_takes_its_state_from_the_file_after_the_shared_default_folder_a_backup_or_a_delete(
    sim: SimulatorServer, files: tuple[Warehouse, Warehouse], capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    a, _ = files
    before = tmp_path / "dlt-home" / "pipelines"  # the folder every warehouse used before: <dlt home>/ttb_cola
    assert probed(ingest(sim, capsys, D1, "--pipelines-dir", str(before))) == (1, 0)
    assert probed(ingest(sim, capsys, D1)) == (0, 1)  # its own folder, the state restored from the file
    backup = tmp_path / "backup.duckdb"
    shutil.copy(a.db, backup)
    assert probed(ingest(sim, capsys, D2)) == (1, 0)
    assert_same_records(a.colas(), expected(sim, D1, D2))
    assert len(list((before / FOLDERS).iterdir())) == 1

    shutil.copy(backup, a.db)  # the file as it was before D2: its working folder is one run ahead of it
    assert set(partition_states("duckdb")) == keys(D1)
    assert probed(ingest(sim, capsys, D2)) == (1, 0)  # crawled again, not skipped on the folder's word
    assert_same_records(a.colas(), expected(sim, D1, D2))
    assert set(partition_states("duckdb")) == keys(D1, D2)

    a.db.unlink()  # starting over: a new file at the same path
    assert probed(ingest(sim, capsys, D2)) == (1, 0)
    assert_same_records(a.colas(), expected(sim, D2))
    assert set(partition_states("duckdb")) == keys(D2)
