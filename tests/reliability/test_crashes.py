"""`ttb-cola ingest` killed by SIGKILL in extract, normalize or load, then rerun: the data equal the truth.

Each trial is seeded: the phase to hit and the delay into it come from ``random.Random(seed)``. The
phase is recognised from dlt's working folders (``normalize/<schema>/<load>`` while extracting,
``normalize/extracted/<load>`` once normalizing, ``load/normalized/<load>`` once loading), so every
phase gets hit regardless of machine speed. The simulator runs in this process, with a delay on every
answer so that a small day's crawl still lasts seconds (waiting, not computing); the killed ingest runs as
a separate process, like production (forked from one that has already imported the pipeline:
``forked_runs.py``), and the rerun in this process (the same command line and environment, without a new
interpreter's start-up).
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from crash_helpers import expire_lease, lake_colas, moto_or_skip, rerun_colas
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

DAY = date(2025, 6, 14)  # a Saturday: 47 public records twelve days on, about 300 requests
AS_OF = date(2025, 6, 26)
#: The simulator's delay on every answer: with 4 workers, DAY's extract lasts about 3 s even on an idle machine.
LATENCY_MS = 40
PHASES = ("extract", "normalize", "load")
# The folder whose appearance means the phase has started (relative to the pipeline's working dir).
PHASE_MARKERS = {"extract": "normalize/*/*", "normalize": "normalize/extracted/*", "load": "load/normalized/*"}
# Seconds into the phase to kill at, at most (normalize and load last well under a second here).
PHASE_SPANS = {"extract": 1.5, "normalize": 0.2, "load": 0.4}


class Trial:
    """One seeded crash trial: run, kill inside a phase, rerun."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.seed = seed
        self.phase = PHASES[seed % len(PHASES)]
        self.delay = rng.uniform(0.0, PHASE_SPANS[self.phase])

    def _phase_started(self, pipelines: Path) -> bool:
        """Whether the phase's folder exists; a folder dlt renames or wipes while it is listed counts as not yet."""
        try:
            return any(path.is_dir() for path in pipelines.glob(f"*/{PHASE_MARKERS[self.phase]}"))
        except FileNotFoundError:  # pathlib's glob (3.11) lets a folder that vanished mid-listing raise
            return False

    def crash(self, forks: ForkServer, cmd: list[str], env: dict[str, str], pipelines: Path,
              scale: float = 1.0) -> bool:
        """Start the ingest, kill it ``delay * scale`` s after the phase began; False if it ended first."""
        process = forks.start(cmd[1:], env, stderr=Path(os.devnull))
        try:
            deadline = time.monotonic() + 120
            while process.poll() is None and time.monotonic() < deadline:
                if self._phase_started(pipelines):
                    break
                time.sleep(0.005)
            time.sleep(self.delay * scale)
            if process.poll() is not None:
                return False
            process.send_signal(signal.SIGKILL)
            return process.wait(timeout=30) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


def _run_trials(destination: str, seeds: list[int], tmp_path: Path, tally: Counter[str],
                monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    running_moto = moto_or_skip() if destination == "bucket" else None
    with fork_server() as forks, running_simulator(seed=3, as_of=AS_OF, faults={"latency_ms": LATENCY_MS}) as sim:
        expected = method_truth(sim.registry, days(DAY, DAY), AS_OF)
        assert len(expected) > 40
        for seed in seeds:
            trial = Trial(seed)
            for attempt in range(4):  # if the run ended before the kill, try again sooner into the phase
                workdir = tmp_path / f"seed{seed}-{attempt}"
                with ExitStack() as stack:
                    cmd = ingest_command(workdir, sim.base_url, DAY, DAY, AS_OF)
                    env = subprocess_env(workdir)
                    s3 = None
                    if running_moto is not None:
                        s3 = stack.enter_context(running_moto())
                        env.update(s3.env())
                        cmd.extend(["--destination", "filesystem"])
                    if not trial.crash(forks, cmd, env, workdir / "pipelines", scale=0.5**attempt):
                        tally[f"crash_trials_ended_before_the_kill_{destination}"] += 1
                        continue
                    if s3 is not None:
                        # what the killed run left is readable as it is: committed versions, one row per ID
                        partial, extra = lake_colas(s3)
                        assert extra == 0 and partial.keys() <= expected.keys(), f"seed {seed} ({trial.phase})"
                        expire_lease(s3)
                    status, err = ingest_in_process(cmd, env, capfd)
                    assert status == 0, f"seed {seed} ({trial.phase}): {err[-2000:]}"
                    assert "Traceback" not in err
                    loaded, dupes = rerun_colas(workdir, s3, monkeypatch)
                tally["records_lost"] += len(expected.keys() - loaded.keys())
                assert_same_records(loaded, expected)
                assert dupes == 0
                tally[f"crash_trials_survived_{destination}"] += 1
                tally[f"crash_trials_{destination}_{trial.phase}"] += 1
                break
            else:
                pytest.fail(f"seed {seed}: the ingest always finished before the kill in {trial.phase}")


@pytest.mark.parametrize("destination", ["duckdb", "bucket"])
def test_sigkill_then_rerun_equals_the_truth(
    destination: str, tmp_path: Path, tally: Counter[str], monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Three seeded trials per destination: one killed in each phase (extract, normalize, load)."""
    _run_trials(destination, list(range(len(PHASES))), tmp_path, tally, monkeypatch, capfd)


@pytest.mark.soak
@pytest.mark.parametrize("destination", ["duckdb", "bucket"])
def test_soak_sigkill_many_trials(
    destination: str, tmp_path: Path, tally: Counter[str], monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Thirty-two more seeded trials per destination (the two the default suite once ran among them)."""
    _run_trials(destination, [3, 4, *range(100, 130)], tmp_path, tally, monkeypatch, capfd)
