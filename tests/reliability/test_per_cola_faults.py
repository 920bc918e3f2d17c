"""Per-COLA faults on a share of the COLAs of a small window, probed and
searched: no record lost, the unreadable COLAs parked while the rest loads (exit 5), all recovered by
the next run once the faults are gone (exit 0). The counts go to the suite's reliability summary."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from ingest_helpers import Warehouse, assert_one_parked_resolved, assert_same_records, one_run_case
from sim_server import running_simulator

from ttb_cola.runs.exit_codes import EXIT_OK, EXIT_PARKED
from ttb_cola_sim.registry import truth_record

AS_OF = date(2025, 6, 26)
PROBED = (date(2025, 5, 23), "002")  # a partition probed TTB ID by TTB ID (eight public COLAs)
SEARCHED = (date(2025, 6, 21), date(2025, 6, 22))  # a weekend searched by completed date: a few dozen
KINDS = ("form_error", "malformed_date", "wrong_page", "listed_not_found", "duplicate_listing")
#: Faults that park a COLA (the others are absorbed: detail-only record, NULL + warning, kept once).
PARKING = ("wrong_page", "listed_not_found")


def spread(ids: list[str], kinds: tuple[str, ...]) -> dict[str, list[str]]:
    """Every third COLA gets a fault, the kinds in turn (never five parked in a row)."""
    faulty: dict[str, list[str]] = {kind: [] for kind in kinds}
    for n, ttb_id in enumerate(sorted(ids)[::3]):
        faulty[kinds[n % len(kinds)]].append(ttb_id)
    return faulty


def run_faulty(warehouse: Warehouse, sim, args: tuple[str, ...], today: date, expected: dict,
               faulty: dict[str, list[str]], tally: Counter[str]) -> None:
    sim.set_faults({f"{kind}_ids": ids for kind, ids in faulty.items()})
    assert warehouse.ingest(sim.base_url, *args, today=today) == EXIT_PARKED
    parked = {ttb_id for (ttb_id,) in warehouse.query(
        "select ttb_id from ttb_cola.crawl_parked where not resolved")}
    loaded = warehouse.colas()
    assert parked == {ttb_id for kind in PARKING for ttb_id in faulty.get(kind, [])}
    assert expected.keys() - loaded.keys() == parked  # nothing lost: each missing COLA is parked
    assert not loaded.keys() - expected.keys()
    for kind, ids in faulty.items():
        tally[f"fault:{kind}"] += len(ids)
    tally["cola_parked"] += len(parked)

    sim.set_faults(None)
    assert warehouse.ingest(sim.base_url, *args, today=today) == EXIT_OK
    loaded = warehouse.colas()
    recovered = {ttb_id for (ttb_id,) in warehouse.query("select ttb_id from ttb_cola.crawl_parked where resolved")}
    assert recovered == parked
    tally["cola_recovered"] += len(recovered)
    tally["records_expected"] += len(expected)
    tally["records_lost"] += len(expected.keys() - loaded.keys())
    # a form never loaded (error page) leaves its form-only fields null; every other record is exact
    detail_only = set(faulty.get("form_error", []))
    assert_same_records({k: v for k, v in loaded.items() if k not in detail_only},
                        {k: v for k, v in expected.items() if k not in detail_only})
    assert detail_only <= loaded.keys()
    warnings = {ttb_id for (ttb_id,) in warehouse.query(
        "select ttb_id from ttb_cola.cola_details where parse_warnings is not null")}
    assert warnings == set(faulty.get("malformed_date", []))
    unavailable = {ttb_id for (ttb_id,) in warehouse.query(
        "select ttb_id from ttb_cola.cola_details where form_unavailable")}
    assert unavailable == detail_only  # the form's status is kept with its detail-only record


@pytest.mark.parametrize("strategy", ["probe", "search"])
def test_per_cola_faults_lose_nothing(warehouse: Warehouse, tally: Counter[str], strategy: str) -> None:
    today = AS_OF if strategy == "probe" else SEARCHED[1]
    with running_simulator(seed=3, as_of=today) as sim:
        if strategy == "probe":
            day, method = PROBED
            expected = {r["ttb_id"]: r for r in sim.registry.partition_records(day, method, AS_OF)}
            faulty = spread(list(expected), ("form_error", "malformed_date", "wrong_page"))
            args = ("--date", day.isoformat(), "--methods", method, "--strategy", "probe")
        else:
            expected = {r["ttb_id"]: truth_record(r) for r in sim.registry.completed_between(*SEARCHED)}
            faulty = spread(list(expected), KINDS)
            args = ("--date", SEARCHED[0].isoformat(), "--strategy", "search")
        assert all(len(ids) >= 1 for ids in faulty.values()), faulty
        run_faulty(warehouse, sim, args, today, expected, faulty, tally)


@pytest.mark.parametrize("page", ["detail", "form"])
@pytest.mark.parametrize("strategy", ["probe", "search"])
def test_one_cola_answering_500_on_every_try_is_parked_and_the_walk_goes_on(
    warehouse: Warehouse, tally: Counter[str], strategy: str, page: str
) -> None:
    """One COLA's page answers HTTP 500 on every try while its neighbours load: that COLA is parked with
    the error (exit 5), its partition or day walks on past it and loads every other COLA; once the page
    recovers, the next run loads it and resolves the parked entry (exit 0)."""
    today = AS_OF if strategy == "probe" else SEARCHED[1]
    with running_simulator(seed=3, as_of=today) as sim:
        expected, args = one_run_case(sim, strategy, PROBED, SEARCHED, AS_OF)
        ordered = sorted(expected)
        faulty = ordered[1]  # early in the sequence: the COLAs after it are loaded all the same
        assert len(ordered) - 2 >= 6
        # 40 ms a page: the neighbours fetched ahead are still being answered while the faulty page is retried,
        # the evidence that parks a COLA rather than fail its partition (with nothing else answered meanwhile, the
        # client asks for the search form once instead: test_lone_cola_fault.py)
        sim.set_faults({"server_error_ids" if page == "detail" else "form_server_error_ids": [faulty],
                        "latency_ms": 40})
        assert warehouse.ingest(sim.base_url, *args, today=today) == EXIT_PARKED
        tally["fault:cola_server_error"] += 1
        (row,) = warehouse.query("select ttb_id, page, error, resolved from ttb_cola.crawl_parked")
        assert row[0] == faulty and row[1] == page and "HTTP 500" in row[2] and not row[3]
        assert warehouse.colas().keys() == expected.keys() - {faulty}
        if strategy == "probe":
            state = warehouse.state()[f"{PROBED[0].isoformat()}|{PROBED[1]}"]
            assert state["status"] != "failed" and state["highest"] == int(ordered[-1][-5:])
            assert int(faulty[-5:]) not in state["holes"]  # never taken as absent
            # its detail page never answered: public or not is unknown, so probed again; its form
            # failed after the detail page showed it: public, parked like an unreadable page
            assert state["unanswered"] == ([int(faulty[-5:])] if page == "detail" else [])
        else:
            assert [s for (s,) in warehouse.query("select status from ttb_cola.crawl_searches")] and not \
                warehouse.query("select status from ttb_cola.crawl_searches where status = 'failed'")

        sim.set_faults(None)  # the page recovers
        assert warehouse.ingest(sim.base_url, *args, today=today) == EXIT_OK
    assert_one_parked_resolved(warehouse, faulty, expected, tally)


def test_a_sequence_answering_500_that_is_not_public_is_closed_once_it_says_not_found(
    warehouse: Warehouse, tally: Counter[str]
) -> None:
    """A probed sequence that is not public (a hole between public COLAs, and the first one past the
    last) answers HTTP 500 on every try: both parked, the partition walks on and keeps them to probe
    again (unanswered, or the frontier). Once they answer, the registry's not-found page closes them
    (exit 0) while their partition still covers them, nothing invented."""
    day, method = PROBED
    with running_simulator(seed=3, as_of=AS_OF) as sim:
        expected = {r["ttb_id"]: r for r in sim.registry.partition_records(day, method, AS_OF)}
        sequences = sorted(int(ttb_id[-5:]) for ttb_id in expected)
        holes = sorted(set(range(1, sequences[-1])) - set(sequences))
        assert holes, "the partition has no hole to fault"
        prefix = sorted(expected)[0][:-5]
        unanswered = [f"{prefix}{holes[0]:05d}", f"{prefix}{sequences[-1] + 1:05d}"]
        args = ("--date", day.isoformat(), "--methods", method, "--strategy", "probe")
        sim.set_faults(server_error_ids=unanswered)
        assert warehouse.ingest(sim.base_url, *args, today=AS_OF) == EXIT_PARKED
        assert sorted(t for (t,) in warehouse.query("select ttb_id from ttb_cola.crawl_parked")) == unanswered
        assert warehouse.colas().keys() == expected.keys()
        state = warehouse.state()[f"{day.isoformat()}|{method}"]
        assert state["highest"] == sequences[-1] and state["unanswered"] == [holes[0]]
        assert holes[0] not in state["holes"]
        sim.set_faults(None)
        assert warehouse.ingest(sim.base_url, *args, today=AS_OF) == EXIT_OK
        state = warehouse.state()[f"{day.isoformat()}|{method}"]
        assert holes[0] in state["holes"] + state["unanswered"]  # still the partition's to probe, or proven
    closed = warehouse.query("select ttb_id, resolved, error from ttb_cola.crawl_parked order by ttb_id")
    assert [(t, r) for t, r, _ in closed] == [(t, True) for t in unanswered]
    assert all("not found" in error for _, _, error in closed)
    assert_same_records(warehouse.colas(), expected)
    tally["fault:cola_server_error"] += len(unanswered)
