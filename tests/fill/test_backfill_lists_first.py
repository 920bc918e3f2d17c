"""`ttb-cola backfill` with pages lists its whole range first (listing only), then fills the pages the
listed COLAs owe, newest completed date first, then covers its receipt dates: against the simulator,
the index equals the registry's truth, every listed COLA gets its form exactly once, no receipt date
is probed, and none is claimed covered while its COLAs still owe pages; a kill -9 during the fill,
then a rerun, loses nothing and fetches nothing committed again."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import Warehouse
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.records import LISTING_ROW_FIELDS
from ttb_cola_sim.registry import truth_record

KILL_AT = Path(__file__).resolve().parents[1] / "reliability" / "kill_at.py"
SEED = 3
SATURDAY = date(2025, 7, 5)  # the simulator completes some 30 COLAs on each weekend day: a small range
TODAY = date(2025, 7, 6)
METHODS = 4
COMPLETED = LISTING_ROW_FIELDS.index("completed_date")


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    warehouse = Warehouse(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "form")
    monkeypatch.setenv("SOURCES__TTB_COLA__WATCHLIST", str(tmp_path / "no-watchlist.csv"))
    return warehouse


def backfill_args(warehouse: Warehouse, base_url: str, *extra: str) -> list[str]:
    return ["backfill", "--start", SATURDAY.isoformat(), "--today", TODAY.isoformat(), "--base-url", base_url,
            "--requests-per-second", "0", "--max-workers", "1", "--pipelines-dir", str(warehouse.pipelines),
            "--quiet", *extra]


def truth(sim: Any) -> dict[str, tuple[Any, ...]]:
    """Every COLA completed SATURDAY..TODAY, its listing fields."""
    return {r["ttb_id"]: tuple(str(truth_record(r).get(f)) for f in LISTING_ROW_FIELDS)
            for r in sim.registry.completed_between(SATURDAY, TODAY, TODAY)}


def listings(warehouse: Warehouse) -> dict[str, tuple[Any, ...]]:
    rows = warehouse.query(f"select {', '.join(LISTING_ROW_FIELDS)} from ttb_cola.cola_listings")
    return {row[0]: tuple(str(v) for v in row) for row in rows}


def fill_order(warehouse: Warehouse) -> list[tuple[date, str]]:
    """(completed date, TTB ID) of the listed COLAs, in the order their forms were fetched."""
    return warehouse.query("select l.completed_date, l.ttb_id from ttb_cola.cola_forms f join ttb_cola.cola_listings l "
                           "using (ttb_id) order by f.fetched_at")


def newest_first(order: list[tuple[date, str]]) -> list[tuple[date, str]]:
    return sorted(order, key=lambda row: (-row[0].toordinal(), [-ord(c) for c in row[1]]))


def forms_requested(sim: Any) -> int:
    return sim.requests.get("viewColaDetails.do", 0)


def covered_partitions(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    return warehouse.query("select distinct receipt_date, receipt_method from ttb_cola.crawl_partitions "
                           "order by 1, 2")


def test_backfill_lists_the_range_then_fills_newest_first_then_covers_without_probing(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        expected = truth(sim)
        assert main(backfill_args(warehouse, sim.base_url)) == 0
        requested = forms_requested(sim)
        assert main(backfill_args(warehouse, sim.base_url)) == 0  # a rerun: nothing owed, nothing fetched
        again = forms_requested(sim) - requested
    assert listings(warehouse) == expected
    assert requested == len(expected) and again == 0  # one form per listed COLA, and no probe at all
    order = fill_order(warehouse)
    assert len(order) == len(expected) and order == newest_first(order)
    # the searches listed only (no page fetched with them): the fill fetched every form
    assert warehouse.query("select sum(fetched) from ttb_cola.crawl_searches") == [(0,)]
    assert len(covered_partitions(warehouse)) == METHODS  # SATURDAY's receipt partitions, covered once filled
    assert warehouse.query("select count(*) from ttb_cola.crawl_partitions where status <> 'open'") == [(0,)]
    capsys.readouterr()
    assert main(["status", "--pipelines-dir", str(warehouse.pipelines)]) == 0
    assert "page backlog: every listed COLA has its pages" in capsys.readouterr().out


def test_kill_9_during_the_fill_then_rerun_loses_nothing_and_claims_no_coverage_before_the_pages(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__FILL_CHUNK_COLAS", "3")
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        expected = truth(sim)
        args = backfill_args(warehouse, sim.base_url)
        # killed as the fifth owed COLA's fetch starts: the range is listed, the first fill chunk committed
        killed = subprocess.run([sys.executable, str(KILL_AT), "ttb_cola.scheduler.work:WorkUnits.fill:before:5",
                                 *args], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        assert listings(warehouse) == expected  # the index is complete before any page is in
        assert len(fill_order(warehouse)) == 3 and forms_requested(sim) == 4
        assert covered_partitions(warehouse) == []
        # an ingest of the receipt date while pages are owed: its COLAs are listed, so nothing is probed,
        # and it is not claimed covered (today's date, partial, is searched again with its pages: all but
        # the three the fill committed, newest first, all completed today)
        on_today = sum(1 for row in expected.values() if row[COMPLETED] == TODAY.isoformat())
        assert warehouse.ingest(sim.base_url, "--date", SATURDAY.isoformat(), "--strategy", "both",
                                today=TODAY) == 0
        assert forms_requested(sim) == 4 + on_today - 3
        assert covered_partitions(warehouse) == []
        assert main(args) == 0  # the rerun fills what SATURDAY owes, then covers it
        assert forms_requested(sim) == 4 + len(expected) - 3
        assert len(covered_partitions(warehouse)) == METHODS
    assert listings(warehouse) == expected
    order = fill_order(warehouse)
    assert sorted(order) == sorted((date.fromisoformat(r[COMPLETED]), i)
                                   for i, r in expected.items())
    [(rows, keys)] = warehouse.query("select count(*), count(distinct ttb_id) from ttb_cola.cola_forms")
    assert rows == keys
