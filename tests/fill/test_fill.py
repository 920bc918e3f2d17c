"""`ttb-cola fill` against the simulator: the page backlog (listed COLAs whose pages the destination does
not hold as of their completed date) read from the tables, fetched watchlist matches first then newest
completed date first, in committed chunks under a budget, resumable after a budget stop or a kill -9;
`daily` fills it with what is left; `status` states it by year; once on the lake (moto)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ingest_helpers import Warehouse
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.runs import pipeline

KILL_AT = Path(__file__).resolve().parents[1] / "reliability" / "kill_at.py"
SEED = 3
SATURDAY = date(2025, 7, 5)  # the simulator completes some 30 COLAs on each weekend day: a small index
TODAY = date(2025, 7, 6)
#: What a COLA's form row holds that a fetch does not change.
FORM_FIELDS = "ttb_id, status, brand_name, fanciful_name, permit_number, class_type_code, origin_code, serial_number"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    warehouse = Warehouse(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "form")
    # no watchlist unless a test writes one there (never chdir: dlt would then read another .dlt/)
    monkeypatch.setenv("SOURCES__TTB_COLA__WATCHLIST", str(tmp_path / "transform" / "seeds" / "watchlist.csv"))
    return warehouse


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The COLAs completed on SATURDAY and TODAY listed (and their forms fetched) once per module: the
    folder holding its warehouse file and pipelines folder."""
    root = tmp_path_factory.mktemp("indexed")
    with pytest.MonkeyPatch.context() as monkeypatch, running_simulator(seed=SEED, as_of=TODAY) as sim:
        warehouse = Warehouse(root, monkeypatch)
        monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "form")
        monkeypatch.setenv("SOURCES__TTB_COLA__WATCHLIST", str(root / "no-watchlist.csv"))
        assert warehouse.ingest(sim.base_url, "--date", SATURDAY.isoformat(), "--strategy", "search",
                                today=TODAY) == 0
    return root


def index(warehouse: Warehouse, indexed: Path) -> None:
    """This test's copy of the module's index (the COLAs completed on SATURDAY and TODAY, with their forms)."""
    for folder in ("data", "pipelines"):
        shutil.copytree(indexed / folder, warehouse.root / folder)


def fill(warehouse: Warehouse, base_url: str, *args: str) -> int:
    return main(["fill", "--today", TODAY.isoformat(), "--base-url", base_url, "--requests-per-second", "0",
                 "--max-workers", "1", "--pipelines-dir", str(warehouse.pipelines), "--quiet", *args])


def owe(warehouse: Warehouse, deleted: int, stale: int) -> tuple[list[str], dict[str, tuple[Any, ...]]]:
    """Make a backlog: delete the form rows of ``deleted`` COLAs of each completed date, and back-date the
    fetch of ``stale`` more (their status moved since); their TTB IDs, and their form rows before."""
    with duckdb.connect(str(warehouse.db)) as con:
        ids: list[str] = []
        for day in (SATURDAY, TODAY):
            ids += [r[0] for r in con.execute(
                "select ttb_id from ttb_cola.cola_listings where completed_date = ? order by ttb_id limit ?",
                [day, deleted + stale]).fetchall()]
        rows = {r[0]: r for r in con.execute(
            f"select {FORM_FIELDS} from ttb_cola.cola_forms where list_contains(?, ttb_id)", [ids]).fetchall()}
        gone = [i for n, i in enumerate(ids) if n % (deleted + stale) < deleted]
        con.execute("delete from ttb_cola.cola_forms where list_contains(?, ttb_id)", [gone])
        con.execute("update ttb_cola.cola_forms set fetched_at = timestamptz '2025-07-01 12:00:00+00' "
                    "where list_contains(?, ttb_id)", [[i for i in ids if i not in gone]])
    return ids, rows


def forms(warehouse: Warehouse, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    return {r[0]: r for r in warehouse.query(
        f"select {FORM_FIELDS} from ttb_cola.cola_forms where list_contains({ids!r}, ttb_id)")}


def filled_order(warehouse: Warehouse, ids: list[str]) -> list[str]:
    """The owed COLAs in the order their forms were fetched again."""
    return [r[0] for r in warehouse.query(
        f"select ttb_id from ttb_cola.cola_forms where list_contains({ids!r}, ttb_id) "
        "and fetched_at > timestamptz '2025-07-02 00:00:00+00' order by fetched_at")]


def pages_requested(sim: Any) -> int:
    return sim.requests.get("viewColaDetails.do", 0)


def test_fill_drains_the_backlog_watchlist_first_then_newest_first_and_fetches_nothing_twice(
    warehouse: Warehouse, indexed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        index(warehouse, indexed)
        ids, before = owe(warehouse, deleted=3, stale=2)
        # a watchlist entry matching one Saturday COLA by its listed brand and permit: filled first
        watched = ids[1]
        [(brand, permit)] = warehouse.query(
            f"select brand_name, permit_number from ttb_cola.cola_listings where ttb_id = '{watched}'")
        seeds = tmp_path / "transform" / "seeds"
        seeds.mkdir(parents=True)
        (seeds / "watchlist.csv").write_text("entry_name,brand_name,company_name,permit_number,class_type,origin\n"
                                             f"ours,{brand.lower()},,{permit[:4]}%,,\n")
        capsys.readouterr()
        assert main(["status", "--pipelines-dir", str(warehouse.pipelines)]) == 0
        out = capsys.readouterr().out
        assert f"page backlog: {len(ids)} listed COLA(s) without their pages" in out and f"2025: {len(ids)}" in out
        requests = pages_requested(sim)
        assert fill(warehouse, sim.base_url) == 0
        assert pages_requested(sim) - requests == len(ids)  # one form per owed COLA, nothing else
        assert fill(warehouse, sim.base_url) == 0
        assert pages_requested(sim) - requests == len(ids)  # the backlog is empty: nothing fetched twice
        capsys.readouterr()
        assert main(["status", "--pipelines-dir", str(warehouse.pipelines)]) == 0
        assert "page backlog: every listed COLA has its pages" in capsys.readouterr().out
    assert forms(warehouse, ids) == before  # the pages as the first crawl loaded them from the registry
    newest_first = sorted((i for i in ids if i != watched), key=lambda i: (i in ids[:5], [-ord(c) for c in i]))
    assert filled_order(warehouse, ids) == [watched, *newest_first]


def test_a_request_budget_stops_starting_fetches_and_a_rerun_finishes(
    warehouse: Warehouse, indexed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__FILL_CHUNK_COLAS", "2")
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        index(warehouse, indexed)
        ids, before = owe(warehouse, deleted=4, stale=0)
        requests = pages_requested(sim)
        capsys.readouterr()
        assert fill(warehouse, sim.base_url, "--max-requests", "3") == 75
        assert "budget reached" in capsys.readouterr().err
        assert pages_requested(sim) - requests == 3  # spent: no fetch started after the third
        assert len(filled_order(warehouse, ids)) == 3  # what was fetched is committed (the second chunk's first)
        assert fill(warehouse, sim.base_url) == 0
        assert pages_requested(sim) - requests == len(ids)  # the committed three never again
    assert forms(warehouse, ids) == before


def test_kill_9_during_a_fill_then_rerun_loses_nothing_and_fetches_nothing_committed_again(
    warehouse: Warehouse, indexed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__FILL_CHUNK_COLAS", "3")
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        index(warehouse, indexed)
        ids, before = owe(warehouse, deleted=4, stale=0)
        requests = pages_requested(sim)
        cmd = ["fill", "--today", TODAY.isoformat(), "--base-url", sim.base_url, "--requests-per-second", "0",
               "--max-workers", "1", "--pipelines-dir", str(warehouse.pipelines), "--quiet"]
        # killed as the fifth COLA's fetch starts: the first chunk (three COLAs) is committed, the second not
        killed = subprocess.run([sys.executable, str(KILL_AT), "ttb_cola.scheduler.work:WorkUnits.fill:before:5",
                                 *cmd], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        assert pages_requested(sim) - requests == 4
        assert main(cmd) == 0
        assert pages_requested(sim) - requests == 4 + len(ids) - 3  # only the uncommitted fetched again
    assert forms(warehouse, ids) == before
    [(rows, keys)] = warehouse.query("select count(*), count(distinct ttb_id) from ttb_cola.cola_forms")
    assert rows == keys


def test_daily_fills_the_backlog_with_what_is_left_of_its_budget(
    warehouse: Warehouse, indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", "1")
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        index(warehouse, indexed)
        ids, before = owe(warehouse, deleted=3, stale=1)

        def daily(*args: str) -> int:
            return main(["daily", "--today", TODAY.isoformat(), "--base-url", sim.base_url, "--lookback-days", "1",
                         "--requests-per-second", "0", "--max-workers", "1", "--pipelines-dir",
                         str(warehouse.pipelines), "--quiet", *args])

        requests = pages_requested(sim)
        monkeypatch.setenv("SOURCES__TTB_COLA__FILL_MAX", "2")
        assert daily() == 0  # no budget: at most fill_max owed COLAs, and the rest is no failure
        assert pages_requested(sim) - requests == 2 and len(filled_order(warehouse, ids)) == 2
        assert daily("--max-requests", "2000") == 0  # a budget: the backlog until it is spent
        assert pages_requested(sim) - requests == len(ids)  # its own dates held nothing new: all went to the backlog
    assert forms(warehouse, ids) == before


def test_on_the_lake_the_backlog_is_read_from_its_delta_tables(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deltalake import DeltaTable
    from moto_server import no_machine_aws_credentials, running_moto

    no_machine_aws_credentials(monkeypatch, tmp_path)
    with running_moto() as s3, running_simulator(seed=SEED, as_of=TODAY) as sim:
        lake = s3.new_bucket()
        for name, value in lake.env(f"{lake.bucket_url}/lake").items():
            monkeypatch.setenv(name, value)
        lake_args = ("--destination", "filesystem")
        assert warehouse.ingest(sim.base_url, "--date", SATURDAY.isoformat(), "--strategy", "search", *lake_args,
                                today=TODAY) == 0
        options = {"aws_access_key_id": lake.access_key_id, "aws_secret_access_key": lake.secret_access_key,
                   "endpoint_url": lake.endpoint_url, "region": lake.region_name, "aws_allow_http": "true"}
        listed = {r["ttb_id"] for r in DeltaTable(f"{lake.bucket_url}/lake/ttb_cola/cola_listings",
                                                  storage_options=options).to_pyarrow_table().to_pylist()}
        requests = pages_requested(sim)
        # forms held, detail pages owed by every listed COLA
        assert fill(warehouse, sim.base_url, "--pages", "detail", *lake_args) == 0
        assert pages_requested(sim) - requests == len(listed)
        assert fill(warehouse, sim.base_url, "--pages", "detail", *lake_args) == 0
        assert pages_requested(sim) - requests == len(listed)  # read again from the tables: nothing owed
        details = DeltaTable(f"{lake.bucket_url}/lake/ttb_cola/cola_details",
                             storage_options=options).to_pyarrow_table().to_pylist()
    assert sorted(r["ttb_id"] for r in details) == sorted(listed)
    assert {r["ttb_id"]: r["status"] for r in details} == {
        i: sim.registry.raw(i)["status"] for i in listed}


def test_an_unreadable_owed_cola_is_parked_and_retried_once_per_run_until_it_loads(
    warehouse: Warehouse, indexed: Path
) -> None:
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        index(warehouse, indexed)
        ids, before = owe(warehouse, deleted=2, stale=0)
        sim.set_faults({"wrong_page_ids": [ids[0]]})
        requests = pages_requested(sim)
        assert fill(warehouse, sim.base_url) == 5  # the rest loaded, one parked
        assert pages_requested(sim) - requests == len(ids)
        assert warehouse.query("select ttb_id, resolved from ttb_cola.crawl_parked") == [(ids[0], False)]
        assert fill(warehouse, sim.base_url) == 5  # the retry tries it; the backlog leaves it to the retry
        assert pages_requested(sim) - requests == len(ids) + 1
        sim.set_faults(None)
        assert fill(warehouse, sim.base_url) == 0
        assert pages_requested(sim) - requests == len(ids) + 2
        assert warehouse.query("select ttb_id, resolved from ttb_cola.crawl_parked") == [(ids[0], True)]
    assert forms(warehouse, ids) == before


def test_a_given_up_cola_is_left_alone_and_a_fill_with_nothing_else_owed_runs_nothing(
    warehouse: Warehouse, indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__PARKED_GIVE_UP_ATTEMPTS", "2")
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        index(warehouse, indexed)
        ids, _ = owe(warehouse, deleted=2, stale=0)
        sim.set_faults({"wrong_page_ids": [ids[0]]})
        assert fill(warehouse, sim.base_url) == 5  # one parked
        assert fill(warehouse, sim.base_url) == 0  # its retry fails again: given up
        assert warehouse.query("select ttb_id, given_up from ttb_cola.crawl_parked") == [(ids[0], True)]
        runs: list[object] = []
        run_ingest = pipeline.run_ingest
        monkeypatch.setattr(pipeline, "run_ingest", lambda *a, **k: runs.append(a) or run_ingest(*a, **k))
        requests = pages_requested(sim)
        assert fill(warehouse, sim.base_url) == 0  # nothing owed, nothing to retry: no chunk run
        assert runs == [] and pages_requested(sim) == requests


@pytest.mark.parametrize(("args", "watchlist", "message"), [
    (("--max-requests", "0"), None, "--max-requests must be at least 1"),
    (("--pages", "all"), None, "unknown pages mode 'all'"),
    (("--pages", "none"), None, "fill fetches pages: give --pages form, detail or both"),
    ((), "entry_name,brand_name,company_name,permit_number,class_type,origin\nx,,,,,\n", "watchlist.csv line 2"),
])
def test_bad_input_is_refused_in_one_line_before_anything_is_written(
    warehouse: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
    watchlist: str | None, message: str,
) -> None:
    if watchlist is not None:
        (tmp_path / "transform" / "seeds").mkdir(parents=True)
        (tmp_path / "transform" / "seeds" / "watchlist.csv").write_text(watchlist)
    assert fill(warehouse, "http://127.0.0.1:9/colasonline", *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("ttb-cola fill: ") and message in err and err.count("\n") == 1
    assert not warehouse.db.exists() and not warehouse.pipelines.exists()


def test_a_date_searched_again_after_the_fill_fetches_none_of_the_pages_the_fill_committed(
    warehouse: Warehouse,
) -> None:
    monday = date(2025, 7, 7)
    with running_simulator(seed=SEED, as_of=TODAY) as sim:
        assert warehouse.ingest(sim.base_url, "--date", SATURDAY.isoformat(), "--strategy", "search",
                                "--pages", "none", today=TODAY) == 0  # listed only: every COLA owes its form
        listed = [r[0] for r in warehouse.query(
            f"select ttb_id from ttb_cola.cola_listings where completed_date = '{SATURDAY}' order by ttb_id")]
        assert fill(warehouse, sim.base_url) == 0
        [(filled_until,)] = warehouse.query("select max(fetched_at) from ttb_cola.cola_forms")
        # Saturday moves: one of its COLAs is surrendered on Monday (off Saturday, onto Monday), so
        # Monday's run finds Saturday's total changed and searches it again
        sim.registry.change_status(listed[0], "SURRENDERED", monday)
        sim.set_as_of(monday)
        requests = pages_requested(sim)
        assert warehouse.ingest(sim.base_url, "--date", SATURDAY.isoformat(), "--strategy", "search",
                                today=monday) == 0
        # what Monday's run must fetch: Sunday's COLAs (their forms were fetched while Sunday went on)
        # and Monday's, the surrendered one among them; none of Saturday's others
        due = {r["ttb_id"] for r in sim.registry.completed_between(TODAY, monday, monday)}
    assert listed[0] in due and not due & set(listed[1:])
    [(searched,)] = warehouse.query(f"select count(*) from ttb_cola.crawl_searches where completed_date = "
                                    f"'{SATURDAY}' and status = 'complete' and reported_total = {len(listed) - 1}")
    assert searched == 1  # Saturday was searched again (its total one less)
    fetched_again = {r[0] for r in warehouse.query(
        f"select ttb_id from ttb_cola.cola_forms where fetched_at > '{filled_until.isoformat()}'")}
    assert fetched_again == due
    assert pages_requested(sim) - requests == len(due)
