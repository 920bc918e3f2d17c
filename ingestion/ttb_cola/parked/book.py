"""The open parked COLAs, kept in the crawl state, and the ``crawl_parked`` rows that log them. Pure.

The state (``resource_state()["parked"]``: TTB ID -> page, error, attempts, first/last seen, run)
is committed with each load, like the partition state, so a parked COLA is never forgotten; the
table is the visible log: one row per TTB ID (merged on its key), ``resolved`` once a later run
loaded it. A COLA that failed too often or for too long (:class:`~ttb_cola.parked.give_up.GiveUp`) is
**given up**: it stays in the state and the table (``given_up``), is no longer retried and no longer makes a
run exit 5; should a later run load its page anyway, that closes it like any other. A run can park a COLA
and load it later on (a search after the retry, a probe after a search), so the book keeps each TTB ID's
latest row and the run yields them once, at its end.
"""

from __future__ import annotations

from typing import Any

from ttb_cola.parked.give_up import GiveUp
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
    # nullable: rows written before the give-up rule have none
    "given_up": ("bool", True),
}
PARKED_COLUMNS = columns(PARKED_SPECS)


class ParkedBook:
    """The open parked COLAs of the crawl state (``entries``, updated in place) for one run."""

    def __init__(self, entries: dict[str, Any], run_id: str, give_up: GiveUp | None = None) -> None:
        self.entries = entries
        self.run_id = run_id
        self.give_up = give_up or GiveUp()
        #: Parked by this run (new, or retried and still failing), and loaded by it after being parked.
        self.parked: list[Parked] = []
        self.resolved: list[str] = []
        #: Given up by this run (their last attempt was this run's).
        self.given_up: list[str] = []
        self._rows: dict[str, dict[str, Any]] = {}

    def open_ids(self) -> list[str]:
        """The TTB IDs still parked and not given up (the ones runs retry), in order."""
        return sorted(ttb_id for ttb_id, entry in self.entries.items() if not entry.get("given_up"))

    def park(self, parked: Parked, now: str) -> None:
        """Park ``parked`` (again: one more attempt)."""
        entry = self.entries.get(parked.ttb_id) or {"attempts": 0, "first_seen": now}
        entry = {**entry, "page": parked.page, "error": parked.error, "attempts": entry["attempts"] + 1,
                 "last_seen": now, "run_id": self.run_id}
        if parked.unanswered:  # set once, kept while the entry is open
            entry["unanswered"] = True
        if not entry.get("given_up") and self.give_up.reached(entry, now):
            entry["given_up"] = True
            self.given_up.append(parked.ttb_id)
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
        ttb_id: str = row.data["ttb_id"]  # every page row has one
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
            "given_up": resolved_at is None and bool(entry.get("given_up")),
        }
