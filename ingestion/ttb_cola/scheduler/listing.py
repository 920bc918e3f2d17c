"""A completed date's listing folded into the receipt partitions' crawl state."""

from __future__ import annotations

from datetime import date
from typing import Any

from ttb_cola.probe.plan import CrawlSettings, mark_listed, record_fetched
from ttb_cola.search.runner import ListingOutcome


def apply_listing(
    outcome: ListingOutcome, states: dict[str, Any], today: date, settings: CrawlSettings
) -> dict[str, int]:
    """Fold one completed date's listing into the receipt partitions' states; new COLAs per partition.

    After a failed search only what was fetched counts as found: a listed COLA we hold no page of
    must stay a hole, so that a probe (or the next search) still fetches it.
    """
    complete = outcome.state["status"] != "failed"
    found = outcome.plan.listed if complete else outcome.fetched
    new: dict[str, int] = {}
    for key, sequences in found.items():
        day, method = key.split("|")
        state = mark_listed(states.get(key), sequences, date.fromisoformat(day), today, settings)
        record_fetched(state, outcome.fetched.get(key, set()), today)
        states[key] = state
        new[key] = len(outcome.fetched.get(key, set()))
    return new
