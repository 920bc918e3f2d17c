"""Thread-safe counters of a registry client: requests, retries, pages and failures."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StatsSnapshot:
    """A consistent copy of :class:`ClientStats` at one moment."""

    requests: int
    retries: int
    failures: int
    retries_by_reason: dict[str, int]
    pages_by_kind: dict[str, int]
    failures_by_reason: dict[str, int]
    backoff_seconds: float


class ClientStats:
    """Thread-safe counters: HTTP requests sent, retries (by reason), pages returned (by kind)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._retries: Counter[str] = Counter()
        self._pages: Counter[str] = Counter()
        self._failures: Counter[str] = Counter()
        self._backoff = 0.0

    def record_request(self) -> None:
        """Count one HTTP request about to be sent (first attempts and retries alike)."""
        with self._lock:
            self._requests += 1

    def record_retry(self, reason: str, wait: float) -> None:
        """Count one retry and the backoff before it."""
        with self._lock:
            self._retries[str(reason)] += 1
            self._backoff += wait

    def record_page(self, kind: str) -> None:
        """Count one page returned to a caller."""
        with self._lock:
            self._pages[str(kind)] += 1

    def record_failure(self, reason: str) -> None:
        """Count one request given up on."""
        with self._lock:
            self._failures[str(reason)] += 1

    @property
    def requests(self) -> int:
        """HTTP requests sent so far."""
        with self._lock:
            return self._requests

    @property
    def pages(self) -> int:
        """Pages returned so far, all kinds."""
        with self._lock:
            return sum(self._pages.values())

    @property
    def retries(self) -> int:
        """Retries so far, all reasons."""
        with self._lock:
            return sum(self._retries.values())

    def snapshot(self) -> StatsSnapshot:
        """All counters, read under one lock."""
        with self._lock:
            return StatsSnapshot(
                requests=self._requests,
                retries=sum(self._retries.values()),
                failures=sum(self._failures.values()),
                retries_by_reason=dict(self._retries),
                pages_by_kind=dict(self._pages),
                failures_by_reason=dict(self._failures),
                backoff_seconds=self._backoff,
            )
