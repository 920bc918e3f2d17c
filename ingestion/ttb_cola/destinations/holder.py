"""Who holds a destination's lock, and whether that holder is still there: the primitives that the
file lock (:mod:`ttb_cola.destinations.lock`) and the bucket lease (:mod:`ttb_cola.destinations.lease`)
share.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

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
    if local_check and holder.get("host") == socket.gethostname() and not _alive(holder.get("pid")):
        return True
    try:
        return datetime.fromisoformat(str(holder["expires_at"])) < datetime.now(UTC)
    except (KeyError, ValueError):
        return True  # unreadable: written by nobody we know, treat as stale


def _alive(pid: object) -> bool:
    try:
        os.kill(int(str(pid)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True  # someone else's process, or no pid: assume it lives
    return True
