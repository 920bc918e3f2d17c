"""The registry's export cap, learned from its answers rather than assumed.

The CSV export holds at most a fixed number of rows, and no page states it: TTB's own word is 500,
peers assume 1,000. So the cap is learned. An export that comes back shorter than the search's
reported total, with rows that all belong to the search (not a damaged file), holds exactly the cap
rows: from then on no export larger than that is asked for. An export that comes back whole proves
the cap is at least its size.

Until the cap is known, searches aim at twice what is proven (``target``), so a first larger export
either comes back whole (the bound goes up) or teaches the exact cap, at the price of one export.
The prior (default :data:`DEFAULT_EXPORT_CAP`, 500) is the first bound. 500 is the safe prior: it is
the lowest figure anyone states, so ranges planned on it fit under either figure, and a larger cap
is found by the first export aimed above it.

One :class:`ExportCap` may be shared by every searcher of a run (it is thread-safe); its
:meth:`state` is what a run stores to start the next one where this one left off.
"""

from __future__ import annotations

import threading
from typing import Any

#: The first bound on the export cap, before the registry has answered (TTB's own statement).
DEFAULT_EXPORT_CAP = 500


class ExportCap:
    """What is known of the export cap: the exact value once an export came back short, else a lower
    bound (the prior, raised by every export that came back whole)."""

    def __init__(self, prior: int = DEFAULT_EXPORT_CAP, state: dict[str, Any] | None = None) -> None:
        if prior < 1:
            raise ValueError(f"export_cap must be a positive number of rows, got {prior}")
        self.prior = prior
        self._lock = threading.Lock()
        state = state or {}
        self._exact: int | None = state.get("exact")
        self._at_least: int = int(state.get("at_least") or 0)

    @property
    def exact(self) -> int | None:
        """The cap, once an export taught it (None: not known yet)."""
        return self._exact

    @property
    def at_least(self) -> int:
        """The largest export that came back whole (0: none yet)."""
        return self._at_least

    @property
    def limit(self) -> int:
        """The most rows an export is known (or, from the prior, assumed) to hold."""
        with self._lock:
            return self._exact if self._exact is not None else max(self.prior, self._at_least)

    def target(self) -> int:
        """The rows a planned search aims at: the cap when known, else twice the bound (see above)."""
        with self._lock:
            if self._exact is not None:
                return self._exact
            return 2 * max(self.prior, self._at_least)

    def fits(self, total: int) -> bool:
        """Whether a search of ``total`` rows is to be exported (it may still come back short while
        the cap is not known)."""
        return total <= self.target()

    def whole(self, rows: int) -> None:
        """An export came back with every one of its ``rows``: the cap is at least that."""
        with self._lock:
            self._at_least = max(self._at_least, rows)
            if self._exact is not None and rows > self._exact:  # the registry raised its cap
                self._exact = None

    def short(self, rows: int) -> None:
        """An export came back with only ``rows`` of a larger total, all of them the search's: the cap."""
        with self._lock:
            self._exact = rows
            self._at_least = min(self._at_least, rows)

    def state(self) -> dict[str, int | None]:
        """What was learned, for the run to store (``ExportCap(prior, state)`` reads it back)."""
        with self._lock:
            return {"exact": self._exact, "at_least": self._at_least}

    def __repr__(self) -> str:
        return f"ExportCap(prior={self.prior}, exact={self._exact}, at_least={self._at_least})"
