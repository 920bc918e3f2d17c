"""The argument parser of every command, in the order ``ttb-cola -h`` lists them."""

from __future__ import annotations

import argparse
import textwrap

from ttb_cola.cli import crawl, loads, marts, offline, warehouse
from ttb_cola.cli.help import described
from ttb_cola.runs.exit_codes import exit_codes_epilog

#: What ``ttb-cola -h`` says the command line does.
DESCRIPTION = (
    "The ttb-cola command line: the TTB's public COLA Registry crawled into a DuckDB warehouse or an S3 lake "
    "(ingest, daily, backfill, fill, images, ocr), TTB's open files loaded beside it (permittees, "
    "processing-times), checked (status), modelled and published (publish, lake), read (digest, report) and "
    "served (serve, mcp, alerts); parse, demo and simulate work without the registry."
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ttb-cola", description=textwrap.fill(DESCRIPTION, 88),
        epilog=exit_codes_epilog() + "\n\n`ttb-cola COMMAND -h` describes a command and its exit statuses.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser = described(commands.add_parser)  # type: ignore[method-assign]
    crawl.add_commands(commands)
    warehouse.add_state_commands(commands)
    loads.add_commands(commands)
    warehouse.add_publish_commands(commands)
    offline.add_parse_command(commands)
    marts.add_commands(commands)
    offline.add_local_commands(commands)
    return parser
