"""A run's budget: minutes and requests after which no new work starts (what has started finishes).

One budget spans a whole command (all its chunks). Work units check it before they start, so a run
stops cleanly: every unit either finished and is committed with its state, or never started and is
left, untouched, for the next run.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Budget:
    """``max_minutes`` of wall time and ``max_requests`` requests (None: no limit)."""

    max_minutes: float | None = None
    max_requests: int | None = None
    started: float = field(default_factory=time.monotonic)
    _requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def spend(self, requests: int) -> None:
        """Count the requests of a finished unit of work."""
        with self._lock:
            self._requests += requests

    @property
    def requests(self) -> int:
        """Requests counted so far."""
        with self._lock:
            return self._requests

    def spent(self) -> str | None:
        """Why no new work may start (``"max_minutes"``, ``"max_requests"``), or None."""
        if self.max_minutes is not None and (time.monotonic() - self.started) / 60 >= self.max_minutes:
            return "max_minutes"
        if self.max_requests is not None and self.requests >= self.max_requests:
            return "max_requests"
        return None
