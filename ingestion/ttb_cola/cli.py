"""The ``ttb-cola`` command line: ingest, parse saved pages, run the local registry simulator."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

from ttb_cola.pages import PageKind, classify
from ttb_cola.parsers import ParseError, parse_page
from ttb_cola.records import build_record

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BLOCKED = 3


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


def cmd_ingest(args: argparse.Namespace) -> int:
    """Crawl receipt dates into the destination; non-zero exit when any partition failed."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.pipeline import InputError, check_reachable, configured, run_ingest, summary, validate

    today = date.fromisoformat(args.today) if args.today else date.today()
    try:
        if not (args.date or args.start):
            raise InputError("give DATE=YYYY-MM-DD (one receipt date) or START=... [END=...] (a range)")
        if args.date and (args.start or args.end):
            raise InputError("give either DATE or START/END, not both")
        request = validate(args.date or args.start, args.end, args.methods, args.destination, today)
        base_url = args.base_url or configured("base_url")
        if not base_url:
            raise InputError("no base_url: set sources.ttb_cola.base_url in .dlt/config.toml")
        check_reachable(base_url)
        _configure_logging(args.quiet)
        info, report = run_ingest(
            request,
            today=today,
            full_refresh=args.full_refresh,
            pipelines_dir=args.pipelines_dir,
            base_url=args.base_url,
            requests_per_second=args.requests_per_second,
            max_workers=args.max_workers,
        )
    except InputError as exc:
        print(f"ttb-cola ingest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineStepFailed as exc:
        print(f"ttb-cola ingest: the {exc.step} step failed: {_root_cause(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(summary(report))
    if report.blocked:
        print("ttb-cola ingest: the registry is blocking us (CAPTCHA after all retries): run stopped; "
              "lower requests_per_second and retry later", file=sys.stderr)
        return EXIT_BLOCKED
    if report.failed:
        keys = ", ".join(o.key for o in report.failed[:10])
        print(f"ttb-cola ingest: {len(report.failed)} partition(s) failed ({keys}); "
              "the next run retries them", file=sys.stderr)
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="ttb-cola", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="crawl receipt dates into the warehouse (make ingest)")
    ingest.add_argument("--date", help="one receipt date, YYYY-MM-DD (all methods)")
    ingest.add_argument("--start", help="first receipt date of a range")
    ingest.add_argument("--end", help="last receipt date of a range (default: START)")
    ingest.add_argument("--methods", help="receipt methods, e.g. 001,002 (default: all configured)")
    ingest.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    ingest.add_argument("--full-refresh", action="store_true", help="probe settled partitions again")
    ingest.add_argument("--today", help="the run's date for replays (default: today)")
    ingest.add_argument("--base-url", help="registry root (default: sources.ttb_cola.base_url)")
    ingest.add_argument("--requests-per-second", type=float, help="override the configured rate")
    ingest.add_argument("--max-workers", type=int, help="override the configured worker count")
    ingest.add_argument("--pipelines-dir", help="dlt pipelines directory (default: dlt's)")
    ingest.add_argument("--quiet", action="store_true", help="no progress lines")
    ingest.set_defaults(func=cmd_ingest)

    reparse = commands.add_parser("reparse", help="rebuild the record tables from the raw page archive (no HTTP)")
    reparse.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    reparse.add_argument("--archive-url", help="archive directory or URL (default: sources.ttb_cola.archive_url)")
    reparse.add_argument("--pipelines-dir", help="dlt pipelines directory (default: dlt's)")
    reparse.set_defaults(func=cmd_reparse)

    parse = commands.add_parser("parse", help="classify and parse saved registry pages, one JSON line each")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.set_defaults(func=cmd_parse)

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
