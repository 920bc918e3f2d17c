"""``ingest``, ``daily``, ``backfill`` and ``reparse``: validate, take the destination's lock, run the
chunks (each one dlt load with its state), print the summary and return the documented exit status."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ttb_cola.budget import Budget
from ttb_cola.errors import InputError
from ttb_cola.runs.exit_codes import (
    EXIT_BLOCKED,
    EXIT_BUDGET,
    EXIT_FAILED,
    EXIT_HELD,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARKED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
)
from ttb_cola.runs.interrupt import Interrupt, graceful_interrupt

if TYPE_CHECKING:
    from ttb_cola.scheduler.report import RunReport, Stateful

#: Strategies by command when neither ``--strategy`` nor (for ingest) ``strategy`` says otherwise: the
#: daily run and backfills search by completed date and probe only what the searches cannot vouch for.
DEFAULT_STRATEGIES = {"daily": "both", "backfill": "both"}
DAILY_STRATEGY = DEFAULT_STRATEGIES["daily"]


@dataclass(frozen=True)
class Window:
    """A command's receipt dates (``start``, ``end`` as given) and first completed date to search."""

    start: str
    end: str | None
    search_from: date | None = None


#: ``window(today, strategy)`` gives a command's dates.
Dates = Callable[[date, str], Window]
#: ``runner(args, command, today, reports, left, interrupt)`` runs a command's chunks under its lock.
Runner = Callable[[argparse.Namespace, str, date, "list[RunReport]", list[Any], Interrupt], None]


@dataclass(frozen=True)
class CrawlSettings:
    """A crawl command's checked settings (flags, else configuration)."""

    strategy: str
    pages: str
    chunk_days: int
    rate: float
    budget: Budget
    max_workers: int
    base_url: str
    on_block: str
    images: str
    #: The page backlog (``fill``, and ``daily``'s last step): COLAs per chunk, ``daily``'s cap without a
    #: budget, the watchlist entries filled first.
    fill_chunk: int = 300
    fill_max: int = 2_000
    watchlist: tuple[Any, ...] = ()


class Stopped(Exception):
    """A chunk ended the command early: the registry blocked us, the budget is spent, or an interrupt."""


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


def crawl(args: argparse.Namespace, command: str, dates: Dates | None = None, runner: Runner | None = None) -> int:
    """Validate, take the destination's lock and run the command's chunks (``runner``, by default the
    chunks of ``dates``); the exit status."""
    from dlt.common.storages.exceptions import LoadPackageNotFound
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.destinations.lock import LockHeld
    from ttb_cola.runs.file_errors import file_error
    from ttb_cola.runs.preflight import BlockedAtStart, RegistryOutage

    try:
        today = run_date(args.today)
    except InputError as exc:
        print(f"ttb-cola {command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    reports: list[RunReport] = []
    left: list[Any] = []
    with graceful_interrupt() as interrupt:
        try:
            if runner is None:
                assert dates is not None
                _run(args, command, dates, today, reports, left, interrupt)
            else:
                runner(args, command, today, reports, left, interrupt)
        except Stopped:
            pass
        except InputError as exc:
            print(f"ttb-cola {command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except LockHeld as exc:
            print(f"ttb-cola {command}: {exc}", file=sys.stderr)
            return EXIT_HELD
        except BlockedAtStart as exc:
            print(f"ttb-cola {command}: {exc}", file=sys.stderr)
            return EXIT_BLOCKED
        except RegistryOutage as exc:
            print(f"ttb-cola {command}: {exc}; nothing was written, retry later", file=sys.stderr)
            return EXIT_UNAVAILABLE
        except PipelineStepFailed as exc:
            if known := file_error(exc):
                print(f"ttb-cola {command}: {known[1]}", file=sys.stderr)
                return known[0]
            if interrupted(exc):  # a second Ctrl-C while dlt normalized or loaded
                print(f"ttb-cola {command}: interrupted: aborted at once; the next run loads what was "
                      "committed and continues", file=sys.stderr)
                return EXIT_INTERRUPTED
            print(f"ttb-cola {command}: the {exc.step} step failed: {root_cause(exc)}", file=sys.stderr)
            return EXIT_FAILED
        except LoadPackageNotFound as exc:  # dlt's error path reading a package a killed run left half gone
            print(f"ttb-cola {command}: {root_cause(exc)} (a package a killed run left incomplete): rerun the command",
                  file=sys.stderr)
            return EXIT_FAILED
    if interrupt.lost:
        print(f"ttb-cola {command}: lost the bucket lock ({interrupt.lost}): run stopped", file=sys.stderr)
        return EXIT_FAILED
    return _finish(command, reports, left, interrupt.requested)


def run_date(value: str | None) -> date:
    """The run's date: ``--today`` (a replay), else today's date in Washington, where the registry
    dates completions. A replay later than Washington's date is refused (InputError): it would search
    days the registry has not reached and take their empty lists for the truth."""
    from ttb_cola.clock import washington_today

    real = washington_today()
    if not value:
        return real
    try:
        today = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"TODAY {value!r} is not a valid YYYY-MM-DD date") from None
    if today > real:
        raise InputError(f"TODAY {today} is later than today's date in Washington ({real}), the registry's date: "
                         "a replay can only be of a date that has come")
    return today


def _settings(args: argparse.Namespace, command: str) -> tuple[str, str, int, float]:
    """The run's strategy, pages mode, chunk size and rate, from the flags or the configuration."""
    from ttb_cola.runs.inputs import configured
    from ttb_cola.runs.limits import count, given, rate
    from ttb_cola.search.plan import check_pages, check_strategy, listing_strategy

    pages = args.pages or configured("pages", "form")
    try:
        check_pages(pages)
        strategy = (listing_strategy(pages, args.strategy) or DEFAULT_STRATEGIES.get(command)
                    or configured("strategy", "probe"))
        check_strategy(strategy)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    chunk_days = count(*given(args.chunk_days, "--chunk-days", "chunk_days", 7))
    return strategy, pages, chunk_days, rate(*given(args.requests_per_second, "--requests-per-second",
                                                    "requests_per_second", 2.0))


def _budget(args: argparse.Namespace) -> Budget:
    from ttb_cola.runs.limits import count, given, positive

    minutes, minutes_name = given(args.max_minutes, "--max-minutes", "max_minutes")
    requests, requests_name = given(args.max_requests, "--max-requests", "max_requests")
    return Budget(
        max_minutes=positive(minutes, minutes_name) if minutes is not None else None,
        max_requests=count(requests, requests_name) if requests is not None else None,
    )


def crawl_settings(args: argparse.Namespace, command: str) -> CrawlSettings:
    """The command's settings, checked (InputError) before anything is created or written."""
    from ttb_cola.runs.inputs import configured
    from ttb_cola.runs.limits import check_crawl_settings, count, given

    strategy, pages, chunk_days, rate = _settings(args, command)
    budget = _budget(args)
    max_workers = count(*given(args.max_workers, "--max-workers", "max_workers", 4))
    check_crawl_settings()
    base_url = args.base_url or configured("base_url")
    if not base_url:
        raise InputError("no base_url: set sources.ttb_cola.base_url in .dlt/config.toml")
    on_block = getattr(args, "on_block", None) or configured("on_block", "stop")
    if on_block not in ("stop", "wait"):
        raise InputError(f"on_block must be stop or wait, got {on_block!r}")
    images = getattr(args, "images", None) or configured("images", "none")
    if images not in ("none", "front", "all"):
        raise InputError(f"images must be none, front or all, got {images!r}")
    settings = CrawlSettings(strategy, pages, chunk_days, rate, budget, max_workers, base_url, on_block, images)
    if command in ("fill", "daily", "backfill"):
        from ttb_cola.fill.command import fill_settings

        settings = fill_settings(settings)
    return settings


def start_crawl(args: argparse.Namespace, settings: CrawlSettings) -> None:
    """Check that the registry answers (before the lock is taken), then turn the progress lines on."""
    from ttb_cola.runs.inputs import configured
    from ttb_cola.runs.preflight import check_reachable

    check_reachable(settings.base_url, configured("ca_bundle") or None, user_agent=configured("user_agent") or None)
    configure_logging(args.quiet)


def _run(
    args: argparse.Namespace, command: str, dates: Dates, today: date, reports: list[RunReport], left: list[Any],
    interrupt: Interrupt,
) -> None:
    from ttb_cola.destinations.warehouse import destination_lock
    from ttb_cola.progress import progress_log
    from ttb_cola.runs.inputs import validate
    from ttb_cola.runs.pipeline import run_ingest
    from ttb_cola.runs.schedule import CommandProgress, plan_chunks
    from ttb_cola.scheduler.report import RunReport

    settings = crawl_settings(args, command)
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


def _finish(command: str, reports: list[RunReport], left: list[Any], interrupted: bool = False) -> int:
    from ttb_cola.runs.report import summary

    for report in reports:
        print(summary(report))
    blocked = [r for r in reports if r.blocked]
    if blocked:
        outcomes: list[Stateful] = [o for o in blocked[0].searches if o.blocked]
        outcomes += [o for o in blocked[0].outcomes if o.blocked]
        why = blocked[0].block or (outcomes[0].state.get("last_error") if outcomes else None) or "blocked"
        print(f"ttb-cola {command}: the registry is blocking us or not answering: run stopped ({why}); "
              "lower requests_per_second and retry later, or run unattended with --on-block wait",
              file=sys.stderr)
        return EXIT_BLOCKED
    if interrupted:
        print(f"ttb-cola {command}: interrupted: what was confirmed is committed; run again to continue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    failed = [o for report in reports for o in report.failed]
    if failed:
        keys = ", ".join(o.key for o in failed[:10])
        print(f"ttb-cola {command}: {len(failed)} partition(s) failed ({keys}); the next run retries them",
              file=sys.stderr)
        return EXIT_FAILED
    if left:
        print(f"ttb-cola {command}: budget reached (max_minutes / max_requests): everything loaded so far is "
              f"committed; {len(left)} chunk(s) left, from {left[0]}: rerun the same command to resume",
              file=sys.stderr)
        return EXIT_BUDGET
    return _parked(command, reports)


def _parked(command: str, reports: list[RunReport]) -> int:
    """EXIT_PARKED, naming a few, when the run parked COLAs (or retried parked ones in vain), else 0."""
    still = set(reports[-1].still_parked) if reports else set()
    parked = {p.ttb_id: p for report in reports for p in report.parked if p.ttb_id in still}
    if not parked:
        return EXIT_OK
    named = ", ".join(f"{p.ttb_id} ({p.page})" for p in list(parked.values())[:5])
    print(f"ttb-cola {command}: finished, {len(parked)} COLA(s) parked ({named}): the rest is loaded; every "
          "run retries them (`ttb-cola status` lists them, table crawl_parked)", file=sys.stderr)
    return EXIT_PARKED


def reparse(args: argparse.Namespace) -> int:
    """Rebuild the record tables from the raw page archive, without HTTP."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.runs.heap import settle_for_parsing
    from ttb_cola.runs.pipeline import run_reparse

    settle_for_parsing()
    try:
        info = run_reparse(args.destination, args.archive_url, args.pipelines_dir)
    except InputError as exc:
        print(f"ttb-cola reparse: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineStepFailed as exc:
        print(f"ttb-cola reparse: the {exc.step} step failed: {root_cause(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"ttb-cola reparse: rebuilt from the archive into {info.destination_name} dataset {info.dataset_name}")
    return EXIT_OK


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` or one of its causes is a ``KeyboardInterrupt`` (dlt wraps one raised in a step)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def root_cause(exc: BaseException) -> str:
    """The first line of the innermost cause, for one-line error messages."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def configure_logging(quiet: bool) -> None:
    """Progress lines on stderr, timestamped (none with ``quiet``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    progress = logging.getLogger("ttb_cola.progress")
    progress.handlers[:] = [handler]
    progress.setLevel(logging.WARNING if quiet else logging.INFO)
    progress.propagate = False
