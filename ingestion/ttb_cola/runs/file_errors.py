"""A DuckDB file a command cannot open, as its one-line message and documented exit status."""

from __future__ import annotations

from ttb_cola.destinations.damaged import damaged_file
from ttb_cola.destinations.held import held_file
from ttb_cola.runs.exit_codes import EXIT_HELD, EXIT_USAGE


def file_error(exc: BaseException) -> tuple[int, str] | None:
    """(exit status, line) when ``exc`` comes from a DuckDB file another process holds (6) or that is
    damaged (2), else None."""
    if held := held_file(exc):
        return EXIT_HELD, held.line()
    if damaged := damaged_file(exc):
        return EXIT_USAGE, damaged
    return None
