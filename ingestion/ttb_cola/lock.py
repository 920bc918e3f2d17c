"""One run at a time per destination: a lock held for the whole run, naming its holder.

For the DuckDB destination the lock is a file next to the database, held with ``flock``: the kernel
releases it when the holding process dies (even by ``kill -9``), so a stale lock never blocks
anyone, while the file still says who held it last.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


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


@contextmanager
def file_lock(path: Path, command: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the block, or raise :class:`LockHeld` at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                holder = json.loads(handle.read() or "{}")
            except ValueError:
                holder = {}
            raise LockHeld(f"another run holds {path}: {describe(holder)}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(holder_info(command)))
        handle.flush()
        yield
    finally:
        handle.close()
