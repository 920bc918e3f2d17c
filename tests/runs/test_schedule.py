"""Scheduled operation: daily window, resumable backfill, one run at a time, status, failed retries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from ingest_helpers import Warehouse, assert_same_records, truth
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.destinations.lock import file_lock
from ttb_cola.runs.schedule import chunks, daily_window

TODAY = date(2025, 6, 26)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    return Warehouse(tmp_path, monkeypatch)


def run(warehouse: Warehouse, base_url: str, *args: str, today: date) -> int:
    return main([*args, "--today", today.isoformat(), "--base-url", base_url, "--requests-per-second", "0",
                 "--pipelines-dir", str(warehouse.pipelines), "--quiet"])


def test_chunks_cover_the_range_without_overlap() -> None:
    got = list(chunks(date(2025, 1, 1), date(2025, 1, 10), 4))
    assert got == [(date(2025, 1, 1), date(2025, 1, 4)), (date(2025, 1, 5), date(2025, 1, 8)),
                   (date(2025, 1, 9), date(2025, 1, 10))]
    assert list(chunks(date(2025, 1, 1), date(2025, 1, 1), 7)) == [(date(2025, 1, 1), date(2025, 1, 1))]
    assert daily_window(date(2025, 3, 3), 45) == (date(2025, 1, 17), date(2025, 3, 2))


@pytest.mark.parametrize("strategy", ["probe", "both"])
def test_daily_run_after_the_clock_moves_loads_exactly_the_newly_public_records(
    warehouse: Warehouse, strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookback = 3
    # the daily run's receipt dates reach back settle_days, its searches lookback_days
    monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", str(lookback))
    args = ("--lookback-days", str(lookback), "--strategy", strategy)

    def window(colas: dict, days: list[date]) -> dict:
        # search also loads what was completed in the window for older receipt dates: not compared here
        return {k: v for k, v in colas.items() if date.fromisoformat(v["receipt_date"]) in days}

    # the registry starts three days before the first receipt date: its search lists the window's COLAs and
    # few older ones (a registry started in 2000 lists thousands completed in the window)
    registry_start = daily_window(TODAY, lookback)[0] - timedelta(days=3)
    with running_simulator(seed=3, as_of=TODAY, start=registry_start) as sim:
        assert run(warehouse, sim.base_url, "daily", *args, today=TODAY) == 0
        first, last = daily_window(TODAY, lookback)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        before = window(warehouse.colas(), days)
        assert_same_records(before, truth(sim.registry, days, TODAY))

        tomorrow = TODAY + timedelta(days=1)
        sim.set_as_of(tomorrow)
        assert run(warehouse, sim.base_url, "daily", *args, today=tomorrow) == 0
        first, last = daily_window(tomorrow, lookback)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        public_now = truth(sim.registry, days, tomorrow)
    after = window(warehouse.colas(), days)
    new = set(after) - set(before)
    assert new == set(public_now) - set(before)
    assert new, "nothing became public overnight: the test would prove nothing"
    assert_same_records({k: after[k] for k in new}, {k: public_now[k] for k in new})


def test_a_second_run_on_the_same_destination_refuses_naming_the_holder(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = warehouse.db.with_name(warehouse.db.name + ".lock")
    with running_simulator(seed=3, as_of=TODAY) as sim:
        with file_lock(lock, "ttb-cola backfill"):
            status = run(warehouse, sim.base_url, "ingest", "--date", "2025-06-20", today=TODAY)
            err = capsys.readouterr().err
            assert status == 6  # EXIT_HELD, as for a warehouse file another process holds
            assert "another run holds" in err and "ttb-cola backfill" in err and f"pid {os.getpid()}" in err
            assert not warehouse.db.exists()
        # The holder is gone (its lock released, its file left behind): the next run proceeds.
        assert lock.exists()
        assert run(warehouse, sim.base_url, "ingest", "--date", "2025-06-20", "--methods", "002", today=TODAY) == 0


def test_a_failed_partition_is_reported_and_retried_by_the_next_run(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__MAX_ATTEMPTS", "2")
    day = date(2025, 6, 20)
    with running_simulator(seed=3, as_of=TODAY) as sim:
        assert run(warehouse, sim.base_url, "ingest", "--date", day.isoformat(), "--methods", "002,003",
                   today=TODAY) == 0
        # the preflight passes, then every request fails, the search page a failing COLA page is checked on too
        # (an outage: with that page served, its COLAs would be parked until the breaker stops the run); the
        # breaker is set past the failures in flight, so the partitions fail on their own (exit 1, not 3)
        sim.set_faults(block_from=2, block_kind="server_error")
        monkeypatch.setenv("SOURCES__TTB_COLA__BLOCK_THRESHOLD", "1000")
        assert run(warehouse, sim.base_url, "ingest", "--date", day.isoformat(), "--methods", "002,003",
                   today=TODAY + timedelta(days=1)) == 1
        capsys.readouterr()
        assert main(["status", "--pipelines-dir", str(warehouse.pipelines)]) == 1
        out, err = capsys.readouterr()
        assert "2025-06" in out and "failed partitions" in err and f"{day}|002" in err
        sim.set_faults(None)
        assert run(warehouse, sim.base_url, "ingest", "--date", day.isoformat(), "--methods", "002,003",
                   today=TODAY + timedelta(days=1)) == 0
        assert main(["status", "--pipelines-dir", str(warehouse.pipelines)]) == 0
        expected = {k: v for k, v in truth(sim.registry, [day], TODAY + timedelta(days=1)).items()
                    if k[5:8] in ("002", "003")}
    assert_same_records(warehouse.colas(), expected)


def _backfill_cmd(warehouse: Warehouse, base_url: str, start: date, end: date) -> list[str]:
    return [sys.executable, "-m", "ttb_cola.cli", "backfill", "--start", start.isoformat(), "--end", end.isoformat(),
            "--chunk-days", "2", "--methods", "001,002", "--today", TODAY.isoformat(), "--base-url", base_url,
            "--requests-per-second", "0", "--pipelines-dir", str(warehouse.pipelines), "--strategy", "probe"]


def test_a_killed_backfill_resumed_equals_an_uninterrupted_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fri..Mon in chunks of two days: the first chunk (Fri, Sat) is committed, the run is killed inside the
    # second (Sun, Mon; Monday's e-filed partition keeps it busy), and the resumed run finishes that chunk
    start, end = date(2025, 5, 9), date(2025, 5, 12)
    killed = Warehouse(tmp_path / "killed", monkeypatch)
    with running_simulator(seed=3, as_of=TODAY) as sim:
        env = dict(os.environ, DESTINATION__DUCKDB__CREDENTIALS=str(killed.db))
        process = subprocess.Popen(_backfill_cmd(killed, sim.base_url, start, end), cwd=REPO, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        for line in process.stderr:  # the first chunk is committed: kill the run inside the second
            if "backfill receipt dates 2025-05-09..2025-05-10 done" in line:
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL
        partial = killed.colas()
        assert main(_backfill_cmd(killed, sim.base_url, start, end)[3:]) == 0  # resumed in this process
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        expected = {k: v for k, v in truth(sim.registry, days, TODAY).items() if k[5:8] in ("001", "002")}
    assert 0 < len(partial) < len(expected)
    # what an uninterrupted backfill loads: every public record of the range, each compared field equal
    assert_same_records(killed.colas(), expected)
    assert killed.query("select count(*) - count(distinct ttb_id) from ttb_cola.cola_details") == [(0,)]
