"""What a completed-date search gathered: its rows, and the proof that each date is listed in full."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


class SearchIncomplete(Exception):
    """The rows of a search could not be gathered to match its reported total."""


@dataclass(frozen=True)
class Proof:
    """A search whose rows matched its reported total: the evidence that its dates are listed in full.

    ``reported_total`` is the registry's count for ``first``..``last``: reported for that range, or
    the reported total of an enclosing range less the reported totals of its other parts."""

    first: date
    last: date
    reported_total: int


@dataclass
class DayListing:
    """One completed date of a search: its rows and the search that proves them complete."""

    day: date
    rows: list[dict[str, Any]]
    proof: Proof

    @property
    def reported_total(self) -> int | None:
        """The registry's total for this date alone, when it was searched alone (else None: the
        date is proven by the range of :attr:`proof`)."""
        return self.proof.reported_total if self.proof.first == self.proof.last else None


@dataclass
class SearchResult:
    """The rows of a completed-date search, how they were gathered, and the proof of every date."""

    total: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    exports: int = 0
    pages: int = 0
    splits: int = 0
    #: Searches run (each a POST; paging's own searches included).
    searches: int = 0
    #: Rows that listed a COLA already listed (dropped: one row per TTB ID is kept).
    duplicates: int = 0
    #: The searches whose rows matched their totals; together they cover every date searched.
    proofs: list[Proof] = field(default_factory=list)

    def days(self) -> list[DayListing]:
        """Every completed date searched, in order, with its rows (distinct COLAs) and its proof."""
        by_day: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            by_day.setdefault(row["completed_date"], []).append(row)
        out = []
        for proof in sorted(self.proofs, key=lambda p: p.first):
            day = proof.first
            while day <= proof.last:
                out.append(DayListing(day, by_day.get(day.isoformat(), []), proof))
                day += timedelta(days=1)
        return out
