"""``lake migrate``: the lake of plain Parquet files turned into Delta tables, under the lake's lock; ``lake publish``:
the ``s3`` target's marts written to the bucket as Delta tables."""

from __future__ import annotations

import argparse
import sys

from ttb_cola.destinations.lock import LockHeld
from ttb_cola.errors import InputError
from ttb_cola.runs.exit_codes import EXIT_HELD, EXIT_OK, EXIT_USAGE


def migrate(args: argparse.Namespace) -> int:
    """Convert the configured lake's dataset; print what was written and removed."""
    from ttb_cola.destinations.lake import checked_lake
    from ttb_cola.destinations.lake_migrate import migrate_lake
    from ttb_cola.destinations.warehouse import DEFAULT_DATASET, destination_lock

    try:
        with destination_lock("filesystem", "ttb-cola lake migrate"):
            lake = checked_lake()
            result = migrate_lake(lake, args.dataset or DEFAULT_DATASET)
    except InputError as exc:
        print(f"ttb-cola lake migrate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LockHeld as exc:
        print(f"ttb-cola lake migrate: {exc}", file=sys.stderr)
        return EXIT_HELD
    for table, rows in result.written.items():
        print(f"{table}: {rows:,} rows written as a Delta table")
    if result.already_delta:
        print(f"already Delta tables: {', '.join(result.already_delta)}")
    print(f"{lake.shown_url}: {len(result.written)} tables converted, {result.removed_files} Parquet files removed")
    return EXIT_OK


def publish(args: argparse.Namespace) -> int:
    """Publish the marts of the ``s3`` target's DuckDB file to the bucket as Delta tables."""
    from ttb_cola.destinations.lake import checked_lake
    from ttb_cola.destinations.lake_marts import publish_marts
    from ttb_cola.digest.paths import WarehouseNotFound, warehouse_path

    try:
        models = warehouse_path("s3", args.duckdb)
        lake = checked_lake()
        published = publish_marts(lake, models)
    except (InputError, WarehouseNotFound) as exc:
        print(f"ttb-cola lake publish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for name, rows in published.items():
        print(f"{name}: {rows:,} rows")
    print(f"{lake.shown_url}: {len(published)} tables published from {models}")
    return EXIT_OK
