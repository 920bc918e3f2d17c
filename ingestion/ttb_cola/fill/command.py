"""``ttb-cola fill`` and the backlog part of ``daily``: fetch the pages listed COLAs owe.

The backlog is read from the destination's tables at the start (:mod:`.backlog`), ordered
(:mod:`.plan`: watchlist matches first, then newest completed date first) and fetched in committed
chunks of :data:`CHUNK_COLAS` COLAs, each one dlt load with its rows, under the command's budget
(``--max-minutes`` / ``--max-requests``: no fetch starts once it is spent). A rerun reads the backlog
again, so a COLA whose pages were committed is never fetched again. ``daily`` fills with what is
left of its budget after its own chunks; with no budget it fills at most ``fill_max`` COLAs.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ttb_cola.errors import InputError
from ttb_cola.fill.plan import Owed, chunked, order
from ttb_cola.progress import hms, progress_log

if TYPE_CHECKING:
    from ttb_cola.runs.crawl import CrawlSettings
    from ttb_cola.runs.inputs import IngestRequest
    from ttb_cola.runs.interrupt import Interrupt
    from ttb_cola.scheduler.report import RunReport

#: COLAs per committed chunk (one dlt load each); setting ``fill_chunk_colas``.
CHUNK_COLAS = 300
#: COLAs ``daily`` fills at most when it runs without a budget; setting ``fill_max``.
DAILY_FILL_MAX = 2_000


@dataclass(frozen=True)
class FillChunk:
    """One committed chunk of the backlog: its TTB IDs, in fill order."""

    first: int
    owed: list[Owed]
    total: int

    @property
    def ids(self) -> list[str]:
        """The chunk's TTB IDs, in fill order."""
        return [o.ttb_id for o in self.owed]

    def __str__(self) -> str:
        if not self.owed:
            return "the parked COLAs' retry"
        dates = sorted(o.completed_date for o in self.owed)
        return (f"owed COLAs {self.first + 1}-{self.first + len(self.owed)} of {self.total} "
                f"(completed {dates[-1]}..{dates[0]})")


@dataclass
class FillProgress:
    """Projection and ETA of the whole backlog: from the prior requests per COLA, then as measured."""

    backlog: int
    requests_per_second: float
    pages: str
    label: str = "fill"
    fetched: int = 0
    requests: int = 0
    started: float = field(default_factory=time.monotonic)

    def update(self, report: RunReport) -> None:
        """Count a finished chunk's fetched COLAs and requests."""
        self.fetched += sum(1 for o in report.filled if o.requests)
        self.requests += report.requests

    def per_cola(self) -> float:
        """Requests per owed COLA: measured, else the pages mode's prior."""
        from ttb_cola.runs.schedule import REQUESTS_PER_COLA

        return self.requests / self.fetched if self.fetched else float(REQUESTS_PER_COLA[self.pages])

    def eta_seconds(self) -> float:
        """Seconds to fill the rest of the backlog: at the configured rate, or (unlimited) at the pace so far."""
        requests = max(self.backlog - self.fetched, 0) * self.per_cola()
        if self.requests_per_second > 0:
            return requests / self.requests_per_second
        return requests * (time.monotonic() - self.started) / self.requests if self.requests else 0.0

    def projection(self, owed: list[Owed], watched: int, planned: int) -> str:
        """The line printed at the start: the backlog, what this run plans, how long the backlog takes."""
        if not owed:
            return f"{self.label}: no listed COLA owes pages ({self.pages})"
        span = f"completed {min(o.completed_date for o in owed)}..{max(o.completed_date for o in owed)}"
        return (f"{self.label}: {len(owed):,} listed COLAs owe pages ({self.pages}; {span}; {watched} watchlist "
                f"match(es) first), {planned:,} planned in this run; the backlog about {hms(self.eta_seconds())} "
                f"at {self._rate()}")

    def line(self, chunk: FillChunk) -> str:
        """One progress line after a chunk."""
        pct = 100.0 * self.fetched / max(self.backlog, 1)
        return (f"{self.label} {chunk} done: {self.fetched:,}/{self.backlog:,} COLAs ({pct:.1f}%), "
                f"{self.requests:,} requests ({self.per_cola():.2f}/COLA), backlog ETA {hms(self.eta_seconds())}")

    def _rate(self) -> str:
        return f"{self.requests_per_second:g} req/s" if self.requests_per_second > 0 else "an unlimited rate"


def run_fill(args: argparse.Namespace) -> int:
    """The ``fill`` command: the exit status (as the other crawl commands')."""
    from ttb_cola.runs.crawl import run_crawl

    return run_crawl(args, "fill", _fill_command)


def _fill_command(args: argparse.Namespace, command: str, today: date, reports: list[RunReport], left: list[Any],
                  interrupt: Interrupt) -> None:
    from ttb_cola.destinations.warehouse import destination_lock
    from ttb_cola.runs.crawl import crawl_settings, start_crawl
    from ttb_cola.runs.inputs import validate

    settings = fill_settings(crawl_settings(args, command))
    if settings.pages == "none":
        raise InputError("fill fetches pages: give --pages form, detail or both (pages = none only lists)")
    request = validate(today.isoformat(), None, None, args.destination, today)
    start_crawl(args, settings)
    with destination_lock(request.destination, f"ttb-cola {command}", on_lost=interrupt.lease_lost):
        fill_backlog(args, settings, request, today, reports, left, interrupt, label=command)


def fill_settings(settings: CrawlSettings) -> CrawlSettings:
    """``settings`` with the backlog's (``fill_chunk_colas``, ``fill_max``, the watchlist), checked."""
    from ttb_cola.runs.limits import count, given

    return dataclasses.replace(
        settings, fill_chunk=count(*given(None, "", "fill_chunk_colas", CHUNK_COLAS)),
        fill_max=count(*given(None, "", "fill_max", DAILY_FILL_MAX)), watchlist=tuple(_watchlist()),
    )


def daily_fill(args: argparse.Namespace, settings: CrawlSettings, request: IngestRequest, today: date,
               reports: list[RunReport], interrupt: Interrupt) -> None:
    """``daily``'s last step: the backlog, with what is left of the budget (with none: at most ``fill_max``
    COLAs). COLAs left owing are no chunk of the daily run's own: they do not make it exit 75."""
    budget = settings.budget
    if budget.spent() or settings.pages == "none":  # a listing-only daily fetches no page
        return
    unbounded = budget.max_minutes is None and budget.max_requests is None
    fill_backlog(args, settings, request, today, reports, [], interrupt, label="daily fill",
                 limit=settings.fill_max if unbounded else None, retry_parked=False)


def fill_backlog(
    args: argparse.Namespace, settings: CrawlSettings, request: IngestRequest, today: date, reports: list[RunReport],
    left: list[Any], interrupt: Interrupt, *, label: str, limit: int | None = None,
    retry_parked: bool = True, since: date | None = None,
) -> None:
    """Read the backlog (COLAs completed on or after ``since``, when given), order it and fetch it chunk
    by chunk (under the destination's lock, held by the caller); raises the crawl's ``Stopped`` when a
    chunk ends early."""
    from ttb_cola.fill.backlog import backlog_tables, parked_count, read_backlog
    from ttb_cola.fill.plan import matches
    from ttb_cola.runs.crawl import Stopped
    from ttb_cola.runs.pipeline import crawl_pipeline, run_ingest
    from ttb_cola.runs.recovery import finish_pending
    from ttb_cola.scheduler.report import RunReport

    size, watchlist = settings.fill_chunk, settings.watchlist
    pipeline, lake = crawl_pipeline(request.destination, args.pipelines_dir)
    finish_pending(pipeline)  # what a killed run committed is loaded first: its COLAs owe nothing
    with backlog_tables(request.destination, pipeline.dataset_name, lake) as con:
        owed = read_backlog(con, settings.pages, since)
        parked = parked_count(con)
    ordered = order(owed, watchlist)
    todo = ordered[:limit] if limit is not None else ordered
    watched = sum(1 for o in owed if any(matches(entry, o) for entry in watchlist))
    progress = FillProgress(len(owed), settings.rate, settings.pages, label=label)
    progress_log.info(progress.projection(owed, watched, len(todo)))
    planned = [FillChunk(n * size, part, len(owed)) for n, part in enumerate(chunked(todo, size))]
    if not planned and parked and retry_parked:  # nothing owed but the parked COLAs: retry them all the same
        planned = [FillChunk(0, [], 0)]
    left += planned
    budget = settings.budget
    for chunk in planned:
        _, report = run_ingest(
            request, today=today, fill=chunk.ids, pipelines_dir=args.pipelines_dir, budget=budget,
            base_url=args.base_url, requests_per_second=args.requests_per_second, max_workers=settings.max_workers,
            pages=settings.pages, on_block=settings.on_block, images=settings.images,
            report=RunReport(stop=interrupt.chunk_stop()), retry_parked=retry_parked and chunk is planned[0],
        )
        reports.append(report)
        progress.update(report)
        progress_log.info(progress.line(chunk))
        if not report.deferred and not report.blocked and not interrupt.requested:
            left.remove(chunk)
        if report.blocked or report.deferred or budget.spent() or interrupt.requested or interrupt.lost:
            raise Stopped


def _watchlist() -> list[Any]:
    """The watchlist's entries (none without the file); a malformed file is bad input."""
    from ttb_cola.digest.watchlist import DEFAULT_WATCHLIST, WatchlistError, read_watchlist
    from ttb_cola.settings import configured

    path = Path(configured("watchlist", str(DEFAULT_WATCHLIST)))
    if not path.is_file():
        return []
    try:
        return read_watchlist(path)
    except WatchlistError as exc:
        raise InputError(str(exc)) from None
