"""A SIGKILL at an exact moment of dlt's steps, then a rerun: exit 0, no traceback, nothing lost.

``test_crashes.py`` kills after a random delay into a phase; these trials kill at the moments a delay
rarely hits, with a hook armed inside dlt (``kill_at.py``): mid-extract, between extract and normalize,
with the normalized package written but not committed, between normalize's commit and the deletion of
the extracted copy (and in the middle of that deletion), mid-load, with ``_dlt_loads`` written but the
package not archived, and around the local state write. A kill between normalize's commit and the
deletion used to leave the package in both folders, and every later run failed (see
``ttb_cola.runs.recovery``).

Each trial first loads another day, so the destination exists (dlt wipes the working folder of a
pipeline whose destination was never created, which would hide what the kill left behind). That first
load is made once per module and destination, and each trial starts from a copy of its folders (and, on
the bucket, of the bucket's objects, put back into the same bucket). The simulator runs in this
process, the killed ingest as a separate process, like production (forked from one that has already
imported the pipeline: ``forked_runs.py``); the first load and the rerun run in this process (the same
command line and environment, without a new interpreter's start-up).
"""

from __future__ import annotations

import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from crash_helpers import expire_lease, moto_or_skip, rerun_colas
from forked_runs import ForkServer, fork_server
from ingest_helpers import assert_same_records
from reliability_helpers import (
    days,
    ingest_command,
    ingest_in_process,
    method_truth,
    subprocess_env,
)
from sim_server import running_simulator

#: The runs crawl one small receipt partition a day (mailed-in applications: four public COLAs each, about
#: 50 requests and 50 to 70 rows written): every dlt moment below comes in a run of that size as in a larger one.
METHODS = ("002",)
PRIOR_DAY = date(2025, 6, 11)  # the load that creates the destination
DAY = date(2025, 6, 12)  # the killed run's day
OTHER_DAY = date(2025, 6, 20)  # the day a run after the kill asks for
AS_OF = date(2025, 6, 26)
RUN_METHODS = ("--methods", ",".join(METHODS))

_STATE = "dlt.pipeline.pipeline:Pipeline._save_state"
_EXTRACT_COMMIT = "dlt.extract.storage:ExtractStorage.commit_new_load_package"
_NORMALIZE_COMMIT = "dlt.common.storages.load_storage:LoadStorage.commit_new_load_package"
_EXTRACTED_DELETE = "dlt.common.storages.load_package:PackageStorage.delete_package:during:1:normalize/extracted"
_LOAD_ARCHIVE = "dlt.common.storages.load_storage:LoadStorage.complete_load_package"
#: Moments to kill at, each with its hooks (see kill_at.py); the first of each runs in the default suite.
MOMENTS: dict[str, list[str]] = {
    "extract": [f"dlt.common.data_writers.buffered:BufferedDataWriter.write_data_item:before:{n}"
                for n in (40, 5, 20, 48)],
    "between_extract_and_normalize": [f"{_EXTRACT_COMMIT}:after:1", f"{_EXTRACT_COMMIT}:before:1"],
    "normalize": [f"{_NORMALIZE_COMMIT}:before:1", "dlt.normalize.normalize:Normalize.spool_schema_files:before:1"],
    "normalize_commit": [f"{_EXTRACTED_DELETE}:3", f"{_NORMALIZE_COMMIT}:after:1",
                         *(f"{_EXTRACTED_DELETE}:{k}" for k in (0, 1, 6, 10, 14, 17, 20))],
    "load": ["dlt.load.load:Load.complete_jobs:after:2", "dlt.load.load:Load.start_new_jobs:after:1",
             "dlt.load.load:Load.complete_jobs:after:1", "dlt.load.load:Load.complete_jobs:after:3"],
    "load_commit": [f"{_LOAD_ARCHIVE}:before:1", f"{_LOAD_ARCHIVE}:after:1"],
    # the run's first state save is its extract's (the crawl state it commits with the package)
    "state": [f"{_STATE}:after:1", f"{_STATE}:before:1"],
}
#: Each names its module fixture ``prior_<destination>``.
DESTINATIONS = ("duckdb", "bucket")


#: The folders of a subprocess ingest's working directory (see ``subprocess_env`` and ``ingest_command``).
WORKDIR_FOLDERS = ("data", "dlt", "pipelines")


@dataclass(frozen=True)
class Prior:
    """The destination after the subprocess ingest of PRIOR_DAY: the working directory of that ingest
    and, on the bucket, the bucket (which each trial reuses) and a copy of its objects."""

    workdir: Path
    s3: Any = None
    saved: Any = None


def _prior_load(workdir: Path, env: dict[str, str], *extra: str) -> None:
    with running_simulator(seed=3, as_of=AS_OF) as sim:
        status, _ = ingest_in_process(
            ingest_command(workdir, sim.base_url, PRIOR_DAY, PRIOR_DAY, AS_OF, *RUN_METHODS, *extra), env)
    assert status == 0


@pytest.fixture(scope="module")
def prior_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Prior:
    """The DuckDB destination after the ingest of PRIOR_DAY, made once per module."""
    workdir = tmp_path_factory.mktemp("prior")
    _prior_load(workdir, subprocess_env(workdir))
    return Prior(workdir)


@pytest.fixture(scope="module")
def prior_bucket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prior]:
    """The bucket destination after the ingest of PRIOR_DAY, made once per module: its objects are
    saved in another bucket of the same server, and each trial puts them back."""
    running_moto = moto_or_skip()
    workdir = tmp_path_factory.mktemp("prior-bucket")
    with running_moto() as s3:
        _prior_load(workdir, {**subprocess_env(workdir), **s3.env()}, "--destination", "filesystem")
        saved = s3.new_bucket()
        _copy_objects(s3, s3.bucket, saved.bucket)
        yield Prior(workdir, s3, saved)


@pytest.fixture(scope="module")
def forks() -> Iterator[ForkServer]:
    """The module's forking process: each killed run starts with the pipeline imported."""
    with fork_server() as server:
        yield server


def _copy_objects(s3: Any, source: str, target: str) -> None:
    """Every object of bucket ``source`` copied into bucket ``target`` (emptied first)."""
    client = s3.client()
    for key in [obj["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=target)
                for obj in page.get("Contents", [])]:
        client.delete_object(Bucket=target, Key=key)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=source):
        for obj in page.get("Contents", []):
            client.copy_object(Bucket=target, Key=obj["Key"], CopySource={"Bucket": source, "Key": obj["Key"]})


def _trial(destination: str, moment: str, hook: str, tmp_path: Path, tally: Counter[str],
           monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, rerun_day: date = DAY) -> None:
    """Start from the destination after the load of PRIOR_DAY (a copy of what the module's fixture made
    once), kill the ingest of DAY at ``hook``, then ingest ``rerun_day`` and compare with the truth (DAY's
    records count as committed when the rerun is of another day: the hook came after)."""
    prior: Prior = request.getfixturevalue(f"prior_{destination}")
    capfd: pytest.CaptureFixture[str] = request.getfixturevalue("capfd")
    with running_simulator(seed=3, as_of=AS_OF) as sim:
        expected = method_truth(sim.registry, [*days(PRIOR_DAY, DAY), rerun_day], AS_OF, METHODS)
        env = subprocess_env(tmp_path)
        extra: list[str] = [*RUN_METHODS]
        s3 = prior.s3
        if s3 is not None:
            _copy_objects(s3, prior.saved.bucket, s3.bucket)
            env.update(s3.env())
            extra += ["--destination", "filesystem"]
        for folder in WORKDIR_FOLDERS:
            if (prior.workdir / folder).exists():
                shutil.copytree(prior.workdir / folder, tmp_path / folder)
        cmd = ingest_command(tmp_path, sim.base_url, DAY, DAY, AS_OF, *extra)
        forks: ForkServer = request.getfixturevalue("forks")
        killed = forks.start(cmd[1:], env, stderr=tmp_path / "killed.stderr", hook=hook)
        try:
            killed.wait(timeout=300)
        finally:
            if killed.poll() is None:
                killed.kill()
                killed.wait(timeout=30)
        stderr = (tmp_path / "killed.stderr").read_text()
        assert killed.returncode == -signal.SIGKILL, f"{hook} never reached: {stderr[-2000:]}"
        if s3 is not None:
            expire_lease(s3)
        status, err = ingest_in_process(ingest_command(tmp_path, sim.base_url, rerun_day, rerun_day, AS_OF, *extra),
                                        env, capfd)
        assert status == 0, f"{moment} ({hook}): {err[-2000:]}"
        assert "Traceback" not in err
        loaded, dupes = rerun_colas(tmp_path, s3, monkeypatch)
    tally["records_lost"] += len(expected.keys() - loaded.keys())
    assert_same_records(loaded, expected)
    assert dupes == 0
    tally[f"crash_moment_trials_{destination}_{moment}"] += 1


@pytest.mark.parametrize("destination", DESTINATIONS)
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigkill_at_a_moment_then_rerun_loads_everything(
    destination: str, moment: str, tmp_path: Path, tally: Counter[str], monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """One kill per moment and destination; the rerun exits 0 without a traceback and loses nothing."""
    _trial(destination, moment, MOMENTS[moment][0], tmp_path, tally, monkeypatch, request)


@pytest.mark.parametrize("moment", ["between_extract_and_normalize", "normalize_commit"])
def test_a_run_after_a_kill_loads_the_committed_package_and_crawls_its_own_day(
    moment: str, tmp_path: Path, tally: Counter[str], monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """dlt's ``run`` with a pending package loads it and returns without extracting: the next run of
    another day must still crawl that day (and load the killed run's committed package)."""
    _trial("duckdb", moment, MOMENTS[moment][0], tmp_path, tally, monkeypatch, request, rerun_day=OTHER_DAY)


@pytest.mark.soak
@pytest.mark.parametrize("destination", DESTINATIONS)
@pytest.mark.parametrize(("moment", "hook"), [(m, h) for m, hooks in MOMENTS.items() for h in hooks])
@pytest.mark.parametrize("repeat", range(2))
def test_soak_sigkill_at_every_hook(
    destination: str, moment: str, hook: str, repeat: int, tmp_path: Path, tally: Counter[str],
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    """Every hook of every moment, twice per destination."""
    _trial(destination, moment, hook, tmp_path, tally, monkeypatch, request)
