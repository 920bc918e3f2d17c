"""A DuckDB file another process holds open: who, in one line, read from DuckDB's own lock error.

DuckDB lets one process open a file read-write, or any number of processes read-only, never both.
When a second process tries, DuckDB raises ``IO Error: Could not set lock on file "<path>":
Conflicting lock is held in <program> (PID <pid>)``; dlt wraps that in its own errors. This module
finds it in an exception's chain and names the holder with its command line from ``/proc`` (Linux).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_LOCK_ERROR = re.compile(r'Could not set lock on file "(?P<path>[^"]+)": Conflicting lock is held in '
                         r"(?P<program>.+?) \(PID (?P<pid>\d+)\)")


@dataclass(frozen=True)
class HeldFile:
    """A DuckDB file another process holds: the file, the holder's pid and what it runs."""

    path: str
    pid: int
    command: str

    def line(self) -> str:
        """The holder as one line for error messages."""
        return (f"{self.path} is held open by pid {self.pid} ({self.command}): close it and rerun; analysts open "
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
            return HeldFile(match["path"], pid, process_command(pid) or match["program"])
        current = current.__cause__ or current.__context__
    return None


def process_command(pid: int) -> str | None:
    """The command line of process ``pid`` from ``/proc`` (arguments joined by spaces), or None."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    command = " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    return " ".join(command.split()) or None  # one line, whatever the arguments hold


__all__ = ["HeldFile", "held_file", "process_command"]
