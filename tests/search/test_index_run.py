"""An index run (``pages = none``): every completed date listed into ``cola_listings`` by ranges, no page
fetched, every date reconciled with the registry's total. Realistic volumes on the simulator (nothing
completed on weekends, hundreds a weekday, days over the export cap) after two empty months, with
export caps of 500 and 1,000; a kill -9 midway, then a rerun."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import dlt
import pytest
from ingest_helpers import Warehouse

import ttb_cola.source
from ttb_cola.cli import main
from ttb_cola.destinations.warehouse import PIPELINE_NAME
from ttb_cola.records import LISTING_ROW_FIELDS
from ttb_cola.search.cap import ExportCap
from ttb_cola.search.client import Searcher
from ttb_cola.search.result import SearchIncomplete
from ttb_cola.search.split_plan import Density
from ttb_cola_sim.registry import Registry, truth_record
from ttb_cola_sim.server import SimulatorServer

FIRST = date(2025, 4, 1)  # two empty months: the simulated registry's first listing is in June
REGISTRY_START = date(2025, 6, 2)
TODAY = date(2025, 6, 16)  # two weeks of listings, days over the export cap of 500 among them
SEARCH_KINDS = {"publicSearchColasBasic.do", "publicSearchColasBasicProcess.do", "publicSaveSearchResultsToFile.do",
                "publicPageBasicCola.do"}
REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
KILL_AT = REPO / "tests" / "reliability" / "kill_at.py"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    return Warehouse(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(seed=1, as_of=TODAY, start=REGISTRY_START, business_days=True)


def index_args(warehouse: Warehouse, base_url: str, *extra: str) -> list[str]:
    return ["backfill", "--start", FIRST.isoformat(), "--pages", "none", "--chunk-days", "30", "--today",
            TODAY.isoformat(), "--base-url", base_url, "--requests-per-second", "0", "--pipelines-dir",
            str(warehouse.pipelines), "--quiet", *extra]


def listing_truth(registry: Registry) -> dict[str, dict]:
    """The search's truth: every COLA completed FIRST..TODAY, its listing fields."""
    return {r["ttb_id"]: {f: truth_record(r).get(f) for f in LISTING_ROW_FIELDS}
            for r in registry.completed_between(FIRST, TODAY, TODAY)}


def loaded_listings(warehouse: Warehouse) -> dict[str, dict]:
    rows = warehouse.query(f"select {', '.join(LISTING_ROW_FIELDS)} from ttb_cola.cola_listings")
    out = {}
    for row in rows:
        record = dict(zip(LISTING_ROW_FIELDS, row, strict=True))
        record["completed_date"] = record["completed_date"].isoformat()
        out[record["ttb_id"]] = record
    return out


def resource_state(warehouse: Warehouse) -> dict:
    pipeline = dlt.attach(pipeline_name=PIPELINE_NAME, pipelines_dir=str(warehouse.pipelines))
    return pipeline.state["sources"]["ttb_cola"]["resources"]["partitions"]


def assert_every_date_complete(warehouse: Warehouse, expected: dict[str, dict]) -> None:
    """One complete row per date FIRST..yesterday with the registry's total (today: partial)."""
    per_day = Counter(r["completed_date"] for r in expected.values())
    rows = warehouse.query("select completed_date, status, reported_total, listed from ttb_cola.crawl_searches "
                           "where status <> 'verified' order by completed_date, _dlt_load_id")
    latest = {day: (status, total, listed) for day, status, total, listed in rows}
    days = [FIRST + timedelta(days=n) for n in range((TODAY - FIRST).days + 1)]
    assert sorted(latest) == days
    for day in days:
        want = ("partial" if day == TODAY else "complete", per_day[day.isoformat()], per_day[day.isoformat()])
        assert latest[day] == want, day


@pytest.mark.parametrize("cap", [500, 1000])
def test_an_index_run_lists_every_completed_date_exactly_and_fetches_no_page(
    warehouse: Warehouse, registry: Registry, cap: int, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    restored: list[dict | None] = []

    class SpiedCap(ExportCap):
        def __init__(self, prior: int, state: dict | None = None) -> None:
            restored.append(None if state is None else dict(state))
            super().__init__(prior, state)

    densities: list[dict | None] = []

    class SpiedDensity(Density):
        def __init__(self, state: dict | None = None) -> None:
            densities.append(None if state is None else dict(state))
            super().__init__(state)

    monkeypatch.setattr(ttb_cola.source, "ExportCap", SpiedCap)
    monkeypatch.setattr(ttb_cola.source, "Density", SpiedDensity)
    expected = listing_truth(registry)
    assert max(Counter(r["completed_date"] for r in expected.values()).values()) > 500  # days over the cap
    with SimulatorServer(registry, export_cap=cap) as sim:
        assert main(index_args(warehouse, sim.base_url)) == 0
        first_run = dict(sim.requests)
        learned = dict(resource_state(warehouse)["export_cap"])
        seen = dict(resource_state(warehouse)["search_density"])
        # searched again, starting from the cap the first run learned and stored
        assert main(index_args(warehouse, sim.base_url, "--reprobe")) == 0
        second_run = {k: v - first_run.get(k, 0) for k, v in sim.requests.items()}
    assert set(first_run) <= SEARCH_KINDS  # no detail page, form or image requested
    assert loaded_listings(warehouse) == expected
    assert_every_date_complete(warehouse, expected)
    # the empty months and weekends cost next to nothing: far fewer searches than dates
    assert first_run["publicSearchColasBasicProcess.do"] < (TODAY - FIRST).days / 2
    state = resource_state(warehouse)
    assert state["partitions"] == {}  # no receipt partition claims pages it does not hold
    assert warehouse.query("select count(*) from ttb_cola.crawl_partitions") == [(0,)]
    assert restored[0] is None and learned in restored[1:]  # the second run's chunks start from it
    # and from where the first run's searches found completions: every weekday, never a weekend day
    assert densities[0] is None and seen in densities[1:]
    assert all(rows > 0 for rows in seen["weekday_rows"][:5]) and seen["weekday_rows"][5:] == [0, 0]
    assert Density(seen).code_weights(0, 999) is not None
    if cap == 500:
        assert learned["exact"] == 500  # an export aimed above the prior came back short
    else:
        assert learned["exact"] in (None, 1000) and 500 < learned["at_least"] <= 1000
    assert set(second_run) <= SEARCH_KINDS and sum(second_run.values()) > 0
    # an index-only warehouse (pages = none): every listed COLA owes its form, and status says so
    monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "none")
    capsys.readouterr()
    main(["status", "--pipelines-dir", str(warehouse.pipelines)])
    assert f"page backlog: {len(expected):,} listed COLA(s) without their pages" in capsys.readouterr().out


@pytest.mark.parametrize("strategy", ["probe", "both"])
def test_pages_none_with_a_strategy_that_probes_is_refused_in_one_line(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str], strategy: str
) -> None:
    status = main(index_args(warehouse, "http://127.0.0.1:9/colasonline", "--strategy", strategy))
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "pages none lists completed dates only" in err
    assert not warehouse.db.exists() and not warehouse.pipelines.exists()


def test_an_index_run_killed_midway_then_rerun_loses_nothing_and_searches_no_committed_date_again(
    warehouse: Warehouse, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed (SIGKILL) as the third 30-day chunk starts its search: the rerun (in this process) lists the
    rest, and the dates the first two chunks committed are only counted again (verified), never searched."""
    expected = listing_truth(registry)
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "WARNING")
    env = dict(os.environ)
    with SimulatorServer(registry, export_cap=500) as sim:
        args = index_args(warehouse, sim.base_url)
        killed = subprocess.run(
            [str(BIN / "python"), str(KILL_AT), "ttb_cola.search.runner:Lister.run:before:3", *args],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        committed = {day for (day,) in warehouse.query("select distinct completed_date from ttb_cola.crawl_searches")}
        assert len(committed) == 60  # the first two chunks
        assert main(args) == 0
    assert loaded_listings(warehouse) == expected
    assert_every_date_complete(warehouse, expected)
    # each committed date: the killed run's search, then only the rerun's count (verified)
    rows = warehouse.query("select completed_date, list(status order by _dlt_load_id) from ttb_cola.crawl_searches "
                           "group by 1")
    assert {day: statuses for day, statuses in rows if day in committed} == {
        day: ["complete", "verified"] for day in committed}


def test_a_range_that_cannot_be_reconciled_is_searched_date_by_date(
    warehouse: Warehouse, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is lost when a range's rows do not add up: its dates are searched alone, each proven."""
    completed = Searcher.completed
    refused: list[tuple[date, date]] = []

    def unreconciled(self: Searcher, first: date, last: date | None = None) -> object:
        if last is not None and first < last and first <= date(2025, 6, 13) <= last:
            refused.append((first, last))
            raise SearchIncomplete(f"{first}..{last}: rows short of the total")
        return completed(self, first, last)

    monkeypatch.setattr(Searcher, "completed", unreconciled)
    expected = listing_truth(registry)
    with SimulatorServer(registry, export_cap=1000) as sim:
        assert main(index_args(warehouse, sim.base_url)) == 0
    assert refused == [(date(2025, 5, 31), TODAY)]
    assert loaded_listings(warehouse) == expected
    assert_every_date_complete(warehouse, expected)
