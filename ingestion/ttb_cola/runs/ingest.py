"""``ingest``, ``daily``, ``backfill`` and ``reparse``: the receipt and completed dates a command covers,
and its chunks (each one dlt load with its state) run under the destination's lock in the crawl's
frame (:mod:`ttb_cola.runs.crawl`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ttb_cola.errors import InputError
from ttb_cola.runs.crawl import CrawlSettings, Stopped, crawl_settings, run_crawl, start_crawl
from ttb_cola.runs.exit_codes import EXIT_OK
from ttb_cola.runs.interrupt import Interrupt

if TYPE_CHECKING:
    from ttb_cola.scheduler.report import RunReport


@dataclass(frozen=True)
class Window:
    """A command's receipt dates (``start``, ``end`` as given) and first completed date to search."""

    start: str
    end: str | None
    search_from: date | None = None


#: ``window(today, strategy)`` gives a command's dates.
Dates = Callable[[date, str], Window]


def ingest_dates(args: argparse.Namespace) -> Dates:
    """``ingest``: DATE, or START [END]; searches (if any) from the first receipt date to today."""

    def dates(today: date, strategy: str) -> Window:
        if not (args.date or args.start):
            raise InputError("give DATE=YYYY-MM-DD (one receipt date) or START=... [END=...] (a range)")
        if args.date and (args.start or args.end):
            raise InputError("give either DATE or START/END, not both")
        start = args.date or args.start
        return Window(start, args.end, _first_search_day(start, strategy))

    return dates


def daily_dates(args: argparse.Namespace) -> Dates:
    """``daily``: completed dates from ``lookback_days`` ago to today, and receipt dates from yesterday
    back ``settle_days`` (the state decides which partitions are due and which the searches cover)."""
    from ttb_cola.runs.inputs import check_day
    from ttb_cola.runs.limits import count, given
    from ttb_cola.runs.schedule import daily_window

    def dates(today: date, strategy: str) -> Window:
        lookback, lookback_name = given(args.lookback_days, "--lookback-days", "lookback_days", 120)
        lookback = count(lookback, lookback_name)
        settle, settle_name = given(None, "", "settle_days", 120)
        first, last = daily_window(today, count(settle, settle_name))
        check_day(first, f"{settle_name} {settle}: the first receipt date")
        oldest = check_day(today - timedelta(days=lookback), f"{lookback_name} {lookback}: the first completed date")
        return Window(first.isoformat(), last.isoformat(), oldest if strategy != "probe" else None)

    return dates


def backfill_dates(args: argparse.Namespace) -> Dates:
    """``backfill``: START to END (default yesterday); searches from START to today."""

    def dates(today: date, strategy: str) -> Window:
        return Window(args.start, args.end or (today - timedelta(days=1)).isoformat(),
                      _first_search_day(args.start, strategy))

    return dates


def _first_search_day(start: str, strategy: str) -> date | None:
    if strategy == "probe":
        return None
    from ttb_cola.runs.inputs import parse_day

    return parse_day(start, "START")


def crawl(args: argparse.Namespace, command: str, dates: Dates) -> int:
    """Validate, take the destination's lock and run the command's chunks of ``dates``; the exit status."""

    def runner(args: argparse.Namespace, command: str, today: date, reports: list[RunReport], left: list[Any],
               interrupt: Interrupt) -> None:
        _run(args, command, dates, today, reports, left, interrupt)

    return run_crawl(args, command, runner)


def _run(
    args: argparse.Namespace, command: str, dates: Dates, today: date, reports: list[RunReport], left: list[Any],
    interrupt: Interrupt,
) -> None:
    from ttb_cola.destinations.warehouse import destination_lock
    from ttb_cola.fill.command import fill_settings
    from ttb_cola.progress import progress_log
    from ttb_cola.runs.inputs import validate
    from ttb_cola.runs.pipeline import run_ingest
    from ttb_cola.runs.schedule import CommandProgress, plan_chunks
    from ttb_cola.scheduler.report import RunReport

    settings = crawl_settings(args, command)
    if command in ("daily", "backfill"):
        settings = fill_settings(settings)
    strategy, pages, chunk_days, rate = settings.strategy, settings.pages, settings.chunk_days, settings.rate
    budget, max_workers, on_block, images = settings.budget, settings.max_workers, settings.on_block, settings.images
    window = dates(today, strategy)
    request = validate(window.start, window.end, args.methods, args.destination, today)
    start_crawl(args, settings)
    planned = plan_chunks((request.start, request.end), window.search_from, today, chunk_days)
    if pages == "none":  # listing only: the receipt dates are neither probed nor marked covered
        planned = [chunk for chunk in planned if chunk.kind == "search"]
    list_first = lists_first(command, strategy, pages)
    progress = CommandProgress(planned, rate, pages, label=command)
    left[:] = planned
    with destination_lock(request.destination, f"ttb-cola {command}", on_lost=interrupt.lease_lost):
        progress_log.info(progress.projection())
        for chunk in planned:
            listing = list_first and chunk.kind == "search"
            _, report = run_ingest(
                request, today=today, chunk=chunk, reprobe=args.reprobe, pipelines_dir=args.pipelines_dir,
                budget=budget, base_url=args.base_url, requests_per_second=args.requests_per_second,
                max_workers=max_workers, strategy="search" if listing else strategy,
                pages="none" if listing else pages, on_block=on_block, images=images,
                report=RunReport(stop=interrupt.chunk_stop()), retry_parked=chunk is planned[0],
            )
            reports.append(report)
            progress.update(chunk, report.requests)
            progress_log.info(progress.line(chunk))
            if not report.deferred and not report.blocked and not interrupt.requested:
                left.remove(chunk)
            if report.blocked or report.deferred or budget.spent() or interrupt.requested or interrupt.lost:
                raise Stopped
            if listing and chunk is [c for c in planned if c.kind == "search"][-1]:  # the whole range is listed
                _fill_listed(args, settings, request, today, reports, left, interrupt, window.search_from)
        if command == "daily":  # what is left of the budget goes to the page backlog
            from ttb_cola.fill.command import daily_fill

            daily_fill(args, settings, request, today, reports, interrupt)
            from ttb_cola.runs.open_data import daily_open_data

            daily_open_data(args, today)


def lists_first(command: str, strategy: str, pages: str) -> bool:
    """Whether the command lists its whole range before fetching any page: ``backfill`` with pages
    searches its completed dates listing only (the index is complete early), fills the pages they owe
    newest first, then covers its receipt dates as those pages are in."""
    return command == "backfill" and strategy != "probe" and pages != "none"


def _fill_listed(
    args: argparse.Namespace, settings: CrawlSettings, request: Any, today: date, reports: list[RunReport],
    left: list[Any], interrupt: Interrupt, since: date | None,
) -> None:
    """A listing-first backfill's fill: the pages its listed dates owe, newest first, before its receipt
    chunks (raises ``Stopped`` when the budget ends it; those chunks stay left, after the fill's)."""
    from ttb_cola.fill.command import fill_backlog

    receipts = [chunk for chunk in left if getattr(chunk, "kind", None) == "receipts"]
    left[:] = [chunk for chunk in left if chunk not in receipts]
    try:
        fill_backlog(args, settings, request, today, reports, left, interrupt, label="backfill fill",
                     since=since)
    finally:
        left += receipts


def reparse(args: argparse.Namespace) -> int:
    """Rebuild the record tables from the raw page archive, without HTTP."""
    from ttb_cola.fork_server import start_fork_server

    if args.destination != "filesystem":  # the lake's archive is on its bucket: parsed here, no workers
        start_fork_server()  # its interpreter starts while this one imports dlt
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.heap import settle_for_parsing
    from ttb_cola.runs.failures import exit_status
    from ttb_cola.runs.reparse import run_reparse

    settle_for_parsing()
    try:
        info = run_reparse(args.destination, args.archive_url, args.pipelines_dir)
    except (InputError, PipelineStepFailed) as exc:
        return exit_status("reparse", exc, interrupt="interrupted: rerun it to rebuild the tables from the archive")
    print(f"ttb-cola reparse: rebuilt from the archive into {info.destination_name} dataset {info.dataset_name}")
    return EXIT_OK
