"""The run's clocks: timestamps of the crawl tables (UTC) and the registry's own date (Washington's)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: The registry (TTB, Washington DC) dates completions in Eastern time, not in the machine's zone.
REGISTRY_ZONE = ZoneInfo("America/New_York")


def utc_now() -> str:
    """Now in UTC, ISO 8601 to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def washington_today() -> date:
    """Today's date in Washington (America/New_York): the date the registry is at, whatever the
    machine's own zone (a UTC machine is already on tomorrow from 19:00 or 20:00 Eastern)."""
    return datetime.now(REGISTRY_ZONE).date()
