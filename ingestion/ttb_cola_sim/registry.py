"""The deterministic synthetic registry: every COLA of every receipt date, seen "as of" a date.

Everything is a pure function of the seed. A partition (receipt date x method) is generated in two
layers, each from its own ``random.Random`` keyed by (seed, partition):

- the *skeleton* (:mod:`~ttb_cola_sim.skeletons`): how many applications were received, which are
  never public, each one's approval date and any later status change. Cheap; used by search and
  statistics;
- the *details* (:mod:`~ttb_cola_sim.details`): every field of each public COLA, drawn from
  :mod:`~ttb_cola_sim.pools` and from a company pool shared by the whole registry
  (:mod:`~ttb_cola_sim.companies`: permit numbers and addresses recur across many COLAs).

Neither layer depends on the clock. "As of D" only decides what is visible: an application is public
iff its approval date <= D, and its status is the latest change dated <= D; ``completed_date`` is
that latest status date. So moving the clock forward makes late approvals and status changes appear
while everything already seen keeps its values. This module holds the clock and the views; the
layers' names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from ttb_cola.ids import format_ttb_id, parse_ttb_id
from ttb_cola_sim.business_days import business_ordinals, federal_holidays
from ttb_cola_sim.companies import N_COMPANIES, Company, make_companies
from ttb_cola_sim.completed import CompletedIndex, unpack
from ttb_cola_sim.details import Details
from ttb_cola_sim.skeletons import (
    APPROVED,
    EXPIRED,
    MAX_APPROVAL_LAG,
    MAX_CHANGE_DELAY,
    MIN_CHANGE_DELAY,
    REVOKED,
    STATUSES,
    SURRENDERED,
    Skeleton,
    Skeletons,
    expected_volume,
)
from ttb_cola_sim.truth_records import truth_record

__all__ = [
    "APPROVED", "DEFAULT_START", "EXPIRED", "MAX_APPROVAL_LAG", "MAX_CHANGE_DELAY", "MIN_CHANGE_DELAY",
    "N_COMPANIES", "REVOKED", "STATUSES", "SURRENDERED", "Company", "Registry", "Skeleton", "federal_holidays",
    "truth_record",
]

DEFAULT_START = date(2000, 1, 1)


class Registry:
    """The synthetic registry of one seed, with a movable clock.

    Args:
        seed: everything is a pure function of it.
        as_of: the clock; defaults to today. What is public and each COLA's status depend on it.
        start: the first receipt date that holds applications (earlier IDs are never public).
        business_days: count approval lags in business days and move status changes to business
            days, so that no COLA is completed on a weekend or federal holiday and the weekdays
            share the week's work evenly (the default keeps the calendar lags: weekend approvals
            fall on Mondays, and status changes on any day).
    """

    def __init__(self, seed: int = 1, as_of: date | None = None, start: date = DEFAULT_START,
                 business_days: bool = False) -> None:
        self.seed = int(seed)
        self._as_of = as_of or date.today()
        self.start = start
        self.business_days = business_days
        #: Status changes set at run time (``change_status``), by TTB ID: (status, completed ordinal).
        self._changes: dict[str, tuple[str, int]] = {}
        self._skeletons = Skeletons(self.seed, start, business_ordinals(start) if business_days else [])
        self._details = Details(self.seed, make_companies(self.seed))
        self._completed = CompletedIndex(self._skeletons)

    @property
    def companies(self) -> list[Company]:
        """The company pool every COLA's applicant is drawn from, in rank order."""
        return self._details.companies

    # ----------------------------------------------------------------- clock
    @property
    def as_of(self) -> date:
        """The date the registry is seen at."""
        return self._as_of

    def set_as_of(self, as_of: date) -> None:
        """Move the clock (forward or back); generated data is kept, only visibility changes."""
        self._as_of = as_of

    def change_status(self, ttb_id: str, status: str, on: date) -> None:
        """Give a public COLA a new status completed ``on`` (e.g. surrendered later the day it was
        fetched): from then on its pages show the status and the search lists it under ``on``."""
        self._changes[ttb_id] = (status, on.toordinal())

    def _status(self, ttb_id: str, approved: int, change: tuple[str, int] | None, day: int) -> tuple[str, int]:
        """(status, completed ordinal) of a public COLA as of ordinal ``day``."""
        status, completed = APPROVED, approved
        if change is not None and change[1] <= day:
            status, completed = change
        late = self._changes.get(ttb_id)
        if late is not None and late[1] <= day:
            status, completed = late
        return status, completed

    # ----------------------------------------------------------------- skeleton
    def expected_volume(self, receipt_date: date, method: str) -> float:
        """Mean number of applications received on a day by a method (before noise)."""
        return expected_volume(receipt_date, method)

    def skeleton(self, receipt_date: date, method: str) -> Skeleton:
        """The clock-independent skeleton of a partition (cached)."""
        return self._skeletons.get(receipt_date, method)

    # ----------------------------------------------------------------- public views
    def raw(self, ttb_id: str, as_of: date | None = None) -> dict[str, Any] | None:
        """The internal record (rendering form, shared, do not mutate) with status as of the clock.

        Returns None when the ID is malformed, was never received, is a hole or is not yet approved.
        """
        try:
            parsed = parse_ttb_id(ttb_id)
        except ValueError:
            return None
        return self._raw(parsed.receipt_date, parsed.receipt_method, parsed.sequence, as_of)

    def _raw(self, receipt_date: date, method: str, sequence: int, as_of: date | None) -> dict[str, Any] | None:
        day = (as_of or self._as_of).toordinal()
        if receipt_date.toordinal() >= day or sequence < 1:
            return None
        skeleton = self.skeleton(receipt_date, method)
        if sequence > skeleton.received:
            return None
        approved = skeleton.approval[sequence - 1]
        if not approved or approved > day:
            return None
        change = skeleton.change[sequence - 1]
        detail = self._details.get(receipt_date, method, sequence, approved, change)
        ttb_id = format_ttb_id(receipt_date, method, sequence) if self._changes else ""
        status, completed = self._status(ttb_id, approved, change, day)
        if detail["status"] == status and detail.get("_completed") == completed:
            return detail
        view = dict(detail)
        view["status"] = status
        view["_completed"] = completed
        view["completed_date"] = date.fromordinal(completed).isoformat()
        return view

    def record(self, ttb_id: str, as_of: date | None = None) -> dict[str, Any] | None:
        """The truth record of a public COLA as of the clock (the field names of ttb_cola.records), or None."""
        raw = self.raw(ttb_id, as_of)
        return truth_record(raw) if raw is not None else None

    def partition_records(self, receipt_date: date, method: str, as_of: date | None = None) -> list[dict[str, Any]]:
        """Truth records of one partition's public COLAs as of the clock, by sequence."""
        skeleton = self.skeleton(receipt_date, method)
        out = []
        for sequence in range(1, skeleton.received + 1):
            raw = self._raw(receipt_date, method, sequence, as_of)
            if raw is not None:
                out.append(truth_record(raw))
        return out

    def records(self, start: date, end: date, methods: list[str] | None = None,
                as_of: date | None = None) -> Iterator[dict[str, Any]]:
        """Truth records of every public COLA received from ``start`` to ``end`` inclusive."""
        day = start
        methods = methods or ["001", "002", "003", "000"]
        while day <= end:
            for method in methods:
                yield from self.partition_records(day, method, as_of)
            day += timedelta(days=1)

    def stats(self, receipt_date: date, method: str, as_of: date | None = None) -> dict[str, Any]:
        """Counts of a partition: received, public as of the clock, holes, pending, highest public sequence."""
        skeleton = self.skeleton(receipt_date, method)
        day = (as_of or self._as_of).toordinal()
        public = [i + 1 for i, a in enumerate(skeleton.approval) if a and a <= day]
        holes = sum(1 for a in skeleton.approval if not a)
        return {
            "received": skeleton.received,
            "public": len(public),
            "holes": holes,
            "pending": skeleton.received - holes - len(public),
            "highest_public": public[-1] if public else 0,
        }

    # ----------------------------------------------------------------- by completed date
    def completed_between(self, first: date, last: date, as_of: date | None = None) -> Iterator[dict[str, Any]]:
        """Raw records whose completed date (latest status date as of the clock) is in [first, last],
        by receipt date, method and sequence."""
        clock = as_of or self._as_of
        lo, hi = first.toordinal(), min(last, clock).toordinal()
        for key in self._completed.keys(first, last, clock, self._changes):
            raw = self.raw_by_key(key, clock)
            if raw is not None and lo <= raw["_completed"] <= hi:
                yield raw

    def completed_ids(self, first: date, last: date, as_of: date | None = None) -> list[tuple[str, int]] | None:
        """(TTB ID, index key) of every record completed in [first, last], sorted by TTB ID, without
        generating a record (:meth:`raw_by_key` reads one); None when status changes set at run time
        make the index inexact (then use :meth:`completed_between`)."""
        if self._changes:
            return None
        out = [(format_ttb_id(*unpack(key)), key) for key in self._completed.keys(first, last, as_of or self._as_of)]
        out.sort()
        return out

    def raw_by_key(self, key: int, as_of: date | None = None) -> dict[str, Any] | None:
        """The raw record of an index key (see :meth:`raw`)."""
        return self._raw(*unpack(key), as_of)
