"""Timestamps of the crawl tables (started_at / finished_at) and of the crawl state."""

from __future__ import annotations

from datetime import UTC, datetime


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
