"""The fill's fetches folded into the receipt partitions' state, as the searches' own fetches are.

A later search of a completed date (one whose total moved, or a ``daily`` after a listing-only
backfill) plans its fetches from the partitions' state (:func:`ttb_cola.search.plan.plan_fetches`): a
COLA fetched on or after the date is held. Recording the fill's fetches there keeps such a search from
fetching again a COLA whose pages the fill committed. They are kept as a search's own are: every one
while the partition is young, the last week's once it is past ``settle_days`` (the state stays small).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ttb_cola.ids import parse_ttb_id
from ttb_cola.probe.plan import CrawlSettings, new_state, recent_fetches, record_fetched


def record_filled(states: dict[str, Any], ttb_ids: Iterable[str], today: date, settings: CrawlSettings) -> None:
    """Note in ``states`` (partition key -> state) that the pages of ``ttb_ids`` were fetched ``today``.

    A partition with no state yet gets a never-probed one carrying only these fetches (a probe still
    finds it due). Each touched partition gets a new dict: other threads may read the old one."""
    by_partition: dict[str, tuple[date, set[int]]] = {}
    for ttb_id in ttb_ids:
        parsed = parse_ttb_id(ttb_id)
        by_partition.setdefault(parsed.partition_key, (parsed.receipt_date, set()))[1].add(parsed.sequence)
    for key, (receipt_date, sequences) in by_partition.items():
        state = {**new_state(), **(states.get(key) or {})}
        settled = state["status"] == "settled" or (today - receipt_date).days > settings.settle_days
        state["fetched"] = recent_fetches(state["fetched"], today, settled)
        record_fetched(state, sequences, today)
        states[key] = state
