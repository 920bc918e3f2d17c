"""The completed-date index: which applications the search lists under each completed date.

A public application is listed under its approval date until a later status change takes effect,
then under that change's date. Indexing a receipt date's skeletons (never its details) files every
application under both candidate dates; a lookup keeps the entries whose listing holds as of the clock.
Entries are packed integer keys, ``(receipt ordinal * 10 + method index) * 1,000,000 + sequence - 1``,
so that key order is (receipt date, method, sequence) order.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from datetime import date, timedelta

from ttb_cola.ids import RECEIPT_METHODS, parse_ttb_id
from ttb_cola_sim.skeletons import MAX_APPROVAL_LAG, MAX_CHANGE_DELAY, Skeletons

_METHODS = list(RECEIPT_METHODS)


def unpack(key: int) -> tuple[date, str, int]:
    """(receipt date, method, sequence) of an index key."""
    rest, index = divmod(key, 1_000_000)
    receipt, m = divmod(rest, 10)
    return date.fromordinal(receipt), _METHODS[m], index + 1


def keys_of(ttb_ids: Iterable[str]) -> list[int]:
    """The index keys of TTB IDs that name a received application."""
    keys = []
    for ttb_id in ttb_ids:
        parsed = parse_ttb_id(ttb_id)
        if parsed.receipt_method in _METHODS and parsed.sequence > 0:
            keys.append((parsed.receipt_date.toordinal() * 10 + _METHODS.index(parsed.receipt_method)) * 1_000_000
                        + parsed.sequence - 1)
    return keys


class CompletedIndex:
    """The index of one registry's skeletons by completed date, built receipt date by receipt date."""

    def __init__(self, skeletons: Skeletons) -> None:
        self._skeletons = skeletons
        #: Candidate completed dates -> packed keys of the skeleton entries approved or changed on them,
        #: and beside each the ordinal of its later change (0: none; -1: indexed under the change
        #: itself), for every receipt date in ``_indexed``.
        self._by_completed: dict[int, tuple[array, array]] = {}
        self._indexed: set[int] = set()
        self._lock = threading.Lock()

    def keys(self, first: date, last: date, clock: date, changed: Iterable[str] = ()) -> list[int]:
        """Index keys of the records completed in [first, last] as of ``clock``, in key order (exact
        unless status changes were set at run time: the TTB IDs ``changed`` are included, to be checked
        on reading)."""
        last = min(last, clock)
        lo, hi = first.toordinal(), last.toordinal()
        if lo > hi:
            return []
        scan_from = max(self._skeletons.start, first - timedelta(days=MAX_APPROVAL_LAG + MAX_CHANGE_DELAY + 7))
        now = clock.toordinal()
        found: set[int] = set()
        with self._lock:
            self._index_receipts(scan_from, last)
            for ordinal in range(lo, hi + 1):
                ids, later = self._by_completed.get(ordinal, ((), ()))
                # listed on this date unless a later change, already effective, moved it
                found.update(packed for packed, change in zip(ids, later, strict=True) if change <= 0 or change > now)
        found.update(keys_of(changed))  # changed at run time: their own date counts (checked as the record is read)
        return sorted(found)

    def _index_receipts(self, first: date, last: date) -> None:
        """Index the skeletons of receipt dates ``first``..``last`` by candidate completed date."""
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            if ordinal in self._indexed:
                continue
            receipt_date = date.fromordinal(ordinal)
            for m, method in enumerate(RECEIPT_METHODS):
                skeleton = self._skeletons.get(receipt_date, method)
                packed = (ordinal * 10 + m) * 1_000_000
                for index, approved in enumerate(skeleton.approval):
                    if not approved:
                        continue
                    change = skeleton.change[index]
                    ids, later = self._by_completed.setdefault(approved, (array("q"), array("q")))
                    ids.append(packed + index)
                    later.append(0 if change is None else change[1])
                    if change is not None:
                        ids, later = self._by_completed.setdefault(change[1], (array("q"), array("q")))
                        ids.append(packed + index)
                        later.append(-1)
            self._indexed.add(ordinal)
