"""The open parked COLAs, kept in the crawl state, and the ``crawl_parked`` rows that log them. Pure.

The state (``resource_state()["parked"]``: TTB ID -> page, error, attempts, first/last seen, run)
is committed with each load, like the partition state, so a parked COLA is never forgotten; the
table is the visible log: one row per TTB ID (merged on its key), ``resolved`` once a later run
loaded it. A run can park a COLA and load it later on (a search after the retry, a probe after a
search), so the book keeps each TTB ID's latest row and the run yields them once, at its end.
"""

from __future__ import annotations

from typing import Any

from ttb_cola.parked.model import Parked
from ttb_cola.records import DETAILS_TABLE, FORMS_TABLE, Spec, TableRow, columns, id_fields

PARKED_TABLE = "crawl_parked"
PARKED_SPECS: dict[str, Spec] = {
    "ttb_id": ("text", False),
    "receipt_date": ("date", False),
    "receipt_method": ("text", False),
    "sequence": ("bigint", False),
    "page": ("text", False),
    "error": ("text", False),
    "attempts": ("bigint", False),
    "first_seen": ("timestamp", False),
    "last_seen": ("timestamp", False),
    "run_id": ("text", False),
    "resolved": ("bool", False),
    "resolved_at": ("timestamp", True),
}
PARKED_COLUMNS = columns(PARKED_SPECS)


class ParkedBook:
    """The open parked COLAs of the crawl state (``entries``, updated in place) for one run."""

    def __init__(self, entries: dict[str, Any], run_id: str) -> None:
        self.entries = entries
        self.run_id = run_id
        #: Parked by this run (new, or retried and still failing), and loaded by it after being parked.
        self.parked: list[Parked] = []
        self.resolved: list[str] = []
        self._rows: dict[str, dict[str, Any]] = {}

    def open_ids(self) -> list[str]:
        """The TTB IDs still parked, in order."""
        return sorted(self.entries)

    def park(self, parked: Parked, now: str) -> None:
        """Park ``parked`` (again: one more attempt)."""
        entry = self.entries.get(parked.ttb_id) or {"attempts": 0, "first_seen": now}
        entry = {**entry, "page": parked.page, "error": parked.error, "attempts": entry["attempts"] + 1,
                 "last_seen": now, "run_id": self.run_id}
        if parked.unanswered:  # set once, kept while the entry is open
            entry["unanswered"] = True
        self.entries[parked.ttb_id] = entry
        self.parked.append(parked)
        self._rows[parked.ttb_id] = self._row(parked.ttb_id, entry, None)

    def unanswered_ids(self) -> set[str]:
        """The open COLAs parked because their page failed every try (see :attr:`Parked.unanswered`)."""
        return {ttb_id for ttb_id, entry in self.entries.items() if entry.get("unanswered")}

    def not_public(self, ttb_id: str, now: str) -> None:
        """Close an unanswered COLA the registry now says is not public (its partition probes the
        sequence again); nothing when it is not such an open entry."""
        entry = self.entries.get(ttb_id)
        if entry is None or not entry.get("unanswered"):
            return
        del self.entries[ttb_id]
        self.resolved.append(ttb_id)
        entry = {**entry, "error": f"{entry['error']}; since answered not found (not public yet)"}
        self._rows[ttb_id] = self._row(ttb_id, entry, now)

    def resolve(self, row: TableRow, now: str) -> None:
        """Close the parked entry of the COLA whose page ``row`` loads, if it is parked."""
        if row.table not in (DETAILS_TABLE, FORMS_TABLE):
            return
        ttb_id = row.data.get("ttb_id")
        entry = self.entries.pop(ttb_id, None)
        if entry is None:
            return
        self.resolved.append(ttb_id)
        self._rows[ttb_id] = self._row(ttb_id, entry, now)

    def rows(self) -> list[TableRow]:
        """The ``crawl_parked`` rows of this run: one per TTB ID it parked or loaded after being parked,
        its latest."""
        return [TableRow(PARKED_TABLE, row) for _, row in sorted(self._rows.items())]

    def _row(self, ttb_id: str, entry: dict[str, Any], resolved_at: str | None) -> dict[str, Any]:
        return {
            "ttb_id": ttb_id, **id_fields(ttb_id), "page": entry["page"], "error": entry["error"],
            "attempts": entry["attempts"], "first_seen": entry["first_seen"], "last_seen": entry["last_seen"],
            "run_id": self.run_id, "resolved": resolved_at is not None, "resolved_at": resolved_at,
        }
