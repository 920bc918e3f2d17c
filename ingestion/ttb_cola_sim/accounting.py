"""Request accounting: how many registry requests the simulator answered, by path, and which COLA
pages it answered (so tests can tell which COLAs a run had in full when it stopped).

Counted after fault injection (a faulted request never reaches a route), so tests can tell how many
pages a run really fetched; ``/__sim__/stats`` reports the same counts.
"""

from __future__ import annotations

import threading

#: COLA pages the log keeps at least (see :attr:`RequestCounts.pages`): far more than a test's run answers.
PAGE_LOG_LIMIT = 100_000


class RequestCounts(dict[str, int]):
    """Answered registry requests by path (``viewColaDetails.do``...), safe to count from many threads."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        #: COLA pages answered, in order: (``detail`` or ``form``, TTB ID, whether the page was the COLA's
        #: own rather than the not-found page); the latest :data:`PAGE_LOG_LIMIT` at least (a long-running
        #: simulator drops the older half of its log when it reaches twice that).
        self.pages: list[tuple[str, str, bool]] = []

    def add(self, path: str) -> None:
        """Count one request to ``path``."""
        with self._lock:
            self[path] = self.get(path, 0) + 1

    def page(self, kind: str, ttb_id: str, found: bool) -> None:
        """Note one COLA page answered: ``kind`` ``detail`` or ``form``, ``found`` False for not found."""
        with self._lock:
            self.pages.append((kind, ttb_id, found))
            if len(self.pages) >= 2 * PAGE_LOG_LIMIT:
                del self.pages[:PAGE_LOG_LIMIT]

    def snapshot(self) -> dict[str, int]:
        """A copy of the counts, consistent while requests keep arriving."""
        with self._lock:
            return dict(self)
