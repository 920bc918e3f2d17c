"""The crawl commands: ``ingest``, ``daily``, ``backfill`` (options shared) and ``fill``."""

from __future__ import annotations

import argparse

from ttb_cola.cli.help import PIPELINES_DIR_HELP
from ttb_cola.runs.crawl import DAILY_STRATEGY
from ttb_cola.runs.ingest import backfill_dates, crawl, daily_dates, ingest_dates


def cmd_ingest(args: argparse.Namespace) -> int:
    """Crawl receipt dates into the destination; non-zero exit when any partition failed."""
    return crawl(args, "ingest", ingest_dates(args))


def cmd_daily(args: argparse.Namespace) -> int:
    """Completed dates from ``lookback_days`` ago, receipt dates back ``settle_days`` (state decides what is
    due), then the page backlog with what is left of the budget."""
    return crawl(args, "daily", daily_dates(args))


def cmd_backfill(args: argparse.Namespace) -> int:
    """History in resumable chunks: each chunk commits data and state before the next starts."""
    return crawl(args, "backfill", backfill_dates(args))


def cmd_fill(args: argparse.Namespace) -> int:
    """Fetch the pages listed COLAs owe: watchlist matches first, then newest completed date first."""
    from ttb_cola.fill.command import run_fill

    return run_fill(args)


def crawl_options() -> argparse.ArgumentParser:
    """Options shared by ingest, daily and backfill."""
    crawl_options = argparse.ArgumentParser(add_help=False)
    crawl_options.add_argument("--methods", help="receipt methods, e.g. 001,002 (default: all configured)")
    crawl_options.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    crawl_options.add_argument(
        "--reprobe", action="store_true", help="probe settled partitions and every sequence again (REPROBE=1)"
    )
    crawl_options.add_argument(
        "--strategy",
        help="probe (TTB ID by TTB ID), search (by completed date: new COLAs and status changes) or both; "
        f"default: {DAILY_STRATEGY} for daily and backfill, sources.ttb_cola.strategy (probe) for ingest",
    )
    crawl_options.add_argument(
        "--pages", help="pages fetched per COLA: form, detail, both, or none (list only, strategy search) "
        "(default: pages)",
    )
    crawl_options.add_argument(
        "--images", choices=("none", "front", "all"),
        help="label images fetched right after each form: none, front (brand label) or all (default: images, none)",
    )
    crawl_options.add_argument(
        "--chunk-days", type=int, help="dates per committed chunk (default: chunk_days, 7)"
    )
    crawl_options.add_argument(
        "--max-minutes", type=float, help="send no request after this many minutes, commit what was confirmed; exit 75 "
        "(default: max_minutes)"
    )
    crawl_options.add_argument(
        "--max-requests", type=int, help="send no request after this many requests, commit what was confirmed; exit 75 "
        "(default: max_requests)"
    )
    crawl_options.add_argument(
        "--today", help="the run's date for replays, at most today's date in Washington (default: that date)"
    )
    crawl_options.add_argument("--base-url", help="registry root (default: sources.ttb_cola.base_url)")
    crawl_options.add_argument("--requests-per-second", type=float, help="override the configured rate")
    crawl_options.add_argument("--max-workers", type=int, help="override the configured worker count")
    crawl_options.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    crawl_options.add_argument(
        "--on-block", choices=("stop", "wait"),
        help="when the registry blocks us or stops answering: stop the run (exit 3) or wait (cool down, "
        "resume; stop after a cap); default: sources.ttb_cola.on_block (stop)",
    )
    crawl_options.add_argument("--quiet", action="store_true", help="no progress lines")
    return crawl_options


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``ingest``, ``daily``, ``backfill`` and ``fill``."""
    shared = crawl_options()
    ingest = commands.add_parser(
        "ingest", parents=[shared], help="crawl receipt dates into the warehouse (make ingest)"
    )
    ingest.add_argument("--date", help="one receipt date, YYYY-MM-DD (all methods)")
    ingest.add_argument("--start", help="first receipt date of a range")
    ingest.add_argument("--end", help="last receipt date of a range (default: START)")
    ingest.set_defaults(func=cmd_ingest)

    daily = commands.add_parser(
        "daily", parents=[shared],
        help="new COLAs and status changes, what is due, then the page backlog (make daily)"
    )
    daily.add_argument(
        "--lookback-days", type=int, help="completed dates searched back from today (default: lookback_days, 120)"
    )
    daily.set_defaults(func=cmd_daily)

    backfill = commands.add_parser(
        "backfill", parents=[shared], help="history in resumable chunks (make backfill)"
    )
    backfill.add_argument("--start", required=True, help="first receipt date")
    backfill.add_argument("--end", help="last receipt date (default: yesterday)")
    backfill.set_defaults(func=cmd_backfill)

    fill = commands.add_parser(
        "fill", help="fetch the pages listed COLAs owe: watchlist matches, then newest first (make fill)"
    )
    fill.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    fill.add_argument("--pages", help="pages owed per COLA: form, detail or both (default: pages)")
    fill.add_argument("--max-minutes", type=float, help="start no fetch after this many minutes; exit 75")
    fill.add_argument("--max-requests", type=int, help="start no fetch after this many requests; exit 75")
    fill.add_argument("--today", help="the run's date for replays (default: today's date in Washington)")
    fill.add_argument("--base-url", help="registry root (default: sources.ttb_cola.base_url)")
    fill.add_argument("--requests-per-second", type=float, help="override the configured rate")
    fill.add_argument("--max-workers", type=int, help="override the configured worker count")
    fill.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    fill.add_argument("--quiet", action="store_true", help="no progress lines")
    fill.set_defaults(func=cmd_fill, strategy=None, chunk_days=None, methods=None, images=None, on_block=None,
                      reprobe=False)
