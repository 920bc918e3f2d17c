"""The digest's period (an ISO week, or since a date) and the period of the same length before it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ttb_cola.ids import InvalidTtbId, check_receipt_date

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """Inclusive dates ``start`` to ``end``, with a label for titles."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        start = end - timedelta(days=self.days - 1)
        return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")


def _parse_date(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None
    return _within(day, option)


def _within(day: date, option: str) -> date:
    """``day`` if a COLA can carry it (no earlier than a TTB ID's first receipt date, no later than its last)."""
    try:
        return check_receipt_date(day)
    except InvalidTtbId as exc:
        raise ValueError(f"{option}: {exc}") from None


def week_period(text: str) -> Period:
    """The ISO week named by ``2025-W14`` (or any date in it, ``2025-04-02``): Monday to Sunday."""
    match = _ISO_WEEK.match(text.strip())
    if match:
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise ValueError(f"--week: {text!r} is not an ISO week") from None
    else:
        day = _parse_date(text.strip(), "--week")
        monday = day - timedelta(days=day.weekday())
    _within(monday, "--week")
    year, week, _ = monday.isocalendar()
    end = monday + timedelta(days=6)
    return Period(monday, end, f"week {year}-W{week:02d} ({monday.isoformat()} to {end.isoformat()})")


def resolve_period(week: str | None, since: str | None, until: str | None, today: date) -> Period:
    """The period the options name; by default the last full ISO week before ``today``.

    Raises:
        ValueError: a malformed date or week, both options, or ``since`` after ``until``.
    """
    _within(today, "--today")
    if week and since:
        raise ValueError("give --week or --since, not both")
    if since:
        start = _parse_date(since, "--since")
        end = _parse_date(until, "--until") if until else today
        if start > end:
            raise ValueError(f"--since {start.isoformat()} is after {end.isoformat()}")
        return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")
    if until:
        raise ValueError("--until needs --since")
    if week:
        return week_period(week)
    return week_period((today - timedelta(days=today.weekday() + 7)).isoformat())
