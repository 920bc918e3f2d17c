"""When a completed date is done: a run ahead of the registry, a day whose total moved after it was
searched, a COLA surrendered later the day it was fetched. Daily runs against the simulator over
loopback HTTP; the registry starts a few days before the window, so every day lists a few hundred
COLAs at most and whole windows are compared with the truth export."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from ingest_helpers import Warehouse, assert_same_records
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.clock import washington_today
from ttb_cola.runs.inputs import run_date
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.truth import write_truth

START = date(2025, 6, 18)  # the simulated registry's first receipt date
FRI, SAT, MON, TUE, WED, THU = (date(2025, 6, d) for d in (20, 21, 23, 24, 25, 26))


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    return Warehouse(tmp_path, monkeypatch)


def daily(warehouse: Warehouse, base_url: str, today: date, lookback: int, *args: str) -> int:
    """``ttb-cola daily --today`` with searches and receipt dates reaching back ``lookback`` days."""
    return main(["daily", "--today", today.isoformat(), "--lookback-days", str(lookback), "--base-url", base_url,
                 "--requests-per-second", "0", "--pipelines-dir", str(warehouse.pipelines), "--quiet", *args])


def truth_export(registry: Registry, first: date, last: date) -> dict[str, dict]:
    """The truth export (ttb_cola_sim.truth) of the receipt dates ``first`` to ``last``, by TTB ID."""
    out = io.StringIO()
    write_truth(registry, first, last, out)
    return {r["ttb_id"]: r for r in map(json.loads, out.getvalue().splitlines())}


def search_rows(warehouse: Warehouse) -> list[tuple[str, date, str, int, int]]:
    """(run, day, status, reported total, requests) of every crawl_searches row, in load order."""
    return warehouse.query("select run_id, completed_date, status, reported_total, requests from "
                           "ttb_cola.crawl_searches order by _dlt_load_id, completed_date")


def test_a_replay_later_than_washingtons_date_is_refused_in_one_line(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    ahead = washington_today() + timedelta(days=1)
    status = main(["daily", "--today", ahead.isoformat(), "--base-url", "http://127.0.0.1:9/colasonline",
                   "--pipelines-dir", str(warehouse.pipelines), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and f"TODAY {ahead} is later than today's date in Washington" in err
    assert not warehouse.db.exists() and not warehouse.pipelines.exists()
    assert run_date(None) == washington_today() and run_date("2025-06-20") == FRI


def test_a_run_ahead_of_the_registry_leaves_the_days_it_has_not_reached_to_later_runs(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", "8")
    with running_simulator(seed=5, as_of=FRI, start=START) as sim:
        # a replay typed five days ahead of the registry (its search form says Friday)
        assert daily(warehouse, sim.base_url, WED, 8) == 0
        ahead = {day: status for _, day, status, _, _ in search_rows(warehouse)}
        assert {day: s for day, s in ahead.items() if day >= FRI} == {
            FRI + timedelta(days=n): "partial" for n in range((WED - FRI).days + 1)
        }
        # then the daily runs on the right dates
        for today in (MON, THU):
            sim.set_as_of(today)
            assert daily(warehouse, sim.base_url, today, 8) == 0
        expected = truth_export(sim.registry, START, WED)
        totals = {d: sum(1 for _ in sim.registry.completed_between(d, d)) for d in (MON, TUE)}
    assert totals[MON] > 100 and totals[TUE] > 100  # the days the run ahead saw empty
    assert_same_records({k: v for k, v in warehouse.colas().items() if k in expected}, expected)
    last = {day: (status, total) for _, day, status, total, _ in search_rows(warehouse)}
    assert last[MON] == ("complete", totals[MON]) and last[TUE] == ("complete", totals[TUE])


def test_a_cola_surrendered_later_the_day_it_was_fetched_ends_surrendered(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", "1")
    with running_simulator(seed=5, as_of=FRI, start=START) as sim:
        assert daily(warehouse, sim.base_url, FRI, 1) == 0  # lists Friday while it is going on
        target = next(sim.registry.completed_between(FRI, FRI))["ttb_id"]
        [(status,)] = warehouse.query(f"select status from colas where ttb_id = '{target}'")
        assert status == "APPROVED"
        sim.registry.change_status(target, "SURRENDERED", FRI)  # later that Friday: listed under Friday still
        sim.set_as_of(SAT)
        assert daily(warehouse, sim.base_url, SAT, 1) == 0
        want = sim.registry.record(target)
    assert want is not None and want["status"] == "SURRENDERED" and want["completed_date"] == FRI.isoformat()
    [(status, completed)] = warehouse.query(f"select status, completed_date from colas where ttb_id = '{target}'")
    assert (status, completed) == ("SURRENDERED", FRI)


def test_complete_days_are_verified_by_range_counts_and_a_moved_day_is_searched_again(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", "8")
    thu_before, fri_next = date(2025, 6, 19), date(2025, 6, 27)
    chunks = ("--chunk-days", "3")  # the lookback's completed dates in ranges of three
    with running_simulator(seed=5, as_of=THU, start=START) as sim:
        assert daily(warehouse, sim.base_url, THU, 8, *chunks) == 0
        # days older than the last three complete ones move: a COLA of the 19th is surrendered today
        # (re-dated: off the 19th, onto today), and the registry now lists a COLA of Monday twice (its
        # reported total grows by one)
        old = next(sim.registry.completed_between(thu_before, thu_before))["ttb_id"]
        sim.registry.change_status(old, "SURRENDERED", fri_next)
        twice = next(sim.registry.completed_between(MON, MON))["ttb_id"]
        sim.set_faults(duplicate_listing_ids=[twice])
        sim.set_as_of(fri_next)
        first_daily = len(search_rows(warehouse))
        assert daily(warehouse, sim.base_url, fri_next, 8, *chunks) == 0
        second_daily = len(search_rows(warehouse))
        # nothing changes: a daily run again costs one count per range of complete days
        assert daily(warehouse, sim.base_url, fri_next, 8, *chunks) == 0
        expected = truth_export(sim.registry, START, THU)
        totals = {d: sum(1 for _ in sim.registry.completed_between(d, d)) + (d == MON)
                  for d in (START + timedelta(days=n) for n in range((fri_next - START).days + 1))}
    colas = warehouse.colas()
    assert_same_records({k: v for k, v in colas.items() if k in expected}, expected)
    assert colas[old]["status"] == "SURRENDERED"
    rows = search_rows(warehouse)
    searched = {day for _, day, status, _, _ in rows[first_daily:second_daily] if status != "verified"}
    assert searched == {thu_before, MON, THU, fri_next}  # the two moved days, yesterday (partial), today
    last = {day: (status, total) for _, day, status, total, _ in rows}
    assert all(total == totals[day] for day, (_, total) in last.items())
    steady = [(day, status, requests) for _, day, status, _, requests in rows[second_daily:]]
    verified = [(day, requests) for day, status, requests in steady if status == "verified"]
    # completed dates 06-19..06-27 in chunks 19-21, 22-24, 25-27: three ranges of complete days, one
    # count-only search each (the search form, then the results page), charged to each range's first day
    assert len(verified) == 8 and sum(r for _, r in verified) == 3 * 2
    assert [(day, status) for day, status, _ in steady if status != "verified"] == [(fri_next, "partial")]
