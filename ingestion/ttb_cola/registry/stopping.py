"""A run's stop signal: one event every sleeping thread wakes on (rate limiter, backoff, cooldown).

Every wait of a crawl goes through :meth:`StopSignal.sleep`, so a stop (Ctrl-C, a block, a lost
lease) reaches a thread at once, however long the wait it was in: it raises :class:`RunStopped`,
a :class:`~ttb_cola.registry.errors.RegistryError`, which the runners already treat as "this
sequence was not confirmed", so the state stays where it was.
"""

from __future__ import annotations

import threading

from ttb_cola.registry.errors import RegistryError


class RunStopped(RegistryError):
    """The run was stopped while this request waited (its page was not fetched)."""

    def __init__(self, message: str = "run stopped", *, url: str = "", attempts: int = 0,
                 reason: str = "stopped", status_code: int | None = None) -> None:
        super().__init__(message, url=url, attempts=attempts, reason=reason, status_code=status_code)


class StopSignal:
    """A stop flag with an interruptible sleep; wraps (and shares) a ``threading.Event``."""

    def __init__(self, event: threading.Event | None = None) -> None:
        self.event = event if event is not None else threading.Event()
        self.reason = ""

    def set(self, reason: str = "stopped") -> None:
        """Stop: every current and later :meth:`sleep` raises :class:`RunStopped`."""
        if not self.event.is_set():
            self.reason = reason
        self.event.set()

    def is_set(self) -> bool:
        """Whether the run was stopped."""
        return self.event.is_set()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when the run stops (then raise :class:`RunStopped`)."""
        if self.event.wait(max(0.0, seconds)):
            raise RunStopped(f"run stopped ({self.reason or 'stopped'})")
