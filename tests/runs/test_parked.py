"""Per-COLA isolation over the simulator on loopback: one bad COLA never stops its partition or day.

Each per-COLA fault is injected in a small window: a value that does not parse is loaded as NULL with
a warning, a form answered with the error page leaves a detail-only record, a page for another TTB
ID and a listed COLA whose detail page says not found are parked (``crawl_parked``) while the rest
of the partition or day loads, a COLA listed twice is kept once. The run exits 5 (COLAs parked);
once the fault is gone the next run loads the parked COLAs and closes their rows (exit 0).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from ingest_helpers import Warehouse, assert_one_row_per_key
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.runs.exit_codes import EXIT_OK, EXIT_PARKED
from ttb_cola_sim.registry import truth_record

TODAY = date(2025, 6, 26)
PROBED = date(2025, 6, 20)  # method 002: four public COLAs as of TODAY (seed 3)
SEARCH_TODAY = date(2025, 6, 15)  # a Sunday: the Saturday before lists a few dozen COLAs
SEARCHED = date(2025, 6, 14)


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    warehouse = Warehouse(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__REQUEST_TIMEOUT", "60")
    return warehouse


def status(warehouse: Warehouse, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["status", "--pipelines-dir", str(warehouse.pipelines)])
    return code, capsys.readouterr().out


def parked_rows(warehouse: Warehouse) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in warehouse.query(
        "select ttb_id, page, attempts, resolved, resolved_at is not null, error from ttb_cola.crawl_parked"
    )}


def test_probe_walks_past_unreadable_colas_and_a_later_run_recovers_them(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_simulator(seed=3, as_of=TODAY) as sim:
        public = [r["ttb_id"] for r in sim.registry.partition_records(PROBED, "002", TODAY)]
        assert len(public) == 4
        malformed, wrong, form_error, clean = public
        sim.set_faults(malformed_date_ids=[malformed], wrong_page_ids=[wrong], form_error_ids=[form_error])
        assert warehouse.ingest(sim.base_url, "--date", PROBED.isoformat(), "--methods", "002",
                                today=TODAY) == EXIT_PARKED

        # everything but the parked COLA is loaded; the partition walked on (not failed) past it
        loaded = warehouse.colas()
        assert loaded.keys() == {malformed, form_error, clean}
        state = warehouse.state()[f"{PROBED}|002"]
        assert state["status"] == "open" and state["last_error"] is None
        assert state["highest"] >= max(int(i[-6:]) for i in public)
        assert int(wrong[-6:]) not in state["holes"]
        # a date that does not parse: NULL plus a warning kept with the page row
        [(approval, warnings)] = warehouse.query(
            f"select approval_date, parse_warnings from ttb_cola.cola_details where ttb_id = '{malformed}'")
        assert approval is None and "approval_date: not a MM/DD/YYYY date" in warnings
        assert warehouse.query("select count(*) from ttb_cola.cola_details where parse_warnings is not null") \
            == [(1,)]
        # the form unavailable: a detail-only record
        assert warehouse.query(f"select count(*) from ttb_cola.cola_forms where ttb_id = '{form_error}'") == [(0,)]
        assert loaded[form_error]["vendor_code"] is not None
        # the COLA whose pages are another TTB ID's: parked, not loaded, listed by status (exit 5)
        [(page, attempts, resolved, closed, error)] = parked_rows(warehouse).values()
        assert parked_rows(warehouse).keys() == {wrong}
        assert (page, attempts, resolved, closed) == ("detail", 1, False, False) and "is for" in error
        code, out = status(warehouse, capsys)
        assert code == EXIT_PARKED and "1 COLA(s) parked" in out and wrong in out

        # still broken: the next run retries it in vain (one more attempt, still exit 5)
        assert warehouse.ingest(sim.base_url, "--date", PROBED.isoformat(), "--methods", "002",
                                today=TODAY + timedelta(days=1)) == EXIT_PARKED
        assert parked_rows(warehouse)[wrong][:3] == ("detail", 2, False)

        # the fault is gone: the next run loads it and closes its parked row
        sim.set_faults(None)
        assert warehouse.ingest(sim.base_url, "--date", PROBED.isoformat(), "--methods", "002",
                                today=TODAY + timedelta(days=1)) == EXIT_OK
    assert warehouse.colas().keys() == set(public)
    assert parked_rows(warehouse)[wrong][:4] == ("detail", 2, True, True)
    code, out = status(warehouse, capsys)
    assert code == EXIT_OK and "COLA(s) parked" not in out  # the month table keeps its (empty) parked column


def test_a_cola_parked_parked_give_up_attempts_times_is_given_up_and_stops_failing_the_runs(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__PARKED_GIVE_UP_ATTEMPTS", "2")
    with running_simulator(seed=3, as_of=TODAY) as sim:
        wrong = [r["ttb_id"] for r in sim.registry.partition_records(PROBED, "002", TODAY)][1]
        sim.set_faults(wrong_page_ids=[wrong])
        args = ("--date", PROBED.isoformat(), "--methods", "002")
        assert warehouse.ingest(sim.base_url, *args, today=TODAY) == EXIT_PARKED
        # the retry fails a second time: given up, so the run exits 0 and the row says so
        assert warehouse.ingest(sim.base_url, *args, today=TODAY + timedelta(days=1)) == EXIT_OK
        [(attempts, resolved, given_up)] = warehouse.query(
            "select attempts, resolved, given_up from ttb_cola.crawl_parked")
        assert (attempts, resolved, given_up) == (2, False, True)
        code, out = status(warehouse, capsys)
        assert code == EXIT_OK and "1 parked COLA(s) given up" in out and wrong in out
        assert "COLA(s) parked (every run" not in out
        # no longer retried: a later run leaves its row as it was
        assert warehouse.ingest(sim.base_url, *args, today=TODAY + timedelta(days=2)) == EXIT_OK
    assert warehouse.query("select attempts, given_up from ttb_cola.crawl_parked") == [(2, True)]
    assert wrong not in warehouse.colas()


def test_search_parks_a_listed_cola_not_found_and_keeps_a_duplicate_once(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_simulator(seed=3, as_of=SEARCH_TODAY) as sim:
        listed = {r["ttb_id"]: truth_record(r) for r in sim.registry.completed_between(SEARCHED, SEARCHED)}
        assert len(listed) > 4
        missing, doubled = sorted(listed)[1], sorted(listed)[2]
        sim.set_faults(listed_not_found_ids=[missing], duplicate_listing_ids=[doubled])
        args = ("--date", SEARCHED.isoformat(), "--strategy", "both")
        assert warehouse.ingest(sim.base_url, *args, today=SEARCH_TODAY) == EXIT_PARKED

        # the day is complete, every other listed COLA is loaded, the duplicate once
        days = dict(warehouse.query("select completed_date, status from ttb_cola.crawl_searches"))
        assert days == {SEARCHED: "complete", SEARCH_TODAY: "partial"}
        loaded = warehouse.colas()
        assert listed.keys() - loaded.keys() == {missing}
        assert warehouse.query(f"select count(*) from ttb_cola.cola_listings where ttb_id = '{doubled}'") == [(1,)]
        # the searches covered the receipt date: nothing probed, nothing failed
        statuses = warehouse.query("select distinct status from ttb_cola.crawl_partitions")
        assert statuses == [("open",)]
        assert warehouse.query("select sum(probed) from ttb_cola.crawl_partitions") == [(0,)]
        rows = parked_rows(warehouse)
        assert rows.keys() == {missing} and rows[missing][:3] == ("listing", 1, False)
        code, out = status(warehouse, capsys)
        assert code == EXIT_PARKED and missing in out

        # the retry loads it; the day searched again in the same run (--reprobe) lists it, not fetched again
        sim.set_faults(None)
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=SEARCH_TODAY) == EXIT_OK
        [(run_id,)] = warehouse.query("select run_id from ttb_cola.crawl_parked")
        assert warehouse.query(
            f"select page_kind, count(*) from ttb_cola.cola_status_log where ttb_id = '{missing}' "
            f"and run_id = '{run_id}' group by page_kind order by page_kind") == [
                ("detail", 1), ("form", 1), ("listing", 1)]
        with warehouse.connect() as con:
            con.execute("use ttb_cola")
            assert_one_row_per_key(con)
    assert listed.keys() <= warehouse.colas().keys()
    assert parked_rows(warehouse)[missing][:4] == ("listing", 1, True, True)


def test_colas_unreadable_one_after_another_fail_the_partition(warehouse: Warehouse) -> None:
    """Five COLAs in a row whose pages are another TTB ID's: the registry is failing, not a COLA; the
    partition fails (exit 1) as before and the next run walks it again; the five stay parked."""
    from ttb_cola.parked.model import MAX_PARKED_IN_A_ROW
    from ttb_cola.runs.exit_codes import EXIT_FAILED

    day = date(2025, 5, 20)  # method 001: sequences 1 to 5 all public (seed 3)
    with running_simulator(seed=3, as_of=TODAY) as sim:
        public = sorted(r["ttb_id"] for r in sim.registry.partition_records(day, "001", TODAY))
        first = [f"25140001{n:06d}" for n in range(1, MAX_PARKED_IN_A_ROW + 1)]
        assert set(first) <= set(public)
        sim.set_faults(wrong_page_ids=first)
        assert warehouse.ingest(sim.base_url, "--date", day.isoformat(), "--methods", "001",
                                today=TODAY) == EXIT_FAILED
    state = warehouse.state()[f"{day}|001"]
    assert state["status"] == "failed" and f"{MAX_PARKED_IN_A_ROW} COLAs in a row" in state["last_error"]
    assert set(parked_rows(warehouse)) == set(first)


def test_a_parked_cola_retried_then_reprobed_in_one_run_loads_once(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """The retry loads the parked COLA, then ``--reprobe`` walks its partition again in the same chunk:
    the COLA is fetched once, each merged table gets one row per key (the latest fetch), and the next
    run loads cleanly."""
    args = ("--date", PROBED.isoformat(), "--methods", "002")
    with running_simulator(seed=3, as_of=TODAY) as sim:
        public = [r["ttb_id"] for r in sim.registry.partition_records(PROBED, "002", TODAY)]
        wrong = public[1]
        sim.set_faults(wrong_page_ids=[wrong])
        assert warehouse.ingest(sim.base_url, *args, today=TODAY) == EXIT_PARKED
        sim.set_faults(None)
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=TODAY + timedelta(days=1)) == EXIT_OK
        [(run_id,)] = warehouse.query("select run_id from ttb_cola.crawl_parked")
        # fetched once by the run: by the retry (its detail page and its form), not again by the probe
        assert warehouse.query(
            f"select page_kind, count(*) from ttb_cola.cola_status_log where ttb_id = '{wrong}' "
            f"and run_id = '{run_id}' group by page_kind order by page_kind") == [("detail", 1), ("form", 1)]
        # every other COLA was walked again (refetched) by the reprobe
        assert warehouse.query(
            f"select count(distinct ttb_id) from ttb_cola.cola_status_log where run_id = '{run_id}'") == [(4,)]
        with warehouse.connect() as con:
            con.execute("use ttb_cola")
            assert_one_row_per_key(con)
        assert parked_rows(warehouse)[wrong][:4] == ("detail", 1, True, True)
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=TODAY + timedelta(days=2)) == EXIT_OK
    assert warehouse.colas().keys() == set(public)
