"""``lake migrate``: the lake of plain Parquet files turned into Delta tables, under the lake's lock."""

from __future__ import annotations

import argparse
import sys

from ttb_cola.destinations.lock import LockHeld
from ttb_cola.errors import InputError
from ttb_cola.runs.exit_codes import EXIT_OK, EXIT_USAGE


def migrate(args: argparse.Namespace) -> int:
    """Convert the configured lake's dataset; print what was written and removed."""
    from ttb_cola.destinations.lake import checked_lake
    from ttb_cola.destinations.lake_migrate import migrate_lake
    from ttb_cola.destinations.warehouse import DEFAULT_DATASET, destination_lock

    try:
        with destination_lock("filesystem", "ttb-cola lake migrate"):
            lake = checked_lake()
            result = migrate_lake(lake, args.dataset or DEFAULT_DATASET)
    except (InputError, LockHeld) as exc:
        print(f"ttb-cola lake migrate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for table, rows in result.written.items():
        print(f"{table}: {rows:,} rows written as a Delta table")
    if result.already_delta:
        print(f"already Delta tables: {', '.join(result.already_delta)}")
    print(f"{lake.shown_url}: {len(result.written)} tables converted, {result.removed_files} Parquet files removed")
    return EXIT_OK
