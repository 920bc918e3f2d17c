"""The options of ``ttb-cola report``: argparse only, no heavy imports."""

from __future__ import annotations

import argparse
from pathlib import Path

from ttb_cola.digest.options import add_period_arguments

DEFAULT_OUT = Path("data/report")


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """Every option of ``ttb-cola report`` (the digest's period and warehouse options, and --out)."""
    add_period_arguments(parser)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"output directory (default: {DEFAULT_OUT})")
