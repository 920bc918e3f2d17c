"""A file a command cannot open or write, as its one-line message and documented exit status."""

from __future__ import annotations

import errno
import re
from pathlib import Path

from ttb_cola.destinations.damaged import damaged_file
from ttb_cola.destinations.held import held_file
from ttb_cola.runs.exit_codes import EXIT_HELD, EXIT_USAGE

#: The operating system's refusals to write: permission denied, not permitted, a read-only file system.
_REFUSED = (errno.EACCES, errno.EPERM, errno.EROFS)
#: DuckDB's words for the same (it raises its own IOException, not an OSError).
_DUCKDB_REFUSED = re.compile(
    r'Cannot open file "(?P<path>[^"]+)": (?P<why>Permission denied|Operation not permitted|Read-only file system)'
)


def file_error(exc: BaseException) -> tuple[int, str] | None:
    """(exit status, line) when ``exc`` comes from a DuckDB file another process holds (6), one that is
    damaged (2), or a file or folder the command may not write (2), else None."""
    if held := held_file(exc):
        return EXIT_HELD, held.line()
    if damaged := damaged_file(exc):
        return EXIT_USAGE, damaged
    if refused := unwritable(exc):
        return EXIT_USAGE, refused
    return None


def unwritable(exc: BaseException) -> str | None:
    """One line naming the file or folder ``exc`` (or its causes) could not write, else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _REFUSED and current.filename:
            return _line(str(current.filename), current.strerror or "permission denied")
        if match := _DUCKDB_REFUSED.search(str(current)):
            return _line(match["path"], match["why"])
        current = current.__cause__ or current.__context__
    return None


def _line(path: str, why: str) -> str:
    if Path(path).name.startswith("."):  # a scratch file renamed into place once written: name its folder
        path = str(Path(path).parent)
    return (f"cannot write {path}: {why.lower()}: make its directory writable (or choose another with "
            "--out / --duckdb) and rerun")
