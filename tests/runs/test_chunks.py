"""Registry-scale runs against the simulator over loopback: committed chunks, budgets and resume,
one table per page kind, late changes never lost, flags that never leak into dlt."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ingest_helpers import COMPARED, Warehouse, assert_same_records
from sim_server import running_simulator

from ttb_cola_sim.registry import Registry, truth_record

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2025, 6, 26)
START = TODAY - timedelta(days=4)
#: The simulated registry's first receipt date: a few days before the runs' windows, so a day lists a few
#: hundred COLAs (some 600 over START..TODAY) rather than the thousands of a registry started in 2000.
REGISTRY_START = START - timedelta(days=3)


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    warehouse = Warehouse(tmp_path, monkeypatch)
    # the simulator's first search of a day generates weeks of data: slow on a busy machine
    monkeypatch.setenv("SOURCES__TTB_COLA__REQUEST_TIMEOUT", "60")
    return warehouse


def listed_truth(registry: Registry, first: date, last: date, as_of: date) -> dict[str, dict]:
    """Every COLA the registry lists by completed date from ``first`` to ``last``, by TTB ID."""
    return {r["ttb_id"]: truth_record(r) for r in registry.completed_between(first, last, as_of)}


def backfill(warehouse: Warehouse, base_url: str, *args: str, today: date = TODAY) -> int:
    """`ttb-cola backfill` (its range listed first, then its pages filled) from START, in chunks of 2 days."""
    from ttb_cola.cli import main

    return main([
        "backfill", "--start", START.isoformat(), "--today", today.isoformat(), "--base-url", base_url,
        "--requests-per-second", "0", "--pipelines-dir", str(warehouse.pipelines), "--quiet",
        "--chunk-days", "2", *args,
    ])


def completed_dates(warehouse: Warehouse) -> dict[str, str | None]:
    """The loaded completed date of every COLA (None: never listed by a search)."""
    return {k: d and d.isoformat() for k, d in warehouse.query("select ttb_id, completed_date from colas")}


def searched_days(warehouse: Warehouse) -> list[tuple[str, int]]:
    """(completed date, times searched) from the crawl log (days verified by a count are not searched)."""
    return [
        (day.isoformat(), n) for day, n in warehouse.query(
            "select completed_date, count(*) from ttb_cola.crawl_searches where status != 'verified' "
            "group by all order by 1"
        )
    ]


def test_a_budget_stops_after_committed_chunks_and_a_rerun_resumes_to_the_exact_truth(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_simulator(seed=3, as_of=TODAY, start=REGISTRY_START) as sim:
        assert backfill(warehouse, sim.base_url, "--max-requests", "400") == 75
        err = capsys.readouterr().err
        assert "budget reached" in err and "rerun the same command to resume" in err
        first_run = dict(searched_days(warehouse))
        # the whole range is listed first; the budget ran out filling its pages
        assert len(first_run) == (TODAY - START).days + 1
        [(listed, held)] = warehouse.query("select count(*), count(f.ttb_id) from ttb_cola.cola_listings "
                                           "left join ttb_cola.cola_forms f using (ttb_id)")
        assert 0 < held < listed
        assert backfill(warehouse, sim.base_url) == 0
        expected = listed_truth(sim.registry, START, TODAY, TODAY)
    loaded = warehouse.colas()
    assert loaded.keys() == expected.keys()
    assert_same_records(loaded, expected)
    # the first run's first day (complete: its total counted again, unchanged) was not searched again
    assert first_run[START.isoformat()] == 1 and dict(searched_days(warehouse))[START.isoformat()] == 1


def test_sigkill_during_a_backfill_loses_nothing_and_refetches_only_the_chunk_in_flight(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    with running_simulator(seed=3, as_of=TODAY, start=REGISTRY_START) as sim:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        cmd = [
            sys.executable, "-m", "ttb_cola.cli", "backfill", "--start", START.isoformat(),
            "--today", TODAY.isoformat(), "--base-url", sim.base_url, "--requests-per-second", "0",
            "--pipelines-dir", str(warehouse.pipelines), "--chunk-days", "1",
        ]
        process = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
        assert process.stderr is not None
        for line in process.stderr:  # kill right after the fill's first chunk (the range is listed first)
            if "backfill fill owed COLAs 1-" in line and " done: " in line:
                os.killpg(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=600)
        before = sim.requests.get("viewColaDetails.do", 0)
        assert backfill(warehouse, sim.base_url) == 0
        refetched = sim.requests.get("viewColaDetails.do", 0) - before
        expected = listed_truth(sim.registry, START, TODAY, TODAY)
    loaded = warehouse.colas()
    assert_same_records(loaded, expected)
    # the fill's committed chunk (300 COLAs, two pages each) was not fetched again: the rerun fetched the rest
    assert refetched <= 2 * (len(expected) - 300)


def test_a_same_day_status_change_is_loaded_and_a_probed_cola_gains_its_completed_date(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "form")  # the form states the status: half the pages
    day = TODAY - timedelta(days=2)
    with running_simulator(seed=5, as_of=TODAY, start=REGISTRY_START) as sim:
        # probing first: no completed dates
        assert warehouse.ingest(sim.base_url, "--date", day.isoformat(), "--methods", "001", today=TODAY) == 0
        probed = {k for k, v in completed_dates(warehouse).items() if v is None}
        assert probed
        # today's search (still going on) lists what was completed so far today
        args = ("--start", TODAY.isoformat(), "--strategy", "search", "--methods", "001")
        assert warehouse.ingest(sim.base_url, *args[:2], *args[2:], today=TODAY) == 0
        # a COLA fetched today is surrendered later today: listed now, not by the first search
        target = sorted(probed)[0]
        sim.registry.change_status(target, "SURRENDERED", on=TODAY)
        assert warehouse.ingest(sim.base_url, *args, today=TODAY) == 0
        # the day after, every completed date of the window is searched once it is over
        sim.set_as_of(TODAY + timedelta(days=1))
        assert warehouse.ingest(
            sim.base_url, "--start", day.isoformat(), "--strategy", "search", "--methods", "001",
            today=TODAY + timedelta(days=1),
        ) == 0
        listed = listed_truth(sim.registry, day, TODAY, TODAY + timedelta(days=1))
    loaded, completed = warehouse.colas(), completed_dates(warehouse)
    assert loaded[target]["status"] == "SURRENDERED"
    assert completed[target] == TODAY.isoformat()
    # every probed COLA that a search listed now carries the listing's completed date
    assert probed & listed.keys()
    assert all(completed[k] == listed[k]["completed_date"] for k in probed & listed.keys())


#: Yesterday and today by completed date: the run both tests below start from.
SEARCHED = ("--start", (TODAY - timedelta(days=1)).isoformat(), "--strategy", "search")


def _search_ingest(root: Path, monkeypatch: pytest.MonkeyPatch, pages: str) -> tuple[Warehouse, int]:
    """SEARCHED ingested into ``root`` with ``pages``, raw pages archived in ``root/raw``: the warehouse and
    the requests the simulator served."""
    warehouse = Warehouse(root, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", pages)
    monkeypatch.setenv("SOURCES__TTB_COLA__REQUEST_TIMEOUT", "60")
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_RAW_HTML", "true")
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_URL", str(root / "raw"))
    with running_simulator(seed=3, as_of=TODAY, start=REGISTRY_START) as sim:
        assert warehouse.ingest(sim.base_url, *SEARCHED, today=TODAY) == 0
        return warehouse, sum(sim.requests.values())


@pytest.fixture(scope="module")
def searched_both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """SEARCHED with both pages of each COLA, made once per module: its folder, COLAs and requests."""
    root = tmp_path_factory.mktemp("searched-both")
    with pytest.MonkeyPatch.context() as monkeypatch:
        warehouse, requests = _search_ingest(root, monkeypatch, "both")
        return {"root": root, "colas": warehouse.colas(), "requests": requests}


def test_pages_form_loads_every_field_but_vendor_code_and_vintage_with_half_the_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, searched_both: dict[str, Any]
) -> None:
    form, form_requests = _search_ingest(tmp_path, monkeypatch, "form")
    loaded = {"both": searched_both["colas"], "form": form.colas()}
    requests = {"both": searched_both["requests"], "form": form_requests}
    assert loaded["form"].keys() == loaded["both"].keys() and loaded["form"]
    # the form has no vendor code, since its 2016 edition no wine vintage, and names the other plants by
    # permit number only (the detail page has all three)
    fields = [f for f in COMPARED if f not in ("vendor_code", "wine_vintage", "other_permits")]
    for ttb_id, both in loaded["both"].items():
        assert {f: loaded["form"][ttb_id][f] for f in fields} == {f: both[f] for f in fields}, ttb_id
    assert all(record["vendor_code"] is None for record in loaded["form"].values())
    assert all(loaded["form"][k]["wine_vintage"] is None for k in loaded["form"])
    assert requests["form"] < 0.6 * requests["both"]


def test_reparse_keeps_the_listing_fields(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, searched_both: dict[str, Any]
) -> None:
    """A reparse of the archived pages (of a copy of the module's SEARCHED ingest) changes no field."""
    from ttb_cola.cli import main

    for folder in ("data", "pipelines", "raw"):
        shutil.copytree(searched_both["root"] / folder, warehouse.root / folder)
    archive = warehouse.root / "raw"
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_URL", str(archive))
    before, dates = warehouse.colas(), completed_dates(warehouse)
    assert before and all(dates.values())
    assert main(["reparse", "--archive-url", str(archive), "--pipelines-dir", str(warehouse.pipelines)]) == 0
    assert warehouse.colas() == before
    assert completed_dates(warehouse) == dates


def test_make_ingest_reprobe_loads_into_the_warehouse_dataset(tmp_path: Path) -> None:
    """REPROBE=1 (and a stray FULL_REFRESH=1) never reaches dlt: no dev-mode dataset appears."""
    day = date.today() - timedelta(days=20)
    database = tmp_path / "warehouse.duckdb"
    with running_simulator(seed=2, as_of=date.today()) as sim:
        env = dict(
            os.environ, SOURCES__TTB_COLA__BASE_URL=sim.base_url, SOURCES__TTB_COLA__REQUESTS_PER_SECOND="0",
            DESTINATION__DUCKDB__CREDENTIALS=str(database), DLT_DATA_DIR=str(tmp_path / "dlt"),
        )
        for _ in range(2):
            done = subprocess.run(
                ["make", "--no-print-directory", "-s", "ingest", f"DATE={day}", "METHODS=002", "REPROBE=1",
                 "FULL_REFRESH=1"],
                cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
            )
            assert done.returncode == 0, done.stderr[-2000:]
    with duckdb.connect(str(database), read_only=True) as con:
        schemas = {row[0] for row in con.sql("select schema_name from information_schema.schemata").fetchall()}
        [(runs,)] = con.sql("select count(distinct run_id) from ttb_cola.crawl_partitions").fetchall()
    # dlt's dev mode would load into a new dataset named ttb_cola_<timestamp>
    assert not [s for s in schemas if s.startswith("ttb_cola_") and s[9:10].isdigit()], schemas
    assert "ttb_cola" in schemas and runs == 2


def test_a_form_answered_with_the_error_page_leaves_a_detail_only_record(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old COLAs' forms are reported to answer with the error page while the detail page exists: the
    partition walks on and the COLA keeps its detail page's fields."""
    from ttb_cola_sim import render

    day = TODAY - timedelta(days=6)
    with running_simulator(seed=3, as_of=TODAY) as sim:
        public = sim.registry.partition_records(day, "002", TODAY)
        assert public
        broken = public[0]["ttb_id"]
        form_page = render.form_page

        def unavailable_for_one(record: dict) -> bytes:
            return render.not_found_page() if record["ttb_id"] == broken else form_page(record)

        monkeypatch.setattr(render, "form_page", unavailable_for_one)
        assert warehouse.ingest(sim.base_url, "--date", day.isoformat(), "--methods", "002", today=TODAY) == 0
    loaded = warehouse.colas()
    assert loaded.keys() == {r["ttb_id"] for r in public}
    assert loaded[broken]["brand_name"] == public[0]["brand_name"]
    assert loaded[broken]["vendor_code"] == public[0]["vendor_code"]
    assert loaded[broken]["date_issued"] is None  # a form-only field: no form was loaded
    assert warehouse.state()[f"{day}|002"]["status"] == "open"


def test_the_projection_of_an_index_run_counts_no_page_and_a_few_search_requests_per_date() -> None:
    from ttb_cola.runs.schedule import SEARCH_REQUESTS_PER_DATE, Chunk, CommandProgress

    chunk = Chunk("search", date(2020, 1, 1), date(2020, 12, 31))
    index = CommandProgress([chunk], 2.0, pages="none")
    assert index.requests_left() == pytest.approx(366 * SEARCH_REQUESTS_PER_DATE)
    assert SEARCH_REQUESTS_PER_DATE < 3
    assert CommandProgress([chunk], 2.0, pages="form").requests_left() > 100 * index.requests_left()
