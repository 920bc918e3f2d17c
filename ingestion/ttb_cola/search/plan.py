"""Discovery by completed date, the bookkeeping: which days to search, which complete days to verify
again, which listed COLAs to fetch, and which receipt dates the searches cover. Pure: no HTTP (see
:mod:`ttb_cola.search.runner`).

Every COLA is listed under the date its current status took effect: its approval, or a later
surrender, expiry or revocation. A day is ``complete`` once it is over both in Washington (the run's
date is later) and at the registry (its search form's date is later); until then a search of it is
``partial``, and the pages fetched meanwhile are provisional: the search that finds the day complete
fetches them again (a COLA approved and surrendered the same day is listed alike both times). A
search that could not be reconciled is ``failed`` and retried. A complete day is never final: each
run counts its complete days again by ranges (:func:`moved_days`) and searches again those whose
total moved (a status change moves a COLA off its old date).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from ttb_cola.ids import parse_ttb_id, partition_key
from ttb_cola.probe.plan import fetched_days

SearchStatus = Literal["complete", "partial", "failed"]
STRATEGIES = ("probe", "search", "both")
#: Which pages make a COLA's record: see the README's table of the fields each mode fills; ``none``
#: lists completed dates into ``cola_listings`` and fetches no page (an index of the registry).
PAGES = ("form", "detail", "both", "none")


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


def listing_strategy(pages: str, strategy: str | None) -> str | None:
    """The strategy a ``pages`` mode allows: ``pages = none`` fetches no page, so it searches only
    (probes fetch pages) and an explicit ``strategy`` other than ``search`` is a ValueError; any other
    mode keeps ``strategy`` (None: not given)."""
    if pages != "none":
        return strategy
    if strategy not in (None, "search"):
        raise ValueError(f"pages none lists completed dates only: strategy {strategy!r} fetches pages "
                         "(use strategy search)")
    return "search"


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """``days`` as runs of consecutive dates, each as (first, last), in order."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def search_days(states: dict[str, Any], first: date, last: date, reprobe: bool = False) -> list[date]:
    """Completed dates from ``first`` to ``last`` that need a search (never searched, failed or partial)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [d for d in days if reprobe or (states.get(d.isoformat()) or {}).get("status") != "complete"]


def is_over(day: date, today: date, registry_date: date | None) -> bool:
    """Whether ``day`` is over in Washington (``today`` is later) and at the registry (its search
    form's date, ``registry_date``, is later; when unknown, Washington's date decides)."""
    return day < today and (registry_date is None or day < registry_date)


def search_state(
    day: date, today: date, total: int | None, listed: int, error: str | None,
    registry_date: date | None = None, previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A completed date's state after a search on ``today``.

    ``complete`` only when the day is over in Washington (``today`` is later) and at the registry
    (``registry_date``, its search form's date, is later; when unknown, Washington's date decides).
    While the day is not over, ``provisional_through`` keeps the last run date whose pages of it are
    provisional; a failed search keeps the previous one (its refetch may not have finished).
    """
    over = is_over(day, today, registry_date)
    status: SearchStatus = "failed" if error else ("complete" if over else "partial")
    state: dict[str, Any] = {
        "status": status, "reported_total": total, "listed": listed, "last_run": today.isoformat(),
        "last_error": error,
    }
    provisional = today.isoformat() if not over else None
    if status == "failed" and provisional is None:
        provisional = (previous or {}).get("provisional_through")
    if provisional is not None:
        state["provisional_through"] = provisional
    return state


def provisional_through(state: dict[str, Any] | None) -> date | None:
    """The last run date whose pages of the day were fetched while it was still going on (None: none)."""
    value = (state or {}).get("provisional_through")
    return date.fromisoformat(value) if value else None


def complete_ranges(states: dict[str, Any], first: date, last: date) -> list[tuple[date, date]]:
    """The runs of consecutive ``complete`` days from ``first`` to ``last``, each as (first, last)."""
    ranges: list[tuple[date, date]] = []
    start: date | None = None
    for n in range((last - first).days + 2):
        day = first + timedelta(days=n)
        complete = day <= last and (states.get(day.isoformat()) or {}).get("status") == "complete"
        if complete and start is None:
            start = day
        elif not complete and start is not None:
            ranges.append((start, day - timedelta(days=1)))
            start = None
    return ranges


def held_total(states: dict[str, Any], first: date, last: date) -> int:
    """The sum of the totals the registry reported for the days ``first`` to ``last`` when searched."""
    return sum(
        int((states.get((first + timedelta(days=n)).isoformat()) or {}).get("reported_total") or 0)
        for n in range((last - first).days + 1)
    )


def moved_days(
    states: dict[str, Any], first: date, last: date, count: Callable[[date, date], int], total: int | None = None
) -> list[date]:
    """The days from ``first`` to ``last`` whose reported total moved since they were searched.

    ``count(a, b)`` is one count-only search of the range (``total``: the range's count, when known).
    A range whose count equals the sum held is unchanged; otherwise its left half is counted and the
    right half's count is the difference, each half bisected the same way down to single days. An
    unchanged range costs one count; each moved day about log2(range length) more. A COLA moved
    between two days of one range leaves the sum as it was and is not seen here (a status change
    moves a COLA to the date of the change, a day searched as new).
    """
    if total is None:
        total = count(first, last)
    if total == held_total(states, first, last):
        return []
    if first == last:
        return [first]
    middle = first + timedelta(days=(last - first).days // 2)
    left = count(first, middle)
    return [
        *moved_days(states, first, middle, count, left),
        *moved_days(states, middle + timedelta(days=1), last, count, total - left),
    ]


def covered_from(
    states: dict[str, Any], first: date, today: date, held_from: date | None = None
) -> date | None:
    """The earliest day from which every completed date up to ``today`` has been searched, its pages held.

    A receipt date on or after it needs no probing: whatever it holds that is public was completed
    on one of those days, so a search listed it and its pages were fetched. A day listed without pages
    (``pages = none``) counts only when its COLAs' pages have been filled since: when it is on or after
    ``held_from``, the first completed date from which no listed COLA owes pages (None: unknown, so a
    day listed without pages covers nothing). None when today itself is not covered.
    """
    return _searched_from(states, first, today, lambda day, state: state.get("pages") != "none" or (
        held_from is not None and day >= held_from))


def listed_from(states: dict[str, Any], first: date, today: date) -> date | None:
    """The earliest day from which every completed date up to ``today`` has been searched, with or
    without pages: a receipt date on or after it has every public COLA listed, so what it lacks is
    pages (owed, fetched by the fill), never a COLA to probe for."""
    return _searched_from(states, first, today, lambda day, state: True)


def _searched_from(
    states: dict[str, Any], first: date, today: date, counts: Callable[[date, dict[str, Any]], bool]
) -> date | None:
    found = None
    day = today
    while day >= first and (state := states.get(day.isoformat()) or {}).get("status") in ("complete", "partial") \
            and counts(day, state):
        found = day
        day -= timedelta(days=1)
    return found


@dataclass
class FetchPlan:
    """The listed COLAs of one completed date: those to fetch, and the listing of each partition."""

    fetch: list[dict[str, Any]] = field(default_factory=list)
    listed: dict[str, set[int]] = field(default_factory=dict)
    new: int = 0
    moved: int = 0
    current: int = 0
    #: Listed COLAs fetched again because their page was fetched while the day was going on.
    provisional: int = 0
    #: TTB IDs we hold pages of whose status moved (or may have): only the page that shows it is fetched.
    moved_ids: set[str] = field(default_factory=set)


def plan_fetches(
    rows: Iterable[dict[str, Any]], day: date, receipt_states: dict[str, Any], provisional: date | None = None,
) -> FetchPlan:
    """Which rows listed on ``day`` need their pages fetched.

    A row is fetched unless we fetched its COLA on or after ``day`` (then the page we hold already
    shows the status listed), except a page fetched on or before ``provisional`` (a run on which the
    day was still going on): its status may have changed later that day, listed alike. Fetched rows
    are ``new`` (the partition's state had not seen them), ``moved`` (known before: the status
    changed, so the completed date moved) or ``provisional`` (fetched again now the day is over);
    only the page that shows the status is fetched again for COLAs we hold pages of.
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
            if provisional is None or last > provisional:
                plan.current += 1
                continue
            plan.fetch.append(row)
            plan.provisional += 1
            plan.moved_ids.add(row["ttb_id"])
            continue
        plan.fetch.append(row)
        if parsed.sequence <= highest and parsed.sequence not in holes:
            plan.moved += 1
            if last is not None:  # we hold its pages (fetched before): only the status moved
                plan.moved_ids.add(row["ttb_id"])
        else:
            plan.new += 1
    return plan
