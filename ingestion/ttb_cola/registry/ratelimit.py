"""A thread-safe token bucket that spaces requests to the registry across all worker threads.

The registry publishes no limit, so we are polite by default (README, "Settings": 2 requests/s by default): one
limiter is shared by every thread of the process. It is passed in, not global: a
:class:`~ttb_cola.registry.client.RegistryClient` makes one unless given ``rate_limiter=``, so either share one
client between workers (each thread still gets its own HTTP session) or give each worker its own
client built with the same limiter (what the dlt source does). No module state means tests and
two pipelines in one process never leak budgets into each other.

The bucket is implemented as a reservation schedule (GCRA): ``acquire`` books the next free slot
under the lock and sleeps outside it, so waiting threads are served roughly in arrival order and
never spin. ``pause`` lets a caller who was told to back off (429 Retry-After, CAPTCHA) hold back
every thread, not just itself, because the registry throttles the client address, not a thread.
A thread whose booked slot falls inside a pause that started after it booked re-books when it
wakes, so the threads held back by a pause leave it one slot apart, at the configured rate, in
the order they booked (never all at once when the pause ends).

Sleeps go through ``sleep`` (injectable): pass one that raises when the run stops (see
:class:`ttb_cola.registry.stopping.StopSignal`) and a waiting thread wakes at once on a stop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Token bucket: ``requests_per_second`` tokens a second, at most ``burst`` saved up.

    ``requests_per_second <= 0`` means unlimited (only :meth:`pause` then delays callers).
    """

    def __init__(
        self,
        requests_per_second: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst}")
        self._rate = float(requests_per_second)
        self._burst = int(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._interval = 1.0 / self._rate if self._rate > 0 else 0.0
        # GCRA: a request may go at (theoretical arrival time - tolerance); tolerance = saved tokens.
        self._tolerance = (self._burst - 1) * self._interval
        self._tat = clock()
        self._paused_until = float("-inf")

    @property
    def requests_per_second(self) -> float:
        """The configured rate (``<= 0`` means unlimited)."""
        return self._rate

    @property
    def burst(self) -> int:
        """How many requests may go back to back after an idle spell."""
        return self._burst

    @property
    def unlimited(self) -> bool:
        """True when the limiter never spaces requests (it still honours :meth:`pause`)."""
        return self._rate <= 0

    def _reserve(self) -> float:
        """Book the next slot; return the clock time at which the caller may proceed."""
        with self._lock:
            return self._book(self._clock())

    def _book(self, now: float) -> float:
        """Book the next slot at or after ``now`` (call with the lock held)."""
        if self.unlimited:
            return max(now, self._paused_until)
        tat = max(self._tat, now)
        allowed = max(tat - self._tolerance, now, self._paused_until)
        self._tat = max(tat, allowed) + self._interval
        return allowed

    def _rebook_if_overtaken(self, slot: float, now: float) -> float:
        """The caller's slot, or a new one when a pause now covers ``slot`` (booked before it)."""
        with self._lock:
            if slot >= self._paused_until:
                return slot
            if self.unlimited:
                return self._paused_until
            # The slot was swallowed by a pause: take the next free one after it, so the threads
            # held back leave the pause one interval apart instead of all at its end.
            return self._book(now)

    def acquire(self) -> float:
        """Block until a token is available; return the seconds spent waiting."""
        start = self._clock()
        slot = self._reserve()
        while True:
            now = self._clock()
            if slot <= now:
                new = self._rebook_if_overtaken(slot, now)
                if new == slot:
                    return now - start
                slot = new
                continue
            self._sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Hold back every caller for ``seconds`` from now (extends, never shortens, a pause).

        After the pause requests resume at the normal rate, without a burst of saved-up tokens.
        """
        if seconds <= 0:
            return
        with self._lock:
            until = self._clock() + seconds
            if until > self._paused_until:
                self._paused_until = until
            if not self.unlimited:
                self._tat = max(self._tat, self._paused_until + self._tolerance)

    def __repr__(self) -> str:
        return f"RateLimiter(requests_per_second={self._rate!r}, burst={self._burst!r})"
