"""Scheduled operation: the daily window, and resumable chunks of receipt dates with an ETA.

The daily run re-checks yesterday back ``lookback_days`` (partition state decides what is due);
a backfill is a series of small runs (chunks of receipt dates), each committing its data and state
to the destination, so a crash or ``kill -9`` loses at most the chunk in flight.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ttb_cola.progress import hms, progress_log

#: Requests a receipt date costs on a first crawl (all methods), before any run has been measured:
#: about 1,000 e-filed sequences, their forms, the holes and four frontier walks.
PRIOR_REQUESTS_PER_DATE = 2_200


def daily_window(today: date, lookback_days: int) -> tuple[date, date]:
    """Receipt dates of the daily run: yesterday back ``lookback_days`` days."""
    return today - timedelta(days=lookback_days), today - timedelta(days=1)


def chunks(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    """Consecutive date ranges of at most ``days`` days covering ``start`` to ``end``."""
    if days < 1:
        raise ValueError(f"chunk size must be at least one day, got {days}")
    first = start
    while first <= end:
        last = min(first + timedelta(days=days - 1), end)
        yield first, last
        first = last + timedelta(days=1)


@dataclass
class BackfillProgress:
    """ETA of a backfill: from the configured rate at first, then from what the chunks measured."""

    total_dates: int
    requests_per_second: float
    label: str = "backfill"
    done_dates: int = 0
    requests: int = 0
    started: float = field(default_factory=time.monotonic)

    def update(self, dates: int, requests: int) -> None:
        """Count a finished chunk."""
        self.done_dates += dates
        self.requests += requests

    def eta_seconds(self) -> float:
        """Seconds left, estimated."""
        remaining = self.total_dates - self.done_dates
        per_date = self.requests / self.done_dates if self.done_dates and self.requests else PRIOR_REQUESTS_PER_DATE
        if self.requests_per_second > 0:
            return remaining * per_date / self.requests_per_second
        if self.done_dates:
            return remaining * (time.monotonic() - self.started) / self.done_dates
        return 0.0

    def line(self, first: date, last: date) -> str:
        """One progress line after a chunk."""
        pct = 100.0 * self.done_dates / max(self.total_dates, 1)
        return (
            f"{self.label} {first}..{last} done: {self.done_dates}/{self.total_dates} dates ({pct:.0f}%), "
            f"{self.requests:,} requests, ETA {hms(self.eta_seconds())}"
        )


def run_chunks(
    start: date,
    end: date,
    chunk_days: int,
    requests_per_second: float,
    run_chunk: Callable[[date, date], Any],
    label: str = "backfill",
) -> BackfillProgress:
    """Run ``run_chunk(first, last)`` over the chunks (it returns a RunReport), logging progress."""
    progress = BackfillProgress((end - start).days + 1, requests_per_second, label)
    progress_log.info(
        "%s %s..%s: %d dates in chunks of %d, first estimate %s at %s req/s",
        label, start, end, progress.total_dates, chunk_days, hms(progress.eta_seconds()),
        requests_per_second or "unlimited",
    )
    for first, last in chunks(start, end, chunk_days):
        report = run_chunk(first, last)
        progress.update((last - first).days + 1, sum(o.requests for o in report.outcomes))
        progress_log.info(progress.line(first, last))
    return progress
