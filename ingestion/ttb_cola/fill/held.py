"""The fill's fetches folded into the receipt partitions' state, as the searches' own fetches are.

A later search of a completed date (one whose total moved, or a ``daily`` after a listing-only
backfill) plans its fetches from the partitions' state (:func:`ttb_cola.search.plan.plan_fetches`): a
COLA fetched on or after the date is held. Recording the fill's fetches there keeps such a search from
fetching again a COLA whose pages the fill committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ttb_cola.ids import parse_ttb_id
from ttb_cola.probe.plan import new_state, record_fetched


def record_filled(states: dict[str, Any], ttb_ids: Iterable[str], today: date) -> None:
    """Note in ``states`` (partition key -> state) that the pages of ``ttb_ids`` were fetched ``today``.

    A partition with no state yet gets a never-probed one carrying only these fetches (a probe still
    finds it due). Each touched partition gets a new dict: other threads may read the old one."""
    by_partition: dict[str, set[int]] = {}
    for ttb_id in ttb_ids:
        parsed = parse_ttb_id(ttb_id)
        by_partition.setdefault(parsed.partition_key, set()).add(parsed.sequence)
    for key, sequences in by_partition.items():
        state = {**new_state(), **(states.get(key) or {})}
        state["fetched"] = dict(state["fetched"])
        record_fetched(state, sequences, today)
        states[key] = state
