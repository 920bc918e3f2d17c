"""A DuckDB file another process holds open: who, in one line, read from DuckDB's own lock error.

DuckDB lets one process open a file read-write, or any number of processes read-only, never both.
When a second process tries, DuckDB raises ``IO Error: Could not set lock on file "<path>":
Conflicting lock is held in <program> (PID <pid>)``; dlt wraps that in its own errors. This module
finds it in an exception's chain and names the holder by its pid and program name (``/proc/<pid>/comm`` on
Linux, else the program DuckDB names), never its command line: arguments can carry secrets into logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_LOCK_ERROR = re.compile(r'Could not set lock on file "(?P<path>[^"]+)": Conflicting lock is held in '
                         r"(?P<program>.+?) \(PID (?P<pid>\d+)\)")


@dataclass(frozen=True)
class HeldFile:
    """A DuckDB file another process holds: the file, the holder's pid and its program's name."""

    path: str
    pid: int
    program: str

    def line(self) -> str:
        """The holder as one line for error messages."""
        return (f"{self.path} is held open by pid {self.pid} ({self.program}): close it and rerun; analysts open "
                "data/analytics.duckdb read-only instead (README, \"Connecting as an analyst\")")


def held_file(exc: BaseException) -> HeldFile | None:
    """The held file DuckDB's lock error in ``exc`` (or its causes) names, else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        match = _LOCK_ERROR.search(str(current))
        if match:
            pid = int(match["pid"])
            return HeldFile(match["path"], pid, process_name(pid) or Path(match["program"]).name)
        current = current.__cause__ or current.__context__
    return None


def process_name(pid: int) -> str | None:
    """The program name of process ``pid`` from ``/proc/<pid>/comm`` (no arguments), or None."""
    try:
        name = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return " ".join(name.split()) or None


__all__ = ["HeldFile", "held_file", "process_name"]
