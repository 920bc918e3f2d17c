"""Request accounting: how many registry requests the simulator answered, by path.

Counted after fault injection (a faulted request never reaches a route), so tests can tell how many
pages a run really fetched; ``/__sim__/stats`` reports the same counts.
"""

from __future__ import annotations

import threading


class RequestCounts(dict[str, int]):
    """Answered registry requests by path (``viewColaDetails.do``...), safe to count from many threads."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def add(self, path: str) -> None:
        """Count one request to ``path``."""
        with self._lock:
            self[path] = self.get(path, 0) + 1

    def snapshot(self) -> dict[str, int]:
        """A copy of the counts, consistent while requests keep arriving."""
        with self._lock:
            return dict(self)
