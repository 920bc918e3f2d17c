"""The commands that work without the registry: ``parse`` (saved pages), ``demo`` and ``simulate``."""

from __future__ import annotations

import argparse
from pathlib import Path


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


def add_parse_command(commands: argparse._SubParsersAction) -> None:
    """``parse``."""
    parse = commands.add_parser("parse", help="classify and parse saved registry pages, one JSON line each")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.set_defaults(func=cmd_parse)


def add_local_commands(commands: argparse._SubParsersAction) -> None:
    """``demo`` and ``simulate``."""
    demo = commands.add_parser("demo", help="simulator -> ingest a week -> dbt build -> headline numbers")
    demo.set_defaults(func=cmd_demo)

    simulate = commands.add_parser(
        "simulate", help="run the local registry simulator (serve, truth); see `ttb-cola simulate -h`"
    )
    simulate.add_argument("args", nargs=argparse.REMAINDER)
    simulate.set_defaults(func=cmd_simulate)
