"""The order the page backlog is filled in, and its chunks. Pure.

Watchlist matches first (the COLAs a user asked about), then the newest completed date first (the
registry's latest news, and the status a user sees first), the TTB ID breaking ties (highest first)
so the order is the same on every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ttb_cola.digest.watchlist import WatchlistEntry


@dataclass(frozen=True, slots=True)
class Owed:
    """One listed COLA that owes pages, with the listing fields a watchlist entry matches on."""

    ttb_id: str
    completed_date: date
    permit_number: str | None = None
    brand_name: str | None = None
    class_type_code: str | None = None
    class_type_description: str | None = None
    origin_code: str | None = None
    origin_description: str | None = None


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str]:
    """A watchlist pattern as the dbt macro ``watchlist_match`` reads it: case-insensitive, ``%`` any
    run of characters, everything else literal, surrounding spaces ignored."""
    return re.compile("(?s)" + ".*".join(re.escape(part) for part in pattern.strip().split("%")), re.IGNORECASE)


def _like(value: str | None, pattern: str) -> bool:
    return value is not None and _pattern(pattern).fullmatch(value.strip()) is not None


def matches(entry: WatchlistEntry, owed: Owed) -> bool:
    """Whether ``owed``'s listing meets every criterion ``entry`` gives (as ``fct_watchlist_matches``
    does on full records). A listing holds no company name: an entry naming one cannot be judged
    before the pages come, so it does not raise the COLA's priority; nor does a saved search with a filter
    a listing cannot answer (``q``, ``status``, ``signal``, approval dates)."""
    checks = {
        "brand": (owed.brand_name,),
        "permit": (owed.permit_number,),
        "class_type": (owed.class_type_code, owed.class_type_description),
        "origin": (owed.origin_code, owed.origin_description),
    }
    return all(any(_like(value, pattern) for value in checks.get(name, ())) for name, pattern in entry.filters.items())


def order(owed: Sequence[Owed], watchlist: Sequence[WatchlistEntry] = ()) -> list[Owed]:
    """``owed`` in fill order: watchlist matches first, then newest completed date, then highest TTB ID."""
    watched = {o.ttb_id for o in owed if any(matches(entry, o) for entry in watchlist)}
    return sorted(owed, key=lambda o: (o.ttb_id not in watched, -o.completed_date.toordinal(),
                                       _descending(o.ttb_id)))


def _descending(text: str) -> tuple[int, ...]:
    return tuple(-ord(char) for char in text)


def chunked(items: Sequence[Owed], size: int) -> Iterator[list[Owed]]:
    """Consecutive runs of at most ``size`` items, in order."""
    if size < 1:
        raise ValueError(f"chunk size must be at least one COLA, got {size}")
    for start in range(0, len(items), size):
        yield list(items[start:start + size])
