"""The fill's fetches in the receipt partitions' state: read back by the search's fetch plan as held,
and kept as a search's own fetches are (all while young, the last week's once settled)."""

from __future__ import annotations

from datetime import date, timedelta

from ttb_cola.fill.held import record_filled
from ttb_cola.ids import format_ttb_id, partition_key
from ttb_cola.probe.plan import CrawlSettings, fetched_days
from ttb_cola.search.plan import plan_fetches

TODAY = date(2025, 7, 6)
YOUNG, OLD = date(2025, 6, 1), date(2024, 1, 2)  # within settle_days (120) of TODAY, and long past it


def row(receipt: date, sequence: int, completed: date) -> dict[str, str]:
    return {"ttb_id": format_ttb_id(receipt, "001", sequence), "completed_date": completed.isoformat()}


def test_filled_colas_are_held_for_a_later_search_of_their_completed_date() -> None:
    states: dict = {}
    listed = [row(YOUNG, n, date(2025, 7, 1)) for n in (3, 4, 9)] + [row(OLD, 7, date(2025, 7, 1))]
    record_filled(states, [r["ttb_id"] for r in listed[:2] + listed[3:]], TODAY, CrawlSettings())
    plan = plan_fetches(listed, date(2025, 7, 1), states)
    assert [r["ttb_id"] for r in plan.fetch] == [listed[2]["ttb_id"]]  # only the one the fill did not fetch
    assert plan.current == 3
    assert states[partition_key(YOUNG, "001")]["status"] == "open"  # a probe still finds it due


def test_a_settled_partition_keeps_the_last_weeks_fetches_a_young_one_all() -> None:
    states: dict = {}
    settings = CrawlSettings()
    long_ago = TODAY - timedelta(days=30)
    for receipt in (YOUNG, OLD):
        record_filled(states, [format_ttb_id(receipt, "001", 1)], long_ago, settings)
        record_filled(states, [format_ttb_id(receipt, "001", 2)], TODAY, settings)
    assert fetched_days(states[partition_key(YOUNG, "001")]) == {1: long_ago, 2: TODAY}
    assert fetched_days(states[partition_key(OLD, "001")]) == {2: TODAY}
