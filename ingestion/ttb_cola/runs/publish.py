"""``publish``: the marts of the dev target's warehouse published to ``data/analytics.duckdb`` for analysts
(:mod:`ttb_cola.destinations.local_marts`; ``lake publish`` is the same for the s3 target's bucket)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from ttb_cola.destinations.held import held_file
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_HELD, EXIT_OK, EXIT_USAGE


def publish(args: argparse.Namespace) -> int:
    """Copy the warehouse's marts and snapshots into the published file; print what was written."""
    from ttb_cola.destinations.local_marts import publish_marts_file, published_file
    from ttb_cola.digest.paths import WarehouseNotFound, warehouse_path

    try:
        warehouse = warehouse_path("dev", args.duckdb, must_exist=not args.check)
    except WarehouseNotFound as exc:
        print(f"ttb-cola publish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.check:
        return _check_writable(warehouse)
    target = Path(args.out) if args.out else published_file(warehouse)
    try:
        published = publish_marts_file(warehouse, target)
    except duckdb.Error as exc:
        held = held_file(exc)
        print(f"ttb-cola publish: {held.line() if held else str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_HELD if held else EXIT_FAILED
    if not published:
        print(f"ttb-cola publish: no marts in {warehouse} (run `dbt build` first)", file=sys.stderr)
        return EXIT_FAILED
    for name, rows in published.items():
        print(f"{name}: {rows:,} rows")
    print(f"{target}: {len(published)} tables published from {warehouse}")
    return EXIT_OK


def _check_writable(warehouse: Path) -> int:
    """Exit 0 when ``warehouse`` can be opened read-write now (what ``dbt build`` needs), else name its holder."""
    if not warehouse.is_file():
        return EXIT_OK  # nothing to hold yet: dbt creates it
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.Error as exc:
        held = held_file(exc)
        print(f"ttb-cola publish: {held.line() if held else str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_HELD if held else EXIT_FAILED
    return EXIT_OK
