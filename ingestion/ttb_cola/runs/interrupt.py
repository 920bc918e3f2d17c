"""Ctrl-C (or SIGTERM) stops a crawl gracefully: the workers stop, what was confirmed is committed.

The first signal sets the run's stop event: every sleeping worker wakes at once (see
:class:`ttb_cola.registry.stopping.StopSignal`), the partitions in flight end failed at the first
unconfirmed sequence, and dlt normalizes and loads what was extracted, state included. A second
signal raises ``KeyboardInterrupt`` at once (exit 130; the next run recovers like after a kill).
dlt's own handlers of the normalize and load steps are turned off for the run so that a first
Ctrl-C during a load lets the load finish instead of failing it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

#: dlt's setting for its own signal handlers in normalize and load (public config, env form).
DLT_INTERCEPT = "RUNTIME__INTERCEPT_SIGNALS"


class Interrupt:
    """Whether a signal came, and the stop event of the chunk running when it came."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.requested = False
        self.lost: str | None = None

    def lease_lost(self, reason: str) -> None:
        """The bucket lock's lease was lost: stop the run (called from the renewer thread)."""
        self.lost = reason
        self.stop.set()

    def chunk_stop(self) -> threading.Event:
        """A fresh stop event for the next chunk (a scheduler sets its own when it ends)."""
        self.stop = threading.Event()
        if self.requested or self.lost:
            self.stop.set()
        return self.stop

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.stop.set()
        with suppress(OSError, ValueError):
            os.write(sys.stderr.fileno(), b"ttb-cola: stopping: committing what was confirmed "
                                          b"(press Ctrl-C again to abort at once)\n")


@contextmanager
def graceful_interrupt() -> Iterator[Interrupt]:
    """Handle SIGINT and SIGTERM as described above while the block runs (main thread only)."""
    interrupt = Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield interrupt
        return
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    intercept = os.environ.get(DLT_INTERCEPT)
    os.environ[DLT_INTERCEPT] = "false"
    try:
        yield interrupt
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if intercept is None:
            os.environ.pop(DLT_INTERCEPT, None)
        else:
            os.environ[DLT_INTERCEPT] = intercept
