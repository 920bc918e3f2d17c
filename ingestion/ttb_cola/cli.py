"""The ``ttb-cola`` command line: the TTB's public COLA Registry crawled into a DuckDB warehouse or an S3
lake (ingest, daily, backfill, fill, images, ocr), TTB's open files loaded beside it (permittees,
processing-times), checked (status), modelled and published (publish, lake),
read (digest, report) and served (serve, mcp, alerts); parse, demo and simulate work without the registry.

Argument parsing and dispatch only: each command runs in :mod:`ttb_cola.runs` (imported when the
command runs, so ``ttb-cola parse`` never pays for dlt).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Any

from ttb_cola.digest.options import add_digest_arguments
from ttb_cola.report.options import add_report_arguments
from ttb_cola.runs.crawl import DAILY_STRATEGY
from ttb_cola.runs.exit_codes import EXIT_INTERRUPTED, exit_codes_epilog
from ttb_cola.runs.ingest import backfill_dates, crawl, daily_dates, ingest_dates
from ttb_cola.serve.options import add_alerts_arguments, add_mcp_arguments, add_serve_arguments

#: ``--pipelines-dir``: by default each destination has its own (:mod:`ttb_cola.destinations.working_folder`).
PIPELINES_DIR_HELP = "dlt pipelines directory (default: one per warehouse file or bucket, under dlt's)"


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


def cmd_digest(args: argparse.Namespace) -> int:
    """The period's digest as Markdown, HTML and a spreadsheet (:mod:`ttb_cola.digest`)."""
    from ttb_cola.digest.command import run_digest

    return run_digest(args)


def cmd_report(args: argparse.Namespace) -> int:
    """The static report site (:mod:`ttb_cola.report`)."""
    from ttb_cola.report.command import run_report

    return run_report(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """The read-only HTTP API over the published marts (:mod:`ttb_cola.serve`)."""
    from ttb_cola.serve.command import run_serve

    return run_serve(args)


def cmd_mcp(args: argparse.Namespace) -> int:
    """The MCP server over the published marts (:mod:`ttb_cola.mcp_server`)."""
    from ttb_cola.mcp_server.command import run_mcp

    return run_mcp(args)


def cmd_alerts(args: argparse.Namespace) -> int:
    """Deliver new watchlist matches once per channel (:mod:`ttb_cola.alerts`)."""
    from ttb_cola.alerts.command import run_alerts

    return run_alerts(args)


def cmd_status(args: argparse.Namespace) -> int:
    """Coverage by receipt month from the partition state in the destination."""
    from ttb_cola.runs.status import show_status

    return show_status(args.destination, args.pipelines_dir)


def cmd_reparse(args: argparse.Namespace) -> int:
    """Rebuild the record tables from the raw page archive, without HTTP."""
    from ttb_cola.runs.ingest import reparse

    return reparse(args)


def cmd_lake_migrate(args: argparse.Namespace) -> int:
    """Turn a lake of plain Parquet files (before the Delta tables) into Delta tables, in place."""
    from ttb_cola.runs.migrate import migrate

    return migrate(args)


def cmd_lake_publish(args: argparse.Namespace) -> int:
    """Publish the marts of `dbt build --target s3` to the bucket as Delta tables."""
    from ttb_cola.runs.migrate import publish

    return publish(args)


def cmd_publish(args: argparse.Namespace) -> int:
    """Publish the marts of the warehouse to data/analytics.duckdb, the file analysts open."""
    from ttb_cola.runs.publish import publish

    return publish(args)


def cmd_images(args: argparse.Namespace) -> int:
    """Fetch, verify and store the label images of COLAs already loaded."""
    from ttb_cola.runs.images import run_images

    return run_images(args)


def cmd_open_data(args: argparse.Namespace) -> int:
    """Load TTB's List of Permittees (when it changed) or today's processing times (:mod:`ttb_cola.open_data`)."""
    from ttb_cola.runs.open_data import run_open_data

    return run_open_data(args)


def cmd_ocr(args: argparse.Namespace) -> int:
    """Read the text of stored label images: alcohol content, net contents, vintage, age statement."""
    from ttb_cola.ocr.runner import run_ocr

    return run_ocr(args)


def cmd_parse(args: argparse.Namespace) -> int:
    """Print one JSON line per saved page."""
    from ttb_cola.runs.parse import parse_files

    return parse_files(args.files)


def cmd_demo(args: argparse.Namespace) -> int:
    """The whole pipeline against the local simulator (make demo)."""
    from ttb_cola.runs.demo import run

    return run(Path.cwd())


def cmd_simulate(args: argparse.Namespace) -> int:
    """Hand the remaining arguments to the simulator's own command line."""
    from ttb_cola_sim.cli import run

    return run(args.args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ttb-cola", description=textwrap.fill(__doc__.split("\n\n")[0].replace("``", ""), 88),
        epilog=exit_codes_epilog() + "\n\n`ttb-cola COMMAND -h` describes a command and its exit statuses.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser = _described(commands.add_parser)  # type: ignore[method-assign]
    _add_crawl_commands(commands)
    _add_other_commands(commands)
    return parser


#: The exit statuses each command can end with (every command: 0, 2 and 130).
COMMAND_EXITS = {
    "ingest": (1, 3, 4, 5, 6, 75), "daily": (1, 3, 4, 5, 6, 75), "backfill": (1, 3, 4, 5, 6, 75),
    "fill": (1, 3, 4, 5, 6, 75), "images": (1, 3, 6), "status": (1, 5, 6), "reparse": (1, 6),
    "lake": (6,), "migrate": (6,), "publish": (1, 6), "digest": (1, 6), "report": (1, 6), "demo": (1,),
}


def _described(add_parser: Any) -> Any:
    """``add_parser`` giving each command its help as its description, and its exit statuses as epilog."""

    def add(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("description", kwargs.get("help"))
        if name != "simulate":
            kwargs.setdefault("epilog", exit_codes_epilog((0, 2, *COMMAND_EXITS.get(name, ()), EXIT_INTERRUPTED)))
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return add_parser(name, **kwargs)

    return add


def _crawl_options() -> argparse.ArgumentParser:
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


def _add_crawl_commands(commands: argparse._SubParsersAction) -> None:
    crawl_options = _crawl_options()
    ingest = commands.add_parser(
        "ingest", parents=[crawl_options], help="crawl receipt dates into the warehouse (make ingest)"
    )
    ingest.add_argument("--date", help="one receipt date, YYYY-MM-DD (all methods)")
    ingest.add_argument("--start", help="first receipt date of a range")
    ingest.add_argument("--end", help="last receipt date of a range (default: START)")
    ingest.set_defaults(func=cmd_ingest)

    daily = commands.add_parser(
        "daily", parents=[crawl_options],
        help="new COLAs and status changes, what is due, then the page backlog (make daily)"
    )
    daily.add_argument(
        "--lookback-days", type=int, help="completed dates searched back from today (default: lookback_days, 120)"
    )
    daily.set_defaults(func=cmd_daily)

    backfill = commands.add_parser(
        "backfill", parents=[crawl_options], help="history in resumable chunks (make backfill)"
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


def _add_other_commands(commands: argparse._SubParsersAction) -> None:
    status = commands.add_parser("status", help="coverage by month; non-zero exit when a partition failed")
    status.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    status.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    status.set_defaults(func=cmd_status)

    reparse = commands.add_parser("reparse", help="rebuild the record tables from the raw page archive (no HTTP)")
    reparse.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    reparse.add_argument("--archive-url", help="archive directory or URL (default: sources.ttb_cola.archive_url)")
    reparse.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    reparse.set_defaults(func=cmd_reparse)

    _add_images_command(commands)
    _add_open_data_commands(commands)
    _add_ocr_command(commands)

    lake = commands.add_parser("lake", help="the lake (DESTINATION=filesystem): maintenance")
    lake_commands = lake.add_subparsers(dest="lake_command", required=True, metavar="COMMAND")
    lake_commands.add_parser = _described(lake_commands.add_parser)
    migrate = lake_commands.add_parser("migrate", help="turn a lake of plain Parquet files into Delta tables")
    migrate.add_argument("--dataset", help="the dataset folder (default: ttb_cola)")
    migrate.set_defaults(func=cmd_lake_migrate)
    publish = lake_commands.add_parser("publish", help="write the marts of `dbt build --target s3` to the bucket")
    publish.add_argument("--duckdb", help="the s3 target's DuckDB file (default: TTB_COLA_LAKE_DUCKDB, "
                                          "data/ttb_cola_lake.duckdb)")
    publish.set_defaults(func=cmd_lake_publish)

    publish_local = commands.add_parser("publish", help="copy the marts of `dbt build` to data/analytics.duckdb, "
                                                         "the file analysts open (make build)")
    publish_local.add_argument("--duckdb", help="the warehouse file (default: TTB_COLA_DUCKDB, data/warehouse.duckdb)")
    publish_local.add_argument("--out", help="the published file (default: analytics.duckdb beside the warehouse)")
    publish_local.add_argument(
        "--check", action="store_true",
        help="only check what `dbt build` needs (make build runs it first): data ingested (else exit 2, ingest "
        "first), no other process holding the warehouse (exit 6 naming it), a well-formed watchlist seed (exit 2 "
        "naming its line)",
    )
    publish_local.set_defaults(func=cmd_publish)

    parse = commands.add_parser("parse", help="classify and parse saved registry pages, one JSON line each")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.set_defaults(func=cmd_parse)

    # Commands over the built marts, each with its options in its own module.
    for name, text, add_arguments, func in (
        ("digest", "what changed in a week: digest.md, .html, .xlsx (make digest)", add_digest_arguments, cmd_digest),
        ("report", "static report site with charts (make report)", add_report_arguments, cmd_report),
        ("serve", "read-only JSON API over data/analytics.duckdb (make serve)", add_serve_arguments, cmd_serve),
        ("mcp", "MCP server (stdio or HTTP) over data/analytics.duckdb, for AI assistants", add_mcp_arguments,
         cmd_mcp),
        ("alerts", "send new watchlist matches once: webhook, e-mail, Atom feed", add_alerts_arguments, cmd_alerts),
    ):
        command = commands.add_parser(name, help=text)
        add_arguments(command)
        command.set_defaults(func=func)

    demo = commands.add_parser("demo", help="simulator -> ingest a week -> dbt build -> headline numbers")
    demo.set_defaults(func=cmd_demo)

    simulate = commands.add_parser(
        "simulate", help="run the local registry simulator (serve, truth); see `ttb-cola simulate -h`"
    )
    simulate.add_argument("args", nargs=argparse.REMAINDER)
    simulate.set_defaults(func=cmd_simulate)


def _add_images_command(commands: argparse._SubParsersAction) -> None:
    images = commands.add_parser("images", help="fetch, verify and store label images of loaded COLAs, read barcodes")
    images.add_argument("--date", help="one receipt date, YYYY-MM-DD")
    images.add_argument("--start", help="first receipt date of a range")
    images.add_argument("--end", help="last receipt date of a range (default: START)")
    images.add_argument("--which", choices=["front", "all"],
                        help="front (brand label) or all; default: sources.ttb_cola.images, else front")
    images.add_argument("--product-type", help="only these types of product, e.g. WINE,MALT BEVERAGE")
    images.add_argument("--class-type", help="only these class/type codes; a trailing * is a prefix, e.g. 80*,101")
    images.add_argument("--images-url", help="image store (default: sources.ttb_cola.images_url, data/images)")
    images.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    images.add_argument("--base-url", help="registry root (default: sources.ttb_cola.base_url)")
    images.add_argument("--requests-per-second", type=float, help="override the configured rate")
    images.add_argument("--max-workers", type=int, help="COLAs visited concurrently (default: max_workers)")
    images.add_argument("--max-requests", type=int, help="stop visiting new COLAs after this many requests")
    images.add_argument("--retry-unavailable-after", type=int, metavar="DAYS",
                        help="ask an unavailable image again once its last answer is DAYS old (default 7; 0: always)")
    images.add_argument("--no-barcodes", action="store_true", help="do not read barcodes")
    images.add_argument("--today", help="the run's date (default: today)")
    images.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    images.add_argument("--quiet", action="store_true", help="no progress lines")
    images.set_defaults(func=cmd_images)


def _add_open_data_commands(commands: argparse._SubParsersAction) -> None:
    helps = {
        "permittees": "load TTB's weekly List of Permittees when it changed (make permittees)",
        "processing-times": "append TTB's published label and formula processing times, once a day",
    }
    for name, text in helps.items():
        command = commands.add_parser(name, help=text)
        command.add_argument("--today", help="the run's date (default: today's date in Washington)")
        command.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
        command.add_argument("--base-url", help="TTB's site root (default: sources.ttb_open_data.base_url)")
        command.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
        if name == "permittees":
            command.add_argument("--force", action="store_true", help="load the week's lists even when unchanged")
        command.set_defaults(func=cmd_open_data, force=None)


def _add_ocr_command(commands: argparse._SubParsersAction) -> None:
    ocr = commands.add_parser("ocr", help="read stored label images not read yet: alcohol, net contents, vintage, "
                                          "age (make ocr)")
    ocr.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    ocr.add_argument("--images-url", help="image store (default: sources.ttb_cola.images_url, data/images)")
    ocr.add_argument("--max-colas", type=int, help="read the images of at most this many COLAs (oldest first)")
    ocr.add_argument("--threads", type=int, help="recogniser threads (default: sources.ttb_cola.ocr_threads, 2)")
    ocr.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    ocr.add_argument("--quiet", action="store_true", help="no progress lines")
    ocr.add_argument("--if-configured", action="store_true",
                     help="do nothing unless sources.ttb_cola.ocr is true (bin/ttb-cola-daily)")
    ocr.set_defaults(func=cmd_ocr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ttb-cola`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("ttb-cola: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # any command meeting a DuckDB file another process holds, or a damaged one
        from ttb_cola.runs.file_errors import file_error

        if not (known := file_error(exc)):
            raise
        print(f"ttb-cola {args.command}: {known[1]}", file=sys.stderr)
        return known[0]

if __name__ == "__main__":
    sys.exit(main())
