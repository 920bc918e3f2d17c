"""Discovery by completed date, the bookkeeping: fetch days in the partition state, which listed
COLAs are fetched, which days are searched, and which receipt dates the searches cover."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttb_cola.ids import format_ttb_id
from ttb_cola.probe.plan import (
    CrawlSettings,
    PartitionCrawl,
    decode_ranges,
    encode_ranges,
    fetched_days,
    mark_covered,
    mark_listed,
    record_fetched,
)
from ttb_cola.search.plan import (
    check_strategy,
    complete_ranges,
    covered_from,
    day_ranges,
    listing_strategy,
    moved_days,
    plan_fetches,
    provisional_through,
    search_days,
    search_state,
)

SETTINGS = CrawlSettings()
RECEIPT = date(2025, 6, 2)
TODAY = date(2025, 6, 20)


@given(st.sets(st.integers(min_value=1, max_value=5000), max_size=300))
def test_ranges_round_trip(numbers: set[int]) -> None:
    text = encode_ranges(numbers)
    assert decode_ranges(text) == numbers
    assert text.count(",") < max(len(numbers), 1)  # never longer than one entry per number


def test_ranges_are_compact_for_runs() -> None:
    assert encode_ranges([5, 1, 2, 3, 7, 9, 10]) == "1-3,5,7,9-10"


def test_a_sequence_keeps_only_its_latest_fetch_day() -> None:
    state: dict = {}
    record_fetched(state, {1, 2, 3, 4}, date(2025, 6, 3))
    record_fetched(state, {3, 9}, date(2025, 6, 5))
    assert state["fetched"] == {"2025-06-03": "1-2,4", "2025-06-05": "3,9"}
    days = fetched_days(state)
    assert days[3] == date(2025, 6, 5) and days[1] == date(2025, 6, 3) and 5 not in days


def test_probe_records_the_day_it_fetched_what_it_found() -> None:
    crawl = PartitionCrawl(RECEIPT, TODAY, SETTINGS)
    for sequence in crawl.sequences():
        crawl.observe(sequence, found=sequence in (1, 2, 5))
    state = crawl.finish(run_at="x")
    assert fetched_days(state) == {1: TODAY, 2: TODAY, 5: TODAY}


def test_listed_sequences_are_found_and_the_gaps_below_become_holes() -> None:
    state = {"highest": 10, "holes": [4, 7], "public": 8, "status": "open", "fetched": {}}
    new = mark_listed(state, {7, 15}, RECEIPT, TODAY, SETTINGS)
    assert new["highest"] == 15
    assert new["holes"] == [4, 11, 12, 13, 14]
    assert new["public"] == 15 - 5
    assert state["holes"] == [4, 7]  # the input is left alone


def test_a_listing_in_an_old_partition_settles_it() -> None:
    old = TODAY - timedelta(days=SETTINGS.settle_days + 1)
    new = mark_listed({"highest": 10, "holes": [3], "public": 9, "status": "open"}, {12}, old, TODAY, SETTINGS)
    assert new["status"] == "settled" and new["holes"] == [] and new["highest"] == 12 and new["public"] == 10


def test_covered_partition_is_checked_today_and_keeps_its_holes() -> None:
    state = {"highest": 10, "holes": [3], "status": "failed", "last_checked": None, "last_error": "boom"}
    new = mark_covered(state, RECEIPT, TODAY, SETTINGS)
    assert new["status"] == "open" and new["last_checked"] == TODAY.isoformat() and new["last_error"] is None
    assert new["holes"] == [3]


def row(sequence: int, receipt: date = RECEIPT, method: str = "001") -> dict:
    return {"ttb_id": format_ttb_id(receipt, method, sequence)}


def test_plan_fetches_new_moved_and_current() -> None:
    state = {"highest": 10, "holes": [4], "status": "open", "fetched": {}}
    record_fetched(state, {1, 2}, date(2025, 6, 10))  # fetched before the listed day: status moved since
    record_fetched(state, {3}, date(2025, 6, 15))  # fetched on the listed day: the page is current
    key = f"{RECEIPT}|001"
    plan = plan_fetches([row(1), row(3), row(4), row(12), row(5, method="002")], date(2025, 6, 15), {key: state})
    assert [r["ttb_id"][-6:] for r in plan.fetch] == ["000001", "000004", "000012", "000005"]
    assert (plan.new, plan.moved, plan.current) == (3, 1, 1)
    assert plan.listed == {key: {1, 3, 4, 12}, f"{RECEIPT}|002": {5}}


def test_pages_fetched_while_the_day_went_on_are_fetched_again_once_it_is_over() -> None:
    day = date(2025, 6, 15)
    state = {"highest": 10, "holes": [], "status": "open", "fetched": {}}
    record_fetched(state, {1, 2}, day)  # fetched by a run on the day itself: provisional
    record_fetched(state, {3}, day + timedelta(days=1))  # fetched once the day was over
    partial = search_state(day, day, 2, 2, None, registry_date=day)
    assert partial["status"] == "partial" and provisional_through(partial) == day
    plan = plan_fetches([row(1), row(2), row(3)], day, {f"{RECEIPT}|001": state}, provisional_through(partial))
    assert [r["ttb_id"][-6:] for r in plan.fetch] == ["000001", "000002"]
    assert (plan.provisional, plan.current, plan.new, plan.moved) == (2, 1, 0, 0)
    assert plan.moved_ids == {row(1)["ttb_id"], row(2)["ttb_id"]}  # only the page that shows the status
    later = day + timedelta(days=1)
    over = search_state(day, later, 2, 2, None, registry_date=later, previous=partial)
    assert over["status"] == "complete" and provisional_through(over) is None
    # a failed search once the day is over keeps the pages provisional: the refetch may not have finished
    failed = search_state(day, day + timedelta(days=1), None, 0, "boom", previous=partial)
    assert provisional_through(failed) == day


def test_a_day_is_complete_only_once_over_in_washington_and_at_the_registry() -> None:
    day = date(2025, 6, 15)
    after = day + timedelta(days=3)
    assert search_state(day, after, 0, 0, None, registry_date=after)["status"] == "complete"
    # the run's date is ahead of the registry's: the registry has not reached the day, or is on it
    assert search_state(day, after, 0, 0, None, registry_date=day)["status"] == "partial"
    assert search_state(day, after, 0, 0, None, registry_date=day - timedelta(days=1))["status"] == "partial"
    # the form carried no date: only days before the run's date (Washington's) are complete
    assert search_state(day, after, 0, 0, None)["status"] == "complete"
    assert search_state(day, day, 0, 0, None)["status"] == "partial"


def test_complete_days_group_into_runs() -> None:
    first = date(2025, 6, 1)
    states = {(first + timedelta(days=n)).isoformat(): {"status": "complete"} for n in range(10)}
    states["2025-06-04"] = {"status": "partial"}
    del states["2025-06-07"]
    assert complete_ranges(states, first, date(2025, 6, 12)) == [
        (first, date(2025, 6, 3)), (date(2025, 6, 5), date(2025, 6, 6)), (date(2025, 6, 8), date(2025, 6, 10))
    ]


def _counter(totals: dict[date, int], counts: list[tuple[date, date]]):  # noqa: ANN202
    def count(a: date, b: date) -> int:
        counts.append((a, b))
        return sum(t for d, t in totals.items() if a <= d <= b)
    return count


def test_an_unchanged_range_costs_one_count_and_a_moved_day_a_bisection() -> None:
    first = date(2025, 6, 1)
    days = [first + timedelta(days=n) for n in range(16)]
    held = {d.isoformat(): {"status": "complete", "reported_total": 100 + n} for n, d in enumerate(days)}
    totals = {d: 100 + n for n, d in enumerate(days)}
    counts: list[tuple[date, date]] = []
    assert moved_days(held, days[0], days[-1], _counter(totals, counts)) == []
    assert counts == [(days[0], days[-1])]
    totals[days[11]] -= 1  # a surrender moved one COLA off that day
    counts.clear()
    assert moved_days(held, days[0], days[-1], _counter(totals, counts)) == [days[11]]
    assert len(counts) == 1 + 4  # the range, then one half per level down to the day (log2 16)


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=40), st.booleans())
def test_every_day_whose_total_moved_one_way_is_found(deltas: list[int], grew: bool) -> None:
    first = date(2025, 6, 1)
    days = [first + timedelta(days=n) for n in range(len(deltas))]
    held = {d.isoformat(): {"status": "complete", "reported_total": 50} for d in days}
    totals = {d: 50 + (delta if grew else -delta) for d, delta in zip(days, deltas, strict=True)}
    found = moved_days(held, days[0], days[-1], _counter(totals, []))
    assert found == [d for d, delta in zip(days, deltas, strict=True) if delta]


def test_days_searched_are_those_not_complete() -> None:
    states = {
        "2025-06-17": search_state(date(2025, 6, 17), TODAY, 5, 5, None),
        "2025-06-18": search_state(date(2025, 6, 18), TODAY, None, 0, "boom"),
        "2025-06-19": search_state(date(2025, 6, 19), date(2025, 6, 19), 5, 5, None),
    }
    assert states["2025-06-17"]["status"] == "complete"
    assert states["2025-06-18"]["status"] == "failed"
    assert states["2025-06-19"]["status"] == "partial"
    assert search_days(states, date(2025, 6, 17), TODAY) == [date(2025, 6, 18), date(2025, 6, 19), TODAY]
    assert len(search_days(states, date(2025, 6, 17), TODAY, reprobe=True)) == 4


def test_coverage_starts_after_the_last_day_not_searched() -> None:
    first = date(2025, 6, 15)
    states = {d.isoformat(): {"status": "complete"} for d in (first + timedelta(days=n) for n in range(6))}
    states[TODAY.isoformat()] = {"status": "partial"}
    assert covered_from(states, first, TODAY) == first
    states["2025-06-17"] = {"status": "failed"}
    assert covered_from(states, first, TODAY) == date(2025, 6, 18)
    del states[TODAY.isoformat()]
    assert covered_from(states, first, TODAY) is None


def test_unknown_strategy_is_named() -> None:
    assert check_strategy("both") == "both"
    with pytest.raises(ValueError, match="probe, search, both"):
        check_strategy("crawl")


def test_consecutive_dates_make_one_range_and_a_gap_starts_another() -> None:
    d = [date(2025, 6, n) for n in (5, 3, 4, 9, 10, 12)]
    assert day_ranges(d) == [(d[1], d[0]), (d[3], d[4]), (d[5], d[5])]
    assert day_ranges([]) == []


def test_pages_none_searches_only_and_refuses_a_strategy_that_probes() -> None:
    assert listing_strategy("none", None) == "search"
    assert listing_strategy("none", "search") == "search"
    for strategy in ("probe", "both"):
        with pytest.raises(ValueError, match="pages none lists completed dates only"):
            listing_strategy("none", strategy)
    assert listing_strategy("form", "probe") == "probe" and listing_strategy("both", None) is None


def test_a_date_listed_without_pages_covers_no_receipt_date() -> None:
    """Its COLAs' pages are owed: the partitions of its receipt dates stay to probe."""
    days = [TODAY - timedelta(days=n) for n in range(4)]
    states = {d.isoformat(): {"status": "complete"} for d in days}
    assert covered_from(states, days[-1], TODAY) == days[-1]
    states[days[1].isoformat()]["pages"] = "none"
    assert covered_from(states, days[-1], TODAY) == days[0]
    states[TODAY.isoformat()]["pages"] = "none"
    assert covered_from(states, days[-1], TODAY) is None
