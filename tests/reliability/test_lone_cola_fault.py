"""A COLA whose page fails every try while nothing else is in flight (one sequence fetched at a time),
over the simulator on loopback: the client asks the registry for its search page once, and because
that is answered the failure is the COLA's own: parked (exit 5), retried first by the next run. When
the whole registry fails, that check fails too: the partition fails (exit 1) and nothing is parked."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from ingest_helpers import Warehouse, assert_one_parked_resolved, one_run_case
from sim_server import running_simulator

from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_PARKED

AS_OF = date(2025, 6, 26)
PROBED = (date(2025, 5, 23), "002")  # a partition probed TTB ID by TTB ID (eight public COLAs)
SEARCHED = date(2025, 6, 21)  # a Saturday searched by completed date
ATTEMPTS = 3
CHECK_PAGE = "publicSearchColasBasic.do"


@pytest.fixture
def alone(warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    """One sequence (or listed COLA) fetched at a time: a failing page has nothing beside it in flight,
    as the last COLA of a partition whose neighbours were answered before its retries began."""
    monkeypatch.setenv("SOURCES__TTB_COLA__PROBE_LOOKAHEAD", "1")
    monkeypatch.setenv("SOURCES__TTB_COLA__MAX_ATTEMPTS", str(ATTEMPTS))
    return warehouse


@pytest.mark.parametrize(("strategy", "page"), [("probe", "detail"), ("probe", "form"), ("search", "form")])
def test_the_last_cola_failing_every_try_alone_is_parked_and_retried_by_the_next_run(
    alone: Warehouse, tally: Counter[str], strategy: str, page: str
) -> None:
    today = AS_OF if strategy == "probe" else SEARCHED
    with running_simulator(seed=3, as_of=today) as sim:
        expected, args = one_run_case(sim, strategy, PROBED, (SEARCHED, SEARCHED), AS_OF)
        faulty = sorted(expected)[-1]  # the last one: nothing fetched after it is public
        sim.set_faults({"server_error_ids" if page == "detail" else "form_server_error_ids": [faulty]})
        assert alone.ingest(sim.base_url, *args, today=today) == EXIT_PARKED
        checks = sim.requests.snapshot().get(CHECK_PAGE, 0)
        tally["fault:cola_server_error"] += 1

        (row,) = alone.query("select ttb_id, page, error, resolved from ttb_cola.crawl_parked")
        assert row[0] == faulty and row[1] == page and "HTTP 500" in row[2] and not row[3]
        assert "search page" in row[2]  # parked on the check's evidence
        assert alone.colas().keys() == expected.keys() - {faulty}
        if strategy == "probe":
            state = alone.state()[f"{PROBED[0].isoformat()}|{PROBED[1]}"]
            assert state["status"] != "failed"
            assert int(faulty[-5:]) not in state["holes"]  # never taken as absent

        sim.set_faults(None)  # the page recovers: the parked COLA is retried first and loads
        assert alone.ingest(sim.base_url, *args, today=today) == EXIT_OK
    assert checks >= 2  # the preflight's and the check's
    assert_one_parked_resolved(alone, faulty, expected, tally)


def test_the_whole_registry_failing_fails_the_partition_and_parks_nothing(
    alone: Warehouse, tally: Counter[str]
) -> None:
    """Every request after the preflight answers 5xx: the check on the search page fails as well, so
    the first failing page is taken for the registry's (partition failed, exit 1), never a COLA's."""
    day, method = PROBED
    with running_simulator(seed=3, as_of=AS_OF, faults={"block_from": 2, "block_kind": "server_error"}) as sim:
        status = alone.ingest(sim.base_url, "--date", day.isoformat(), "--methods", method, "--strategy", "probe",
                              today=AS_OF)
        failed = sim.faults.counts["server_error"]
    tally["fault:server_error"] += failed
    assert status == EXIT_FAILED
    assert failed == ATTEMPTS + 1  # the first sequence's tries, then the one check (failing too)
    assert alone.query("select count(*) from ttb_cola.crawl_parked") == [(0,)]
    state = alone.state()[f"{day.isoformat()}|{method}"]
    assert state["status"] == "failed" and state["highest"] == 0
