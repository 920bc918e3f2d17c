"""The ``ttb-cola`` command line: parse saved pages, run the local registry simulator."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ttb_cola.pages import PageKind, classify
from ttb_cola.parsers import ParseError, parse_page
from ttb_cola.records import build_record

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def parse_file(path: Path) -> dict[str, Any]:
    """Classify and parse one saved page into ``{"file", "kind", "record"}``."""
    body = path.read_bytes()
    kind = classify(body)
    result: dict[str, Any] = {"file": str(path), "kind": str(kind), "record": None}
    try:
        parsed = parse_page(kind, body)
    except ParseError as exc:
        result.update(kind=str(PageKind.UNKNOWN), error=str(exc))
        return result
    if kind in (PageKind.DETAIL, PageKind.FORM):
        parsed = build_record(parsed)
    result["record"] = parsed
    return result


def cmd_parse(args: argparse.Namespace) -> int:
    """Print one JSON line per file; a missing or unreadable file is a one-line error (exit 2)."""
    status = EXIT_OK
    for name in args.files:
        path = Path(name)
        try:
            line = parse_file(path)
        except OSError as exc:
            print(f"ttb-cola parse: {name}: {exc.strerror or exc}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        print(json.dumps(line, ensure_ascii=False))
    return status


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="ttb-cola", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="classify and parse saved registry pages, one JSON line each")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.set_defaults(func=cmd_parse)

    simulate = commands.add_parser(
        "simulate", help="run the local registry simulator (serve, truth); see `ttb-cola simulate -h`"
    )
    simulate.add_argument("args", nargs=argparse.REMAINDER)
    simulate.set_defaults(func=cmd_simulate)
    return parser


def cmd_simulate(args: argparse.Namespace) -> int:
    """Hand the remaining arguments to the simulator's own command line."""
    from ttb_cola.simulator.cli import run

    return run(args.args)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ttb-cola`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("ttb-cola: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
