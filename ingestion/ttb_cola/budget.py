"""A run's budget: minutes and requests after which no new request is sent.

One budget spans a whole command (all its chunks). Work units check it before they start, and every
request takes from it as it leaves (:class:`BudgetedLimiter`): once it is spent no fetch starts, the
units in flight keep, in order, the pages already fetched and end at the first one missing, as on a
stop, and what they confirmed is committed with its state; the rest is left, untouched, for the next run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ttb_cola.registry.ratelimit import RateLimiter
from ttb_cola.registry.stopping import RunStopped

#: Why the units in flight stopped when the budget ran out (their state's ``last_error`` says so).
BUDGET_SPENT = "budget spent"


@dataclass
class Budget:
    """``max_minutes`` of wall time and ``max_requests`` requests (None: no limit)."""

    max_minutes: float | None = None
    max_requests: int | None = None
    started: float = field(default_factory=time.monotonic)
    _requests: int = 0
    _sent: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def spend(self, requests: int) -> None:
        """Count the requests of a finished unit of work."""
        with self._lock:
            self._requests += requests

    def take(self) -> bool:
        """Count one request about to be sent; False (nothing counted) when the budget is spent."""
        with self._lock:
            if self.max_requests is not None and max(self._sent, self._requests) >= self.max_requests:
                return False
            if self.max_minutes is not None and (time.monotonic() - self.started) / 60 >= self.max_minutes:
                return False
            self._sent += 1
            return True

    @property
    def requests(self) -> int:
        """Requests counted so far (as sent, or as the finished units reported them)."""
        with self._lock:
            return max(self._requests, self._sent)

    def spent(self) -> str | None:
        """Why no new work may start (``"max_minutes"``, ``"max_requests"``), or None."""
        if self.max_minutes is not None and (time.monotonic() - self.started) / 60 >= self.max_minutes:
            return "max_minutes"
        if self.max_requests is not None and self.requests >= self.max_requests:
            return "max_requests"
        return None


class BudgetedLimiter(RateLimiter):
    """The run's rate limiter, each request also taken from ``budget``: once it is spent the request is
    not sent (:class:`RunStopped`, as on a stop) and ``on_spent`` is called, which stops the run."""

    def __init__(self, requests_per_second: float, budget: Budget, on_spent: Callable[[], None],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(requests_per_second, sleep=sleep)
        self.budget = budget
        self.on_spent = on_spent

    def acquire(self) -> float:
        """Wait for a slot, then take the request from the budget (raise :class:`RunStopped` if spent)."""
        waited = super().acquire()
        if not self.budget.take():
            self.on_spent()
            raise RunStopped(f"run stopped ({BUDGET_SPENT})", reason="budget")
        return waited
