"""Discovery by completed date (strategy search/both) against the simulator over loopback HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import COMPARED, Warehouse, assert_same_records, truth
from sim_server import running_simulator

from ttb_cola_sim.registry import Registry, truth_record
from ttb_cola_sim.server import SimulatorServer

START = date(2025, 6, 16)  # a Monday: over the export cap (some 150 completions)
TODAY = date(2025, 6, 23)  # a Monday: the window is one week, and TODAY completes many COLAs while it goes on
RECEIPT_DAYS = [START + timedelta(days=n) for n in range((TODAY - START).days)]
#: The simulated registry's first receipt date: three days before the window, so the window lists some
#: 1,500 COLAs (a registry started in 2000 lists thousands more); its CSV export holds at most EXPORT_CAP rows.
REGISTRY_START = START - timedelta(days=3)
EXPORT_CAP = 100


@contextmanager
def simulator(as_of: date, **kwargs: Any) -> Iterator[SimulatorServer]:
    """The simulated registry every test of this module runs against (seed 7), where an older COLA
    (received before the window) is surrendered in the window: a registry this young has no status
    changes of its own yet."""
    with running_simulator(seed=7, as_of=as_of, start=REGISTRY_START, export_cap=EXPORT_CAP, **kwargs) as sim:
        approved_by = START + timedelta(days=3)
        older = next(r for r in sim.registry.completed_between(REGISTRY_START, approved_by, approved_by)
                     if date.fromisoformat(r["receipt_date"]) < START)
        sim.registry.change_status(older["ttb_id"], "SURRENDERED", on=START + timedelta(days=4))
        yield sim


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    return Warehouse(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def window_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The window's ingest (strategy both, as of TODAY) made once per module: its folder, the truths and the
    detail-page requests the simulator served."""
    root = tmp_path_factory.mktemp("window")
    with pytest.MonkeyPatch.context() as monkeypatch, simulator(TODAY) as sim:
        assert ingest_window(Warehouse(root, monkeypatch), sim.base_url, TODAY) == 0
        return {"root": root, "expected": truth(sim.registry, RECEIPT_DAYS, TODAY),
                "listed": completed_truth(sim.registry, START, TODAY, TODAY),
                "detail_requests": sim.requests.get("viewColaDetails.do", 0)}


@pytest.fixture
def windowed(window_run: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    """This test's copy of the module's window ingest (warehouse file and pipeline folder)."""
    for folder in ("data", "pipelines"):
        shutil.copytree(window_run["root"] / folder, tmp_path / folder)
    return Warehouse(tmp_path, monkeypatch)


def completed_truth(registry: Registry, first: date, last: date, as_of: date) -> dict[str, dict]:
    """Every COLA whose status was completed from ``first`` to ``last``, as of ``as_of``, by TTB ID."""
    return {r["ttb_id"]: truth_record(r) for r in registry.completed_between(first, last, as_of)}


def ingest_window(warehouse: Warehouse, base_url: str, today: date, strategy: str = "both") -> int:
    return warehouse.ingest(
        base_url, "--start", START.isoformat(), "--end", (today - timedelta(days=1)).isoformat(),
        "--strategy", strategy, today=today,
    )


def loaded_completed(warehouse: Warehouse) -> dict[str, tuple[str, str]]:
    return {
        ttb_id: (status, completed.isoformat())
        for ttb_id, status, completed in warehouse.query("select ttb_id, status, completed_date from colas")
    }


def test_both_loads_every_public_record_of_the_window_without_probing(
    windowed: Warehouse, window_run: dict[str, Any]
) -> None:
    warehouse = windowed
    expected, listed, detail_requests = (window_run[k] for k in ("expected", "listed", "detail_requests"))
    loaded = warehouse.colas()
    # every COLA received in the window, field for field, and nothing that is not public
    assert_same_records({k: v for k, v in loaded.items() if k in expected}, expected)
    assert loaded.keys() == listed.keys()
    assert expected.keys() <= listed.keys()
    # the list's completed date and codes on every record; status changes of older COLAs too
    assert loaded_completed(warehouse) == {k: (r["status"], r["completed_date"]) for k, r in listed.items()}
    assert {r["status"] for r in listed.values()} >= {"APPROVED", "SURRENDERED"}
    # one detail page and one form per record: no probing at all, no not-found pages
    assert detail_requests == 2 * len(loaded)
    [(probed,)] = warehouse.query("select sum(probed) from ttb_cola.crawl_partitions")
    assert probed == 0
    searches = warehouse.query(
        "select completed_date, status, reported_total, listed, splits from ttb_cola.crawl_searches order by 1"
    )
    assert [s[0] for s in searches] == [START + timedelta(days=n) for n in range((TODAY - START).days + 1)]
    assert [s[1] for s in searches] == ["complete"] * (len(searches) - 1) + ["partial"]
    assert all(total == rows for _, _, total, rows, _ in searches)
    monday = searches[0]
    assert monday[2] > EXPORT_CAP and monday[4] > 0  # over the export cap: split, and still reconciled


def test_next_day_fetches_only_new_and_changed_colas_and_the_pages_fetched_while_yesterday_went_on(
    windowed: Warehouse,
) -> None:
    warehouse = windowed  # the window ingested as of TODAY
    tomorrow = TODAY + timedelta(days=1)
    with simulator(TODAY) as sim:
        before = loaded_completed(warehouse)
        [(first_run_ended,)] = warehouse.query("select max(fetched_at) from ttb_cola.cola_details")
        sim.set_as_of(tomorrow)
        assert ingest_window(warehouse, sim.base_url, tomorrow) == 0
        listed = completed_truth(sim.registry, START, tomorrow, tomorrow)
        expected = truth(sim.registry, [*RECEIPT_DAYS, TODAY], tomorrow)
    after = loaded_completed(warehouse)
    assert after == {k: (r["status"], r["completed_date"]) for k, r in listed.items()}
    changed = {k for k, v in after.items() if before.get(k) != v}
    fetched = {k for (k,) in warehouse.query(
        f"select ttb_id from ttb_cola.cola_details where fetched_at > '{first_run_ended.isoformat()}'")}
    # yesterday was searched again and today is new: what changed is fetched, and the pages fetched while
    # yesterday was still going on (provisional) once more; nothing else
    provisional = {k for k, v in before.items() if v[1] == TODAY.isoformat() and after[k] == v}
    assert provisional and fetched == changed | provisional
    assert changed and changed <= set(completed_truth(sim.registry, TODAY, tomorrow, tomorrow))
    assert expected.keys() <= after.keys()
    [(rows, ids)] = warehouse.query("select count(*), count(distinct ttb_id) from ttb_cola.cola_details")
    assert rows == ids


def test_status_change_is_seen_by_search_and_not_by_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    later = TODAY + timedelta(days=2)
    statuses = {}
    with simulator(TODAY) as sim:
        # a COLA approved in the window (one of the few filed on paper: a small receipt partition to probe) is
        # surrendered the day after TODAY: listed under that day from then on
        target = next(r for r in sim.registry.completed_between(START, TODAY, TODAY)
                      if r["ttb_id"][5:8] != "001" and r["status"] == "APPROVED")
        sim.registry.change_status(target["ttb_id"], "SURRENDERED", on=TODAY + timedelta(days=1))
        receipt, method = target["receipt_date"], target["ttb_id"][5:8]
        for strategy, day in (("search", (TODAY - timedelta(days=1)).isoformat()), ("probe", receipt)):
            warehouse = Warehouse(tmp_path / strategy, monkeypatch)
            monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "form")  # the form states the status: half the pages
            for today in (TODAY, later):
                sim.set_as_of(today)
                args = ("--date", day, "--methods", method, "--strategy", strategy)
                assert warehouse.ingest(sim.base_url, *args, today=today) == 0
            [(statuses[strategy],)] = warehouse.query(
                f"select status from colas where ttb_id = '{target['ttb_id']}'"
            )
        assert sim.registry.record(target["ttb_id"])["status"] == "SURRENDERED"
    assert statuses["search"] == "SURRENDERED"
    assert statuses["probe"] == "APPROVED"  # the probe never refetches a COLA it holds


def test_faults_during_search_lose_nothing_after_one_rerun(warehouse: Warehouse) -> None:
    faults = {"error_rate": 0.05, "reset_rate": 0.01, "truncate_rate": 0.01, "captcha_rate": 0.01,
              "session_timeout_rate": 0.01, "seed": 3}
    today = START + timedelta(days=3)  # Monday (over the export cap: split) to Thursday (partial)
    with simulator(today, faults=faults) as sim:
        first = ingest_window(warehouse, sim.base_url, today)
        if first != 0:
            assert first == 1  # failed days are retried by the next run, never marked complete
            assert ingest_window(warehouse, sim.base_url, today) == 0
        listed = completed_truth(sim.registry, START, today, today)
    loaded = warehouse.colas()
    assert loaded.keys() == listed.keys()
    assert all(loaded[k][f] == listed[k].get(f) for k in listed for f in COMPARED)
    assert {s for (s,) in warehouse.query("select distinct status from ttb_cola.crawl_searches where "
                                           "status != 'failed'")} <= {"complete", "partial", "verified"}


def test_unknown_strategy_is_bad_input(warehouse: Warehouse) -> None:
    with simulator(TODAY) as sim:
        assert warehouse.ingest(sim.base_url, "--date", START.isoformat(), "--strategy", "crawl", today=TODAY) == 2
    assert not warehouse.db.exists()
