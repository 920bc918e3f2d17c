"""Discovery by completed date, the bookkeeping: which days to search, which listed COLAs to fetch,
and which receipt dates the searches cover. Pure: no HTTP (see :mod:`ttb_cola.search.runner`).

Every COLA is listed under the date its current status took effect: its approval, or a later
surrender, expiry or revocation. So searching each completed date once it is over sees every newly
public COLA and every status change. A day searched while it is still going on (today) is
``partial`` and searched again by the next run; a day searched after it ended is ``complete``; a
search that could not be reconciled is ``failed`` and retried.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from ttb_cola.ids import parse_ttb_id, partition_key
from ttb_cola.probe.plan import decode_ranges, encode_ranges, fetched_days

SearchStatus = Literal["complete", "partial", "failed"]
STRATEGIES = ("probe", "search", "both")
#: Which pages make a COLA's record: see the README's table of the fields each mode fills.
PAGES = ("form", "detail", "both")


def check_strategy(value: str) -> str:
    """``value`` when it names a discovery strategy, else a ValueError naming the choices."""
    if value not in STRATEGIES:
        raise ValueError(f"unknown strategy {value!r}: expected one of {', '.join(STRATEGIES)}")
    return value


def check_pages(value: str) -> str:
    """``value`` when it names a pages mode, else a ValueError naming the choices."""
    if value not in PAGES:
        raise ValueError(f"unknown pages mode {value!r}: expected one of {', '.join(PAGES)}")
    return value


def search_days(states: dict[str, Any], first: date, last: date, reprobe: bool = False) -> list[date]:
    """Completed dates from ``first`` to ``last`` that need a search (never searched, failed or partial)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [d for d in days if reprobe or (states.get(d.isoformat()) or {}).get("status") != "complete"]


def recheck_days(states: dict[str, Any], first: date, last: date, today: date, count: int) -> list[date]:
    """The last ``count`` days before ``today`` (within ``first``..``last``) already complete: their
    reported totals are checked again (one count-only search each), since a status change moves a
    COLA to a later completed date."""
    since = max(first, today - timedelta(days=count))
    days = [since + timedelta(days=n) for n in range((min(last, today - timedelta(days=1)) - since).days + 1)]
    return [d for d in days if (states.get(d.isoformat()) or {}).get("status") == "complete"]


def search_state(
    day: date, today: date, total: int | None, listed: int, error: str | None,
    listed_ids: dict[str, set[int]] | None = None,
) -> dict[str, Any]:
    """A completed date's state after a search on ``today``; a day still going on (``partial``)
    remembers which sequences it listed, so the next search of it can tell a later change that day."""
    status: SearchStatus = "failed" if error else ("complete" if today > day else "partial")
    state: dict[str, Any] = {
        "status": status, "reported_total": total, "listed": listed, "last_run": today.isoformat(),
        "last_error": error,
    }
    if status == "partial" and listed_ids:
        state["listed_ids"] = {key: encode_ranges(seqs) for key, seqs in sorted(listed_ids.items())}
    return state


def listed_before(state: dict[str, Any] | None) -> dict[str, set[int]] | None:
    """The sequences a partial search of the day listed, by partition key (None: not known)."""
    ids = (state or {}).get("listed_ids")
    return None if ids is None else {key: decode_ranges(text) for key, text in ids.items()}


def covered_from(states: dict[str, Any], first: date, today: date) -> date | None:
    """The earliest day from which every completed date up to ``today`` has been searched.

    A receipt date on or after it needs no probing: whatever it holds that is public was completed
    on one of those days, so a search listed it. None when today itself is not covered.
    """
    covered = None
    day = today
    while day >= first and (states.get(day.isoformat()) or {}).get("status") in ("complete", "partial"):
        covered = day
        day -= timedelta(days=1)
    return covered


@dataclass
class FetchPlan:
    """The listed COLAs of one completed date: those to fetch, and the listing of each partition."""

    fetch: list[dict[str, Any]] = field(default_factory=list)
    listed: dict[str, set[int]] = field(default_factory=dict)
    new: int = 0
    moved: int = 0
    current: int = 0
    #: TTB IDs we hold pages of whose status moved: only the page that shows the status is fetched.
    moved_ids: set[str] = field(default_factory=set)


def plan_fetches(
    rows: Iterable[dict[str, Any]], day: date, receipt_states: dict[str, Any],
    previous: dict[str, set[int]] | None = None,
) -> FetchPlan:
    """Which rows listed on ``day`` need their pages fetched.

    A row is fetched unless we fetched its COLA on or after ``day`` (then the page we hold already
    shows the status listed), except when an earlier search of ``day`` while it was still going on
    (``previous``: what it listed) did not list it: its status changed later that day. Fetched rows
    are ``new`` (the partition's state had not seen them) or ``moved`` (known before: the status
    changed, so the completed date moved).
    """
    plan = FetchPlan()
    memo: dict[str, tuple[dict[int, date], int, set[int]]] = {}
    for row in rows:
        parsed = parse_ttb_id(row["ttb_id"])
        key = partition_key(parsed.receipt_date, parsed.receipt_method)
        plan.listed.setdefault(key, set()).add(parsed.sequence)
        if key not in memo:
            state = receipt_states.get(key) or {}
            memo[key] = (fetched_days(state), state.get("highest", 0), set(state.get("holes", [])))
        days, highest, holes = memo[key]
        last = days.get(parsed.sequence)
        changed_later_that_day = previous is not None and parsed.sequence not in previous.get(key, set())
        if last is not None and last >= day and not changed_later_that_day:
            plan.current += 1
            continue
        plan.fetch.append(row)
        if parsed.sequence <= highest and parsed.sequence not in holes:
            plan.moved += 1
            if last is not None:  # we hold its pages (fetched before): only the status moved
                plan.moved_ids.add(row["ttb_id"])
        else:
            plan.new += 1
    return plan
