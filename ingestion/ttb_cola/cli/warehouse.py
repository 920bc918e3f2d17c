"""The commands over a destination's tables: ``status`` and ``reparse``; ``lake`` (migrate, publish) and
``publish``, which hand the built marts to their readers."""

from __future__ import annotations

import argparse

from ttb_cola.cli.help import PIPELINES_DIR_HELP, described


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


def add_state_commands(commands: argparse._SubParsersAction) -> None:
    """``status`` and ``reparse``."""
    status = commands.add_parser("status", help="coverage by month; non-zero exit when a partition failed")
    status.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    status.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    status.set_defaults(func=cmd_status)

    reparse = commands.add_parser("reparse", help="rebuild the record tables from the raw page archive (no HTTP)")
    reparse.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    reparse.add_argument("--archive-url", help="archive directory or URL (default: sources.ttb_cola.archive_url)")
    reparse.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    reparse.set_defaults(func=cmd_reparse)


def add_publish_commands(commands: argparse._SubParsersAction) -> None:
    """``lake`` (``migrate``, ``publish``) and ``publish``."""
    lake = commands.add_parser("lake", help="the lake (DESTINATION=filesystem): maintenance")
    lake_commands = lake.add_subparsers(dest="lake_command", required=True, metavar="COMMAND")
    lake_commands.add_parser = described(lake_commands.add_parser)
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
