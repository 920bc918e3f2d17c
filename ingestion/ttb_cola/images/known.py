"""Which label images the crawl must not fetch again: those ``cola_images`` says are stored, or
answered "unavailable" less than ``retry_unavailable_days`` ago, plus those this run fetched.

Read once per chunk from the destination (before dlt loads it) into an in-memory DuckDB table of one
integer per image (TTB ID x 100 + position, sorted), so the whole registry's images fit in a few tens
of megabytes and a lookup is a range scan. ``ttb-cola images`` also checks the store still holds each
file; the crawl trusts the table (a wiped store is filled again by ``ttb-cola images``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from ttb_cola.images.fetch import STORED, UNAVAILABLE, ImageResult
from ttb_cola.images.tables import IMAGES_TABLE

#: Positions per TTB ID in the integer key (forms list a handful of labels).
_SLOTS = 100


class KnownImages:
    """Positions of each TTB ID not to fetch again; safe to share between threads."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None) -> None:
        self._con = con
        self._lock = threading.Lock()
        self._added: dict[str, set[int]] = {}

    @classmethod
    def read(cls, destination: str, dataset: str, lake: Any, retry_unavailable_days: int = 7) -> KnownImages:
        """The images the destination's ``cola_images`` holds (none when the table does not exist yet)."""
        from ttb_cola.destinations.dataset import open_dataset

        since = (datetime.now(UTC) - timedelta(days=retry_unavailable_days)).isoformat()
        with open_dataset(destination, dataset, lake, (IMAGES_TABLE,)) as (source, tables):
            if not tables:
                return cls()
            keys = source.execute(
                f"select distinct cast(ttb_id as bigint) * {_SLOTS} + position as key from {IMAGES_TABLE} "
                "where status = ? or (status = ? and fetched_at > cast(? as timestamptz)) order by key",
                [STORED, UNAVAILABLE, since],
            ).arrow()
        con = duckdb.connect()
        con.register("keys", keys)
        con.execute("create table known as select key from keys order by key")
        con.unregister("keys")
        return cls(con)

    def skip(self, ttb_id: str) -> set[int]:
        """Positions (1-based) of ``ttb_id`` already stored or recently unavailable."""
        first = int(ttb_id) * _SLOTS
        with self._lock:
            positions = set(self._added.get(ttb_id, ()))
            if self._con is not None:
                rows = self._con.execute("select key from known where key between ? and ?",
                                         [first, first + _SLOTS - 1]).fetchall()
                positions.update(key - first for (key,) in rows)
        return positions

    def add(self, results: Iterable[ImageResult]) -> None:
        """Remember what this run stored or found unavailable (it reaches the table at the load)."""
        with self._lock:
            for result in results:
                if result.status in (STORED, UNAVAILABLE):
                    self._added.setdefault(result.ttb_id, set()).add(result.position)

    def close(self) -> None:
        """Free the in-memory table."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
