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
from ttb_cola.probe.plan import fetched_days

SearchStatus = Literal["complete", "partial", "failed"]
STRATEGIES = ("probe", "search", "both")


def check_strategy(value: str) -> str:
    """``value`` when it names a discovery strategy, else a ValueError naming the choices."""
    if value not in STRATEGIES:
        raise ValueError(f"unknown strategy {value!r}: expected one of {', '.join(STRATEGIES)}")
    return value


def search_days(states: dict[str, Any], first: date, today: date, full_refresh: bool = False) -> list[date]:
    """Completed dates from ``first`` to ``today`` that need a search (never searched, failed or partial)."""
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    return [d for d in days if full_refresh or (states.get(d.isoformat()) or {}).get("status") != "complete"]


def search_state(day: date, today: date, total: int | None, listed: int, error: str | None) -> dict[str, Any]:
    """A completed date's state after a search on ``today``."""
    status: SearchStatus = "failed" if error else ("complete" if today > day else "partial")
    return {"status": status, "reported_total": total, "listed": listed, "last_run": today.isoformat(),
            "last_error": error}


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


def plan_fetches(rows: Iterable[dict[str, Any]], day: date, receipt_states: dict[str, Any]) -> FetchPlan:
    """Which rows listed on ``day`` need their pages fetched.

    A row is fetched unless we fetched its COLA on or after ``day`` (then the page we hold already
    shows the status listed). Fetched rows are ``new`` (the partition's state had not seen them) or
    ``moved`` (known before: the status changed, so the completed date moved).
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
        if last is not None and last >= day:
            plan.current += 1
            continue
        plan.fetch.append(row)
        if parsed.sequence <= highest and parsed.sequence not in holes:
            plan.moved += 1
        else:
            plan.new += 1
    return plan
