"""The bucket lock, fenced: a lease object whose every write is conditional and read back.

- take: a conditional create (``If-None-Match: *``); a stale lease (expired, or its holder a dead
  process on this machine) is taken over with a conditional overwrite (``If-Match`` its ETag), so of
  two runs recovering it at once exactly one wins (no delete-then-create window);
- renew: every third of the lease, ``If-Match`` the ETag we wrote last; a failed condition, a holder
  token that is not ours, or a lease that ran out before we could renew it means the lease is
  **lost**: ``on_lost`` is called (the run aborts) and the object is left alone;
- every write is read back and its token compared: a store that ignores conditional writes (s3fs
  documents its conditional create as AWS-only) then loses the race visibly instead of admitting
  two holders.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fsspec import AbstractFileSystem

from ttb_cola.destinations.holder import LEASE, LockHeld, describe, expired, holder_info

logger = logging.getLogger("ttb_cola.destinations.lease")


class LeaseLost(RuntimeError):
    """Our lease on the bucket lock is gone (taken over, or not renewed in time)."""


def _body(command: str, lease: timedelta, token: str) -> bytes:
    holder: dict[str, Any] = holder_info(command)
    holder["token"] = token
    holder["expires_at"] = (datetime.now(UTC) + lease).isoformat(timespec="seconds")
    holder["write"] = uuid.uuid4().hex[:12]  # every write a new ETag, so a stale one never matches
    return json.dumps(holder).encode()


def _read(fs: AbstractFileSystem, path: str) -> tuple[dict[str, Any] | None, str | None]:
    """The holder and the object's ETag (None, None when there is no lock object)."""
    try:
        # ETag first: a write between the two reads then fails our If-Match, never passes it with
        # the new ETag over a body we read before the write.
        etag = fs.info(path, refresh=True).get("ETag")
        raw = fs.cat_file(path)
    except FileNotFoundError:
        return None, None
    try:
        holder = json.loads(raw)
    except ValueError:
        holder = {}
    return (holder if isinstance(holder, dict) else {}), etag


def _put_if_match(fs: AbstractFileSystem, path: str, body: bytes, etag: str | None) -> None:
    """Overwrite only if the object still has ``etag``; OSError (HTTP 412) otherwise."""
    fs.pipe_file(path, body, **({"IfMatch": etag} if etag else {}))


def _verify(fs: AbstractFileSystem, path: str, token: str) -> str | None:
    """The ETag of our lease, read back; raise LeaseLost when the object holds someone else's."""
    holder, etag = _read(fs, path)
    if holder is None or holder.get("token") != token:
        raise LeaseLost(f"{path} now holds {describe(holder or {})}")
    return etag


def take(fs: AbstractFileSystem, path: str, command: str, lease: timedelta, token: str) -> str | None:
    """Take the lock (or a stale one over); our lease's ETag. Raises LockHeld."""
    body = _body(command, lease, token)
    for _ in range(3):
        try:
            fs.pipe_file(path, body, mode="create")
            break
        except FileExistsError:
            holder, etag = _read(fs, path)
            if holder is None:
                continue  # released between our put and our read: try again
            if not expired(holder):
                raise LockHeld(f"another run holds {path}: {describe(holder)}") from None
            try:
                _put_if_match(fs, path, body, etag)  # a dead run's lease: take it over, conditionally
            except OSError:
                raise LockHeld(f"another run took {path} over while we recovered a stale lock") from None
            break
    else:
        raise LockHeld(f"another run took {path} while a stale lock was being recovered")
    try:
        return _verify(fs, path, token)
    except LeaseLost as exc:
        raise LockHeld(f"another run won {path} (the store may ignore conditional writes): {exc}") from None


def renew(
    fs: AbstractFileSystem, path: str, command: str, lease: timedelta, token: str, etag: str | None
) -> str | None:
    """Extend our lease, conditionally; the new ETag. Raises LeaseLost."""
    holder, current = _read(fs, path)
    if holder is None or holder.get("token") != token:
        raise LeaseLost(f"{path} now holds {describe(holder or {})}")
    if expired(holder, local_check=False):
        raise LeaseLost(f"our lease on {path} ran out before it was renewed")
    try:
        _put_if_match(fs, path, _body(command, lease, token), etag or current)
    except OSError as exc:
        raise LeaseLost(f"{path} changed under us: {exc}") from None
    return _verify(fs, path, token)


@contextmanager
def fenced_bucket_lock(
    fs: AbstractFileSystem, path: str, command: str, lease: timedelta = LEASE,
    on_lost: Callable[[str], None] | None = None, every: float | None = None,
) -> Iterator[threading.Event]:
    """Hold the lock object ``path`` for the block; yields an event set when the lease is lost."""
    token = uuid.uuid4().hex
    etag = take(fs, path, command, lease, token)
    done, lost = threading.Event(), threading.Event()

    def renewer() -> None:
        nonlocal etag
        while not done.wait(every if every is not None else lease.total_seconds() / 3):
            try:
                etag = renew(fs, path, command, lease, token, etag)
            except LeaseLost as exc:
                logger.error("lease lost: %s", exc)
                lost.set()
                if on_lost is not None:
                    on_lost(str(exc))
                return
            except Exception as exc:  # a blip of the store: try again at the next tick
                logger.warning("could not renew the lease on %s: %s", path, exc)

    thread = threading.Thread(target=renewer, name="ttb-cola-lock", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        done.set()
        thread.join()
        if not lost.is_set():
            holder, _ = _read(fs, path)
            if holder is not None and holder.get("token") == token:
                fs.rm_file(path)
