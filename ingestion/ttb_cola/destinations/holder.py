"""Who holds a destination's lock, and whether that holder is still there: the primitives that the
file lock (:mod:`ttb_cola.destinations.lock`) and the bucket lease (:mod:`ttb_cola.destinations.lease`)
share.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

#: How long a bucket lock holds without renewal; renewed every third of it while the run goes on.
LEASE = timedelta(minutes=15)


class LockHeld(RuntimeError):
    """Another run holds the destination's lock."""


def holder_info(command: str) -> dict[str, object]:
    """Who is taking a lock: host, pid, command, when."""
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "command": command,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def describe(holder: dict[str, object]) -> str:
    """A holder as one line for error messages."""
    return (
        f"{holder.get('command', '?')} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"since {holder.get('started_at', '?')})"
    )


def expired(holder: dict[str, object], local_check: bool = True) -> bool:
    """A lease that ran out, or (``local_check``) whose holder was on this machine and is gone."""
    if local_check and holder.get("host") == socket.gethostname() and not _alive(holder.get("pid"),
                                                                                  holder.get("started_at")):
        return True
    try:
        return datetime.fromisoformat(str(holder["expires_at"])) < datetime.now(UTC)
    except (KeyError, ValueError):
        return True  # unreadable: written by nobody we know, treat as stale


def _alive(pid: object, written_at: object = None) -> bool:
    """Whether the holder ``pid`` of this machine still runs: not gone, not killed and left unreaped (a
    zombie: ``kill -9`` under an init that does not reap), and not a newer process given the same pid
    after the holder last wrote its lease (``written_at``)."""
    try:
        os.kill(int(str(pid)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True  # someone else's process, or no pid: assume it lives
    return not _dead_or_reused(int(str(pid)), written_at)


def _dead_or_reused(pid: int, written_at: object) -> bool:
    """From ``/proc`` (Linux; elsewhere False): ``pid`` is a zombie, or started after ``written_at``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    if fields[0] in ("Z", "X"):
        return True
    try:
        written = datetime.fromisoformat(str(written_at)).timestamp()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text(encoding="utf-8").splitlines()
                    if line.startswith("btime "))
        started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return False
    return started > written + 60  # a margin for rounding and clock steps: a new process, not the holder
