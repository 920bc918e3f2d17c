"""The run's clocks: timestamps of the crawl tables and the crawl state (UTC), and the registry's own
date (Washington's)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: The registry (TTB, Washington DC) dates completions in Eastern time, not in the machine's zone.
REGISTRY_ZONE = ZoneInfo("America/New_York")


def utc_timestamp() -> datetime:
    """Now in UTC, to the millisecond: what the crawl tables' timestamp columns hold (never a string,
    so never an empty one the schema contract would refuse)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def iso(moment: datetime) -> str:
    """A timestamp as ISO 8601 to the millisecond, as the crawl state keeps it."""
    return moment.isoformat(timespec="milliseconds")


def utc_now() -> str:
    """Now in UTC, ISO 8601 to the millisecond."""
    return iso(utc_timestamp())


def washington_today() -> date:
    """Today's date in Washington (America/New_York): the date the registry is at, whatever the
    machine's own zone (a UTC machine is already on tomorrow from 19:00 or 20:00 Eastern)."""
    return datetime.now(REGISTRY_ZONE).date()
