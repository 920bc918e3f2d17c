"""The ``ttb-cola`` command line: argument parsing and dispatch only.

:mod:`.parser` builds the tree of commands from one module per group: :mod:`.crawl` (ingest, daily,
backfill, fill), :mod:`.warehouse` (status, reparse, publish, lake), :mod:`.loads` (images, permittees,
processing-times, ocr), :mod:`.marts` (digest, report, serve, mcp, alerts) and :mod:`.offline` (parse,
demo, simulate). Each command runs in its own module, imported when the command runs, so
``ttb-cola parse`` never pays for dlt; every command reads each of its settings once
(:func:`~ttb_cola.settings.settings_once`).
"""

from __future__ import annotations

import gc
import sys

from ttb_cola.cli.parser import build_parser
from ttb_cola.runs.exit_codes import EXIT_INTERRUPTED
from ttb_cola.settings import settings_once


def run() -> int:
    """The ``ttb-cola`` console script: :func:`main` on the process's arguments, then every object left frozen
    out of the collector, as the process is about to exit.

    The interpreter's exit otherwise traces every object the command's imports made (dlt's, pyarrow's and
    DuckDB's modules hold about 90,000) to collect their cycles, some 80 ms of a command's wall time; their
    memory goes back with the process. Files, connections and atexit handlers are closed and run as before.
    """
    code = main()
    gc.freeze()
    return code


def main(argv: list[str] | None = None) -> int:
    """The ``ttb-cola`` command line on ``argv`` (the process's arguments when None): its exit code."""
    args = build_parser().parse_args(argv)
    try:
        with settings_once():  # each setting resolved once for the whole command
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
