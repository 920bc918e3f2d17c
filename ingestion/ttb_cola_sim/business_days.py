"""The federal-holiday calendar and the business days it leaves, when approvals and status changes land.

E-filing slows to a trickle on federal holidays, and with business-day lags no COLA is completed on a
weekend or a holiday.
"""

from __future__ import annotations

import bisect
from datetime import date, timedelta

_HOLIDAYS: dict[int, frozenset[date]] = {}


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday 0) of a month; ``n`` < 0 counts from the month's end."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    if n > 0:
        return first + timedelta(days=offset + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """The weekday a fixed-date holiday is observed on (Friday for Saturday, Monday for Sunday)."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def federal_holidays(year: int) -> frozenset[date]:
    """US federal holidays of a year (observed dates), when e-filing slows to a trickle."""
    if year not in _HOLIDAYS:
        days = {
            _observed(date(year, 1, 1)),
            _nth_weekday(year, 1, 0, 3),
            _nth_weekday(year, 2, 0, 3),
            _nth_weekday(year, 5, 0, -1),
            _observed(date(year, 7, 4)),
            _nth_weekday(year, 9, 0, 1),
            _nth_weekday(year, 10, 0, 2),
            _observed(date(year, 11, 11)),
            _nth_weekday(year, 11, 3, 4),
            _observed(date(year, 12, 25)),
        }
        if year >= 2021:
            days.add(_observed(date(year, 6, 19)))
        _HOLIDAYS[year] = frozenset(days)
    return _HOLIDAYS[year]


def business_ordinals(start: date) -> list[int]:
    """Ordinals of the business days (not weekends, not federal holidays) from a year before
    ``start`` to 2100."""
    out = []
    day = date(start.year - 1, 1, 1)
    end = date(2100, 12, 31)
    while day <= end:
        if day.weekday() < 5 and day not in federal_holidays(day.year):
            out.append(day.toordinal())
        day += timedelta(days=1)
    return out


def business_day_after(business: list[int], ordinal: int, count: int) -> int:
    """The ``count``-th business day after ``ordinal``, in the sorted ordinals ``business``."""
    return business[bisect.bisect_right(business, ordinal) + count - 1]
