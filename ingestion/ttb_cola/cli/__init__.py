"""The ``ttb-cola`` command line: argument parsing and dispatch only.

:mod:`.parser` builds the tree of commands from one module per group: :mod:`.crawl` (ingest, daily,
backfill, fill), :mod:`.warehouse` (status, reparse, publish, lake), :mod:`.loads` (images, permittees,
processing-times, ocr), :mod:`.marts` (digest, report, serve, mcp, alerts) and :mod:`.offline` (parse,
demo, simulate). Each command runs in its own module, imported when the command runs, so
``ttb-cola parse`` never pays for dlt.
"""

from __future__ import annotations

import sys

from ttb_cola.cli.parser import build_parser
from ttb_cola.runs.exit_codes import EXIT_INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ttb-cola`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("ttb-cola: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # any command meeting a DuckDB file another process holds, or a damaged one
        from ttb_cola.runs.file_errors import file_error

        if not (known := file_error(exc)):
            raise
        print(f"ttb-cola {args.command}: {known[1]}", file=sys.stderr)
        return known[0]
