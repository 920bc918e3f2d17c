"""The ``ttb-cola`` command line: ingest, daily, backfill, status, reparse, parse, digest, report, simulate."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ttb_cola.listing import check_strategy
from ttb_cola.pages import PageKind, classify
from ttb_cola.parsers import ParseError, parse_page
from ttb_cola.records import build_record

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BLOCKED = 3
#: The daily run finds new COLAs and status changes by completed date, probing what search misses.
DAILY_STRATEGY = "both"


def parse_file(path: Path) -> dict[str, Any]:
    """Classify and parse one saved page into ``{"file", "kind", "record"}``."""
    body = path.read_bytes()
    kind = classify(body)
    result: dict[str, Any] = {"file": str(path), "kind": str(kind), "record": None}
    try:
        parsed = parse_page(kind, body)
    except ParseError as exc:
        result.update(kind=str(PageKind.UNKNOWN), error=str(exc))
        return result
    if kind in (PageKind.DETAIL, PageKind.FORM):
        parsed = build_record(parsed)
    result["record"] = parsed
    return result


def cmd_parse(args: argparse.Namespace) -> int:
    """Print one JSON line per file; a missing or unreadable file is a one-line error (exit 2)."""
    status = EXIT_OK
    for name in args.files:
        path = Path(name)
        try:
            line = parse_file(path)
        except OSError as exc:
            print(f"ttb-cola parse: {name}: {exc.strerror or exc}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        print(json.dumps(line, ensure_ascii=False))
    return status


def _today(args: argparse.Namespace) -> date:
    return date.fromisoformat(args.today) if args.today else date.today()


def _crawl(args: argparse.Namespace, command: str, dates: Callable[[date], tuple[str, str | None]]) -> int:
    """Validate, take the destination's lock and crawl; ``dates(today)`` gives (start, end)."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.lock import LockHeld
    from ttb_cola.operations import run_chunks
    from ttb_cola.pipeline import (
        InputError,
        check_reachable,
        configured,
        destination_lock,
        run_ingest,
        summary,
        validate,
    )

    try:
        today = _today(args)
    except ValueError:
        print(f"ttb-cola {command}: TODAY {args.today!r} is not a valid YYYY-MM-DD date", file=sys.stderr)
        return EXIT_USAGE
    reports = []
    try:
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
        check_reachable(base_url)
        _configure_logging(args.quiet)
        with destination_lock(request.destination, f"ttb-cola {command}"):

            def run_chunk(first: date, last: date) -> Any:
                chunk = dataclasses.replace(request, start=first, end=last)
                _, report = run_ingest(
                    chunk,
                    today=today,
                    full_refresh=args.full_refresh,
                    pipelines_dir=args.pipelines_dir,
                    base_url=args.base_url,
                    requests_per_second=args.requests_per_second,
                    max_workers=args.max_workers,
                    strategy=strategy,
                )
                reports.append(report)
                if report.blocked:
                    raise _Blocked
                return report

            chunk_days = getattr(args, "chunk_days", None) or (request.end - request.start).days + 1
            rate = args.requests_per_second if args.requests_per_second is not None else configured(
                "requests_per_second", 2.0
            )
            run_chunks(request.start, request.end, chunk_days, float(rate), run_chunk, label=command)
    except _Blocked:
        pass
    except (InputError, LockHeld) as exc:
        print(f"ttb-cola {command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineStepFailed as exc:
        print(f"ttb-cola {command}: the {exc.step} step failed: {_root_cause(exc)}", file=sys.stderr)
        return EXIT_FAILED
    for report in reports:
        print(summary(report))
    if any(report.blocked for report in reports):
        print(f"ttb-cola {command}: the registry is blocking us (CAPTCHA after all retries): run stopped; "
              "lower requests_per_second and retry later", file=sys.stderr)
        return EXIT_BLOCKED
    failed = [o for report in reports for o in report.failed]
    if failed:
        keys = ", ".join(o.key for o in failed[:10])
        print(f"ttb-cola {command}: {len(failed)} partition(s) failed ({keys}); the next run retries them",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


class _Blocked(Exception):
    """The registry blocked a chunk: stop the remaining ones."""


def cmd_ingest(args: argparse.Namespace) -> int:
    """Crawl receipt dates into the destination; non-zero exit when any partition failed."""
    from ttb_cola.pipeline import InputError

    def dates(today: date) -> tuple[str, str | None]:
        if not (args.date or args.start):
            raise InputError("give DATE=YYYY-MM-DD (one receipt date) or START=... [END=...] (a range)")
        if args.date and (args.start or args.end):
            raise InputError("give either DATE or START/END, not both")
        return args.date or args.start, args.end

    return _crawl(args, "ingest", dates)


def cmd_daily(args: argparse.Namespace) -> int:
    """Yesterday back ``lookback_days``, all methods; state decides which partitions are due."""
    from ttb_cola.operations import daily_window
    from ttb_cola.pipeline import configured

    def dates(today: date) -> tuple[str, str | None]:
        lookback = args.lookback_days or int(configured("lookback_days", 45))
        first, last = daily_window(today, lookback)
        return first.isoformat(), last.isoformat()

    return _crawl(args, "daily", dates)


def cmd_backfill(args: argparse.Namespace) -> int:
    """History in resumable chunks: each chunk commits data and state before the next starts."""
    from ttb_cola.pipeline import InputError

    def dates(today: date) -> tuple[str, str | None]:
        if args.chunk_days < 1:
            raise InputError(f"CHUNK_DAYS must be at least 1, got {args.chunk_days}")
        return args.start, args.end or (today - timedelta(days=1)).isoformat()

    return _crawl(args, "backfill", dates)


def cmd_status(args: argparse.Namespace) -> int:
    """Coverage by receipt month from the partition state in the destination."""
    from ttb_cola.operations import coverage_by_month, render_coverage
    from ttb_cola.pipeline import InputError, partition_states

    try:
        states = partition_states(args.destination, args.pipelines_dir)
    except InputError as exc:
        print(f"ttb-cola status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not states:
        print("no partition crawled yet: run `make ingest DATE=...` or `make daily`")
        return EXIT_OK
    rows = coverage_by_month(states)
    print(render_coverage(rows))
    failed = sorted(key for key, state in states.items() if state["status"] == "failed")
    if failed:
        print(f"failed partitions (the next run retries them): {', '.join(failed[:20])}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_reparse(args: argparse.Namespace) -> int:
    """Rebuild the record tables from the raw page archive, without HTTP."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.pipeline import InputError, run_reparse

    try:
        info = run_reparse(args.destination, args.archive_url, args.pipelines_dir)
    except InputError as exc:
        print(f"ttb-cola reparse: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineStepFailed as exc:
        print(f"ttb-cola reparse: the {exc.step} step failed: {_root_cause(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"ttb-cola reparse: rebuilt from the archive into {info.destination_name} dataset {info.dataset_name}")
    return EXIT_OK


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _configure_logging(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    progress = logging.getLogger("ttb_cola.progress")
    progress.handlers[:] = [handler]
    progress.setLevel(logging.WARNING if quiet else logging.INFO)
    progress.propagate = False


def cmd_demo(args: argparse.Namespace) -> int:
    """The whole pipeline against the local simulator (make demo)."""
    from ttb_cola.demo import run

    return run(Path.cwd())


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="ttb-cola", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    crawl_options = argparse.ArgumentParser(add_help=False)
    crawl_options.add_argument("--methods", help="receipt methods, e.g. 001,002 (default: all configured)")
    crawl_options.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    crawl_options.add_argument("--full-refresh", action="store_true", help="probe settled partitions again")
    crawl_options.add_argument(
        "--strategy",
        help="probe (TTB ID by TTB ID), search (by completed date: new COLAs and status changes) or both; "
        f"default: {DAILY_STRATEGY} for daily, sources.ttb_cola.strategy (probe) otherwise",
    )
    crawl_options.add_argument("--today", help="the run's date for replays (default: today)")
    crawl_options.add_argument("--base-url", help="registry root (default: sources.ttb_cola.base_url)")
    crawl_options.add_argument("--requests-per-second", type=float, help="override the configured rate")
    crawl_options.add_argument("--max-workers", type=int, help="override the configured worker count")
    crawl_options.add_argument("--pipelines-dir", help="dlt pipelines directory (default: dlt's)")
    crawl_options.add_argument("--quiet", action="store_true", help="no progress lines")

    ingest = commands.add_parser(
        "ingest", parents=[crawl_options], help="crawl receipt dates into the warehouse (make ingest)"
    )
    ingest.add_argument("--date", help="one receipt date, YYYY-MM-DD (all methods)")
    ingest.add_argument("--start", help="first receipt date of a range")
    ingest.add_argument("--end", help="last receipt date of a range (default: START)")
    ingest.set_defaults(func=cmd_ingest)

    daily = commands.add_parser(
        "daily", parents=[crawl_options], help="yesterday back lookback_days, what is due (make daily)"
    )
    daily.add_argument("--lookback-days", type=int, help="override the configured lookback window")
    daily.set_defaults(func=cmd_daily)

    backfill = commands.add_parser(
        "backfill", parents=[crawl_options], help="history in resumable chunks (make backfill)"
    )
    backfill.add_argument("--start", required=True, help="first receipt date")
    backfill.add_argument("--end", help="last receipt date (default: yesterday)")
    backfill.add_argument("--chunk-days", type=int, default=7, help="receipt dates per committed run (default 7)")
    backfill.set_defaults(func=cmd_backfill)

    status = commands.add_parser("status", help="coverage by month; non-zero exit when a partition failed")
    status.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    status.add_argument("--pipelines-dir", help="dlt pipelines directory (default: dlt's)")
    status.set_defaults(func=cmd_status)

    reparse = commands.add_parser("reparse", help="rebuild the record tables from the raw page archive (no HTTP)")
    reparse.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    reparse.add_argument("--archive-url", help="archive directory or URL (default: sources.ttb_cola.archive_url)")
    reparse.add_argument("--pipelines-dir", help="dlt pipelines directory (default: dlt's)")
    reparse.set_defaults(func=cmd_reparse)

    parse = commands.add_parser("parse", help="classify and parse saved registry pages, one JSON line each")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.set_defaults(func=cmd_parse)

    from ttb_cola.digest.command import add_digest_arguments, run_digest
    from ttb_cola.report.command import add_report_arguments, run_report

    digest = commands.add_parser("digest", help="what changed in a week: digest.md, .html, .xlsx (make digest)")
    add_digest_arguments(digest)
    digest.set_defaults(func=run_digest)

    report = commands.add_parser("report", help="static report site with charts (make report)")
    add_report_arguments(report)
    report.set_defaults(func=run_report)

    demo = commands.add_parser("demo", help="simulator -> ingest a week -> dbt build -> headline numbers")
    demo.set_defaults(func=cmd_demo)

    simulate = commands.add_parser(
        "simulate", help="run the local registry simulator (serve, truth); see `ttb-cola simulate -h`"
    )
    simulate.add_argument("args", nargs=argparse.REMAINDER)
    simulate.set_defaults(func=cmd_simulate)
    return parser


def cmd_simulate(args: argparse.Namespace) -> int:
    """Hand the remaining arguments to the simulator's own command line."""
    from ttb_cola.simulator.cli import run

    return run(args.args)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ttb-cola`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("ttb-cola: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
