"""The options of ``ttb-cola digest`` (and the period options ``report`` shares): argparse only, no heavy imports."""

from __future__ import annotations

import argparse
from pathlib import Path

from ttb_cola.digest.watchlist import DEFAULT_WATCHLIST

DEFAULT_OUT = Path("data/digest")


def add_period_arguments(parser: argparse.ArgumentParser) -> None:
    """Options naming the period and the warehouse, shared by ``digest`` and ``report``."""
    parser.add_argument("--week", help="ISO week (2025-W14) or a date in it (default: the last full week)")
    parser.add_argument("--since", help="first day of the period, YYYY-MM-DD (instead of --week)")
    parser.add_argument("--until", help="last day of a --since period (default: today)")
    parser.add_argument("--today", help="the date taken as today (default: today)")
    parser.add_argument("--target", default="dev", choices=["dev", "s3"],
                        help="dbt target whose marts to read: dev (TTB_COLA_DUCKDB) or s3 (TTB_COLA_LAKE_DUCKDB)")
    parser.add_argument("--duckdb", help="warehouse DuckDB file (default: from --target)")
    parser.add_argument("--watchlist", help="watchlist file to match: the CSV seed or saved searches (.toml) "
                        f"(default: the watchlist setting, {DEFAULT_WATCHLIST})")


def add_digest_arguments(parser: argparse.ArgumentParser) -> None:
    """Every option of ``ttb-cola digest``."""
    add_period_arguments(parser)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument("--stdout", action="store_true", help="also print the Markdown")
