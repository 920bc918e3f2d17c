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
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO

from fsspec import AbstractFileSystem

from ttb_cola.destinations.holder import LEASE, LockHeld, describe, holder_info
from ttb_cola.destinations.lease import fenced_bucket_lock

__all__ = ["LEASE", "LockHeld", "bucket_lock", "file_lock"]


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


def bucket_lock(
    fs: AbstractFileSystem, path: str, command: str, lease: timedelta = LEASE,
    on_lost: Callable[[str], None] | None = None,
) -> AbstractContextManager[threading.Event]:
    """Hold the lock object ``path`` on a bucket for the block, or raise :class:`LockHeld` at once.

    Fenced (see :mod:`ttb_cola.destinations.lease`): ``on_lost`` is called if the lease is lost.
    """
    return fenced_bucket_lock(fs, path, command, lease, on_lost)
