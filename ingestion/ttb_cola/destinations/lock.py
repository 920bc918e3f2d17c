"""One run at a time per destination: a lock held for the whole run, naming its holder.

For the DuckDB destination the lock is a file next to the database, held with ``flock``: the kernel
releases it when the holding process dies (even by ``kill -9``), so a stale lock never blocks
anyone, while the file still says who held it last.

For a bucket the lock is an object created with a conditional put (``If-None-Match: *``: of two
runs, exactly one creates it) holding an expiring lease that the holder renews while it runs. A
holder that died stops renewing; once its lease has expired the next run takes the lock over.
Renewal and take-over are conditional too, and read back (:mod:`ttb_cola.destinations.lease`).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from fsspec import AbstractFileSystem

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


def bucket_lock(
    fs: AbstractFileSystem, path: str, command: str, lease: timedelta = LEASE,
    on_lost: Callable[[str], None] | None = None,
) -> AbstractContextManager[threading.Event]:
    """Hold the lock object ``path`` on a bucket for the block, or raise :class:`LockHeld` at once.

    Fenced (see :mod:`ttb_cola.destinations.lease`): ``on_lost`` is called if the lease is lost.
    """
    from ttb_cola.destinations.lease import fenced_bucket_lock

    return fenced_bucket_lock(fs, path, command, lease, on_lost)
