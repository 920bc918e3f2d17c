"""A command as a series of committed chunks: searches by completed-date ranges, then probes by
receipt-date ranges, with a projection at the start and an ETA after every chunk.

Each chunk is one dlt load with its state, so a crash or ``kill -9`` loses at most the chunk in
flight and a rerun of the same command skips what is committed (complete days, settled partitions).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from ttb_cola.progress import hms
from ttb_cola.search.cap import DEFAULT_EXPORT_CAP

#: Requests a receipt date costs on a first probe (all methods), before any chunk has been measured:
#: about 1,000 e-filed sequences, their pages, the holes and four frontier walks.
PRIOR_REQUESTS_PER_RECEIPT_DATE = 2_200
#: COLAs the registry lists per completed date, on average over the calendar (about 1.6 million
#: public COLAs since 2015), before any chunk has been measured.
PRIOR_COLAS_PER_COMPLETED_DATE = 450
#: Requests per listed COLA by ``pages`` mode (``none`` lists only).
REQUESTS_PER_COLA = {"form": 1, "detail": 1, "both": 2, "none": 0}
#: Search requests per completed date: consecutive dates are searched as ranges, and a search plus its
#: export lists up to the export cap (500 before a run learns it): about two requests per cap of rows
#: (the first chunk's measure replaces this prior).
SEARCH_REQUESTS_PER_DATE = 2 * PRIOR_COLAS_PER_COMPLETED_DATE / DEFAULT_EXPORT_CAP

ChunkKind = Literal["search", "receipts"]


def daily_window(today: date, days: int) -> tuple[date, date]:
    """The ``days`` dates before ``today``: yesterday back ``days`` days."""
    return today - timedelta(days=days), today - timedelta(days=1)


def chunks(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    """Consecutive date ranges of at most ``days`` days covering ``start`` to ``end``."""
    if days < 1:
        raise ValueError(f"chunk size must be at least one day, got {days}")
    first = start
    while first <= end:
        last = min(first + timedelta(days=days - 1), end)
        yield first, last
        first = last + timedelta(days=1)


@dataclass(frozen=True)
class Chunk:
    """One committed run: completed dates to search, or receipt dates to probe (or mark covered)."""

    kind: ChunkKind
    first: date
    last: date

    @property
    def days(self) -> int:
        """Dates in the chunk."""
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        what = "completed dates" if self.kind == "search" else "receipt dates"
        return f"{what} {self.first}..{self.last}"


def plan_chunks(
    receipts: tuple[date, date], search_from: date | None, today: date, chunk_days: int
) -> list[Chunk]:
    """The chunks of a command: searches from ``search_from`` to ``today`` (none when None), then the
    receipt dates, each at most ``chunk_days`` long."""
    planned: list[Chunk] = []
    if search_from is not None:
        planned += [Chunk("search", a, b) for a, b in chunks(search_from, today, chunk_days)]
    planned += [Chunk("receipts", a, b) for a, b in chunks(receipts[0], receipts[1], chunk_days)]
    return planned


@dataclass
class CommandProgress:
    """Projection and ETA of a command: from priors at first, then from what its chunks measured."""

    planned: list[Chunk]
    requests_per_second: float
    pages: str = "form"
    label: str = "ingest"
    done: list[Chunk] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=lambda: {"search": 0, "receipts": 0})
    started: float = field(default_factory=time.monotonic)

    def update(self, chunk: Chunk, requests: int) -> None:
        """Count a finished chunk and the requests it sent."""
        self.done.append(chunk)
        self.requests[chunk.kind] += requests

    def left(self) -> list[Chunk]:
        """Chunks not run yet."""
        return self.planned[len(self.done):]

    def _per_day(self, kind: ChunkKind) -> float:
        days = sum(c.days for c in self.done if c.kind == kind)
        if days and self.requests[kind]:
            return self.requests[kind] / days
        if kind == "search":
            return SEARCH_REQUESTS_PER_DATE + PRIOR_COLAS_PER_COMPLETED_DATE * REQUESTS_PER_COLA[self.pages]
        return PRIOR_REQUESTS_PER_RECEIPT_DATE * REQUESTS_PER_COLA[self.pages] / 2

    def requests_left(self) -> float:
        """Requests the chunks left should cost, estimated."""
        return sum(c.days * self._per_day(c.kind) for c in self.left())

    def eta_seconds(self) -> float:
        """Seconds left, estimated: at the configured rate, or (unlimited) at the pace so far."""
        if self.requests_per_second > 0:
            return self.requests_left() / self.requests_per_second
        spent = sum(self.requests.values())
        if spent:
            return self.requests_left() * (time.monotonic() - self.started) / spent
        return 0.0

    def projection(self) -> str:
        """The line printed at the start: the plan and how long it should take."""
        rate = f"{self.requests_per_second:g} req/s" if self.requests_per_second > 0 else "an unlimited rate"
        days = self.eta_seconds() / 86_400
        return (
            f"{self.label}: {len(self.planned)} chunks ({self._span('search')}; {self._span('receipts')}), "
            f"projected {self.requests_left():,.0f} requests, about {hms(self.eta_seconds())}"
            f"{f' ({days:.1f} days)' if days >= 1 else ''} at {rate}"
        )

    def _span(self, kind: ChunkKind) -> str:
        days = sum(c.days for c in self.planned if c.kind == kind)
        return f"{days} {'completed' if kind == 'search' else 'receipt'} dates"

    def line(self, chunk: Chunk) -> str:
        """One progress line after a chunk."""
        pct = 100.0 * len(self.done) / max(len(self.planned), 1)
        return (
            f"{self.label} {chunk} done: {len(self.done)}/{len(self.planned)} chunks ({pct:.0f}%), "
            f"{sum(self.requests.values()):,} requests, ETA {hms(self.eta_seconds())}"
        )
