"""``ingest``, ``daily``, ``backfill`` and ``reparse``: validate, take the destination's lock, run the
chunks (each one dlt load with its state), print the summary and return the documented exit status."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ttb_cola.errors import InputError
from ttb_cola.runs.exit_codes import (
    EXIT_BLOCKED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
)
from ttb_cola.runs.interrupt import Interrupt, graceful_interrupt

if TYPE_CHECKING:
    from ttb_cola.scheduler import RunReport

#: The daily run finds new COLAs and status changes by completed date, probing what search misses.
DAILY_STRATEGY = "both"
#: ``dates(today)`` gives a command's (start, end) receipt dates.
Dates = Callable[[date], tuple[str, str | None]]


class _Blocked(Exception):
    """The registry blocked a chunk, or Ctrl-C stopped it: stop the remaining ones."""


def ingest_dates(args: argparse.Namespace) -> Dates:
    """``ingest``: DATE, or START [END]."""

    def dates(today: date) -> tuple[str, str | None]:
        if not (args.date or args.start):
            raise InputError("give DATE=YYYY-MM-DD (one receipt date) or START=... [END=...] (a range)")
        if args.date and (args.start or args.end):
            raise InputError("give either DATE or START/END, not both")
        return args.date or args.start, args.end

    return dates


def daily_dates(args: argparse.Namespace) -> Dates:
    """``daily``: yesterday back ``lookback_days``, all methods; state decides which partitions are due."""
    from ttb_cola.runs.inputs import configured
    from ttb_cola.runs.schedule import daily_window

    def dates(today: date) -> tuple[str, str | None]:
        lookback = args.lookback_days or int(configured("lookback_days", 45))
        first, last = daily_window(today, lookback)
        return first.isoformat(), last.isoformat()

    return dates


def backfill_dates(args: argparse.Namespace) -> Dates:
    """``backfill``: START to END (default yesterday), in chunks that each commit."""

    def dates(today: date) -> tuple[str, str | None]:
        if args.chunk_days < 1:
            raise InputError(f"CHUNK_DAYS must be at least 1, got {args.chunk_days}")
        return args.start, args.end or (today - timedelta(days=1)).isoformat()

    return dates


def crawl(args: argparse.Namespace, command: str, dates: Dates) -> int:
    """Validate, take the destination's lock and crawl the chunks; the exit status."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.destinations.lock import LockHeld
    from ttb_cola.runs.preflight import BlockedAtStart, RegistryOutage

    try:
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        print(f"ttb-cola {command}: TODAY {args.today!r} is not a valid YYYY-MM-DD date", file=sys.stderr)
        return EXIT_USAGE
    reports: list[RunReport] = []
    with graceful_interrupt() as interrupt:
        try:
            _run(args, command, dates, today, reports, interrupt)
        except _Blocked:
            pass
        except (InputError, LockHeld) as exc:
            print(f"ttb-cola {command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except BlockedAtStart as exc:
            print(f"ttb-cola {command}: {exc}", file=sys.stderr)
            return EXIT_BLOCKED
        except RegistryOutage as exc:
            print(f"ttb-cola {command}: {exc}; nothing was written, retry later", file=sys.stderr)
            return EXIT_UNAVAILABLE
        except PipelineStepFailed as exc:
            print(f"ttb-cola {command}: the {exc.step} step failed: {root_cause(exc)}", file=sys.stderr)
            return EXIT_FAILED
    if interrupt.lost:
        print(f"ttb-cola {command}: lost the bucket lock ({interrupt.lost}): run stopped", file=sys.stderr)
        return EXIT_FAILED
    return _finish(command, reports, interrupt.requested)


def _run(
    args: argparse.Namespace, command: str, dates: Dates, today: date, reports: list[RunReport], interrupt: Interrupt
) -> None:
    from ttb_cola.destinations.warehouse import destination_lock
    from ttb_cola.runs.inputs import configured, validate
    from ttb_cola.runs.pipeline import run_ingest
    from ttb_cola.runs.preflight import check_reachable
    from ttb_cola.runs.schedule import run_chunks
    from ttb_cola.scheduler import RunReport
    from ttb_cola.search.plan import check_strategy

    start, end = dates(today)
    request = validate(start, end, args.methods, args.destination, today)
    base_url = args.base_url or configured("base_url")
    if not base_url:
        raise InputError("no base_url: set sources.ttb_cola.base_url in .dlt/config.toml")
    strategy = args.strategy or (DAILY_STRATEGY if command == "daily" else configured("strategy", "probe"))
    try:
        check_strategy(strategy)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    on_block = getattr(args, "on_block", None) or configured("on_block", "stop")
    if on_block not in ("stop", "wait"):
        raise InputError(f"on_block must be stop or wait, got {on_block!r}")
    check_reachable(base_url, configured("ca_bundle") or None, user_agent=configured("user_agent") or None)
    configure_logging(args.quiet)
    with destination_lock(request.destination, f"ttb-cola {command}", on_lost=interrupt.lease_lost):

        def run_chunk(first: date, last: date) -> Any:
            _, report = run_ingest(
                dataclasses.replace(request, start=first, end=last),
                today=today,
                full_refresh=args.full_refresh,
                pipelines_dir=args.pipelines_dir,
                base_url=args.base_url,
                requests_per_second=args.requests_per_second,
                max_workers=args.max_workers,
                strategy=strategy,
                on_block=on_block,
                report=RunReport(stop=interrupt.chunk_stop()),
            )
            reports.append(report)
            if report.blocked or interrupt.requested or interrupt.lost:
                raise _Blocked
            return report

        chunk_days = getattr(args, "chunk_days", None) or (request.end - request.start).days + 1
        rate = args.requests_per_second
        if rate is None:
            rate = configured("requests_per_second", 2.0)
        run_chunks(request.start, request.end, chunk_days, float(rate), run_chunk, label=command)


def _finish(command: str, reports: list[RunReport], interrupted: bool = False) -> int:
    from ttb_cola.runs.report import summary

    for report in reports:
        print(summary(report))
    blocked = [r for r in reports if r.blocked]
    if blocked:
        outcomes = [o for o in [*blocked[0].searches, *blocked[0].outcomes] if o.blocked]
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
    return EXIT_OK


def reparse(args: argparse.Namespace) -> int:
    """Rebuild the record tables from the raw page archive, without HTTP."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.runs.pipeline import run_reparse

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
