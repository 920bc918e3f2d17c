"""``publish``: the marts of the dev target's warehouse published to ``data/analytics.duckdb`` for analysts
(:mod:`ttb_cola.destinations.local_marts`; ``lake publish`` is the same for the s3 target's bucket)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ttb_cola.runs.file_errors import file_error


def publish(args: argparse.Namespace) -> int:
    """Copy the warehouse's marts and snapshots into the published file; print what was written."""
    from ttb_cola.destinations.local_marts import publish_marts_file, published_file
    from ttb_cola.digest.paths import WarehouseNotFound, warehouse_path
    from ttb_cola.serve.search_index import serving_tables

    try:
        warehouse = warehouse_path("dev", args.duckdb, must_exist=not args.check)
    except WarehouseNotFound as exc:
        print(f"ttb-cola publish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.check:
        return _check_build(warehouse)
    target = Path(args.out) if args.out else published_file(warehouse)
    try:
        published = publish_marts_file(warehouse, target, serving_tables)
    except (duckdb.Error, OSError) as exc:
        known = file_error(exc)
        if known is None and not isinstance(exc, duckdb.Error):
            raise
        print(f"ttb-cola publish: {known[1] if known else str(exc).splitlines()[0]}", file=sys.stderr)
        return known[0] if known else EXIT_FAILED
    if not published:
        print(f"ttb-cola publish: no marts in {warehouse} (run `dbt build` first)", file=sys.stderr)
        return EXIT_FAILED
    for name, rows in published.items():
        print(f"{name}: {rows:,} rows")
    print(f"{target}: {len(published)} tables published from {warehouse}")
    return EXIT_OK


def _check_build(warehouse: Path) -> int:
    """What ``dbt build`` needs, checked before it runs so each problem is one line and nothing is
    created: a warehouse something was ingested into (2), that no other process holds (6) and that is
    not damaged (2), and a well-formed watchlist seed (2)."""
    from ttb_cola.destinations.warehouse import DEFAULT_DATASET
    from ttb_cola.digest.watchlist import DEFAULT_WATCHLIST, WatchlistError, read_watchlist

    ingest_first = (f"no data ingested into {warehouse} yet: ingest first (`make ingest DATE=YYYY-MM-DD` or "
                    "`make daily`), then build")
    if not warehouse.is_file():
        print(f"ttb-cola publish: {ingest_first}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with duckdb.connect(str(warehouse)) as con:  # read-write, as dbt opens it
            [(loads,)] = con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = '_dlt_loads'",
                [DEFAULT_DATASET],
            ).fetchall()
    except duckdb.Error as exc:
        known = file_error(exc)
        print(f"ttb-cola publish: {known[1] if known else str(exc).splitlines()[0]}", file=sys.stderr)
        return known[0] if known else EXIT_FAILED
    if not loads:
        print(f"ttb-cola publish: {ingest_first}", file=sys.stderr)
        return EXIT_USAGE
    if DEFAULT_WATCHLIST.is_file():
        try:
            read_watchlist(DEFAULT_WATCHLIST)
        except WatchlistError as exc:
            print(f"ttb-cola publish: {exc} ({DEFAULT_WATCHLIST}, the dbt seed): fix it, then build",
                  file=sys.stderr)
            return EXIT_USAGE
    return EXIT_OK
