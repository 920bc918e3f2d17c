"""The fenced bucket lock on moto's S3: conditional take-over, conditional renew, lost lease, read-back."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import fsspec
import pytest
from moto_server import MotoS3

from ttb_cola.destinations.lease import LeaseLost, fenced_bucket_lock, renew, take
from ttb_cola.destinations.lock import LockHeld

LEASE = timedelta(minutes=15)
STALE = {"host": "gone", "pid": 1, "command": "ttb-cola backfill", "token": "dead",
         "expires_at": "2000-01-01T00:00:00+00:00"}


def _lock(s3: MotoS3) -> tuple[Any, str]:
    bucket = s3.new_bucket()
    fs = fsspec.filesystem("s3", **bucket.storage_options())
    return fs, f"{bucket.bucket_url.removeprefix('s3://').rstrip('/')}/ttb_cola.lock"


def _race(fs: Any, path: str) -> tuple[list[str], list[LockHeld]]:
    """Two runs taking the lock at the same moment: the tokens that won, the errors of those that lost."""
    won: list[str] = []
    held: list[LockHeld] = []
    barrier = threading.Barrier(2)

    def run(token: str) -> None:
        barrier.wait()
        try:
            take(fs, path, "ttb-cola daily", LEASE, token)
            won.append(token)
        except LockHeld as exc:
            held.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, held


def test_two_runs_taking_over_a_stale_lock_at_once_give_one_holder(s3: MotoS3) -> None:
    for _ in range(5):
        fs, path = _lock(s3)
        fs.pipe_file(path, json.dumps(STALE).encode())
        won, held = _race(fs, path)
        assert len(won) == 1 and len(held) == 1
        assert json.loads(fs.cat_file(path))["token"] == won[0]


def test_renew_is_conditional_and_a_taken_lease_is_lost(s3: MotoS3) -> None:
    fs, path = _lock(s3)
    etag = take(fs, path, "ttb-cola daily", LEASE, "ours")
    etag = renew(fs, path, "ttb-cola daily", LEASE, "ours", etag)
    # someone else overwrites the object (a take-over): our next renewal must not write over it
    theirs = json.dumps({**STALE, "token": "theirs", "expires_at": "2999-01-01T00:00:00+00:00"}).encode()
    fs.pipe_file(path, theirs)
    with pytest.raises(LeaseLost):
        renew(fs, path, "ttb-cola daily", LEASE, "ours", etag)
    assert fs.cat_file(path) == theirs


def test_a_stale_etag_fails_the_conditional_renew(s3: MotoS3) -> None:
    fs, path = _lock(s3)
    etag = take(fs, path, "ttb-cola daily", LEASE, "ours")
    renew(fs, path, "ttb-cola daily", LEASE, "ours", etag)  # the object's ETag moved on
    with pytest.raises(LeaseLost, match="changed under us"):
        renew(fs, path, "ttb-cola daily", LEASE, "ours", etag)


def test_lost_lease_calls_on_lost_and_leaves_the_new_holders_lock(s3: MotoS3) -> None:
    fs, path = _lock(s3)
    reasons: list[str] = []
    theirs = json.dumps({**STALE, "token": "theirs", "expires_at": "2999-01-01T00:00:00+00:00"}).encode()
    with fenced_bucket_lock(fs, path, "ttb-cola daily", LEASE, on_lost=reasons.append, every=0.05) as lost:
        fs.pipe_file(path, theirs)
        assert lost.wait(timeout=60)
    assert reasons and "ttb-cola backfill" in reasons[0]  # names the new holder
    assert fs.cat_file(path) == theirs  # not released: it is not ours any more


def test_released_on_exit_when_still_ours(s3: MotoS3) -> None:
    fs, path = _lock(s3)
    with fenced_bucket_lock(fs, path, "ttb-cola daily", LEASE, every=0.05) as lost:
        assert json.loads(fs.cat_file(path))["token"]
    assert not lost.is_set() and not fs.exists(path)


class IgnoresConditions:
    """A store that accepts every write, conditional or not; another run's write lands right after ours."""

    def __init__(self, fs: Any, path: str) -> None:
        self.fs, self.path = fs, path

    def pipe_file(self, path: str, data: bytes, **kwargs: Any) -> None:
        self.fs.pipe_file(path, data)
        other = json.loads(data)
        other["token"] = "the-other-run"
        self.fs.pipe_file(path, json.dumps(other).encode())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fs, name)


def test_read_back_catches_a_store_that_ignores_conditional_writes(s3: MotoS3) -> None:
    fs, path = _lock(s3)
    with pytest.raises(LockHeld, match="may ignore conditional writes"):
        take(IgnoresConditions(fs, path), path, "ttb-cola daily", LEASE, "ours")
