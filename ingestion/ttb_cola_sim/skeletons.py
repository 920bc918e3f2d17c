"""The skeleton layer of a partition (receipt date x method): what was received, independent of the clock.

How many applications were received (the highest sequence), which of them are never public
(rejected/withdrawn: holes), each one's approval date, and any later status change
(SURRENDERED/EXPIRED/REVOKED with its date). Cheap; used by search and statistics, and drawn from a
generator keyed by (seed, partition) alone.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from ttb_cola.ids import RECEIPT_METHODS
from ttb_cola_sim.business_days import business_day_after, federal_holidays
from ttb_cola_sim.sampling import partition_salt, poisson

APPROVED = "APPROVED"
SURRENDERED = "SURRENDERED"
EXPIRED = "EXPIRED"
REVOKED = "REVOKED"
STATUSES = (APPROVED, SURRENDERED, EXPIRED, REVOKED)

# Upper bounds the search relies on to know which partitions can hold a completed date.
MAX_APPROVAL_LAG = 120
MIN_CHANGE_DELAY = 30
MAX_CHANGE_DELAY = 540

# e-filed weekday means (Mon..Sun), from the real whiskey ID list: ~1,000 Mon-Thu, ~800 Fri, ~80 weekends.
_EFILED_MEAN = (990, 1010, 1020, 990, 810, 85, 80)
_EFILED_HOLIDAY_MEAN = 40
_OTHER_WEEKDAY_MEAN = {"002": 3.0, "003": 1.5, "000": 1.0}
_HOLE_RATE = {"001": 0.11, "002": 0.15, "003": 0.15, "000": 0.15}
_CHANGE_RATES = ((SURRENDERED, 0.03), (EXPIRED, 0.015), (REVOKED, 0.004))


@dataclass(frozen=True, slots=True)
class Skeleton:
    """What was received in one partition, independent of the clock.

    ``approval[i]`` is the approval date ordinal of sequence ``i + 1`` (0: never public);
    ``change[i]`` is ``(status, date ordinal)`` of its later status change, or None.
    """

    receipt_date: date
    method: str
    approval: tuple[int, ...]
    change: tuple[tuple[str, int] | None, ...]

    @property
    def received(self) -> int:
        """The highest sequence received that day (public or not)."""
        return len(self.approval)


def expected_volume(receipt_date: date, method: str) -> float:
    """Mean number of applications received on a day by a method (before noise)."""
    weekday = receipt_date.weekday()
    holiday = receipt_date in federal_holidays(receipt_date.year)
    if method == "001":
        return _EFILED_HOLIDAY_MEAN if holiday else _EFILED_MEAN[weekday]
    if holiday or weekday >= 5:
        return 0.05
    return _OTHER_WEEKDAY_MEAN[method]


class Skeletons:
    """The skeletons of one seed's partitions, generated on demand and kept in a bounded LRU cache.

    Args:
        seed: the registry's seed.
        start: the first receipt date that holds applications (earlier partitions are empty).
        business: sorted business-day ordinals to count approval lags in and move status changes to;
            empty keeps the calendar lags (weekend approvals fall on Mondays, changes on any day).
    """

    def __init__(self, seed: int, start: date, business: list[int], cache_size: int = 20_000) -> None:
        self.seed = seed
        self.start = start
        self._business = business
        self._cache: OrderedDict[tuple[date, str], Skeleton] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def get(self, receipt_date: date, method: str) -> Skeleton:
        """The clock-independent skeleton of a partition (cached)."""
        key = (receipt_date, method)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        skeleton = self._make(receipt_date, method)
        with self._lock:
            self._cache[key] = skeleton
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return skeleton

    def _make(self, receipt_date: date, method: str) -> Skeleton:
        if receipt_date < self.start or method not in RECEIPT_METHODS:
            return Skeleton(receipt_date, method, (), ())
        rng = random.Random(f"{self.seed}|{partition_salt(receipt_date, method)}|skeleton")
        mean = expected_volume(receipt_date, method)
        # e-filed: several hundred a weekday with normal noise; the other methods: a Poisson handful.
        efiled = method == "001"
        count = max(0, round(mean * max(0.3, rng.gauss(1.0, 0.12)))) if efiled else poisson(rng, mean)
        hole_rate = _HOLE_RATE[method]
        base = receipt_date.toordinal()
        business = self._business
        approvals: list[int] = []
        changes: list[tuple[str, int] | None] = []
        rand = rng.random
        for _ in range(count):
            if rand() < hole_rate:
                approvals.append(0)
                changes.append(None)
                continue
            roll = rand()
            if roll < 0.45:
                lag = 1 + int(rand() * 7)
            elif roll < 0.82:
                lag = 8 + int(rand() * 14)
            elif roll < 0.96:
                lag = 22 + int(rand() * 24)
            else:
                lag = 46 + int(rand() * (MAX_APPROVAL_LAG - 45))
            if business:
                approved = business_day_after(business, base, max(1, round(lag * 5 / 7)))
            else:
                approved = base + lag
                weekday = (approved - 1) % 7  # date.fromordinal(1) is a Monday
                if weekday >= 5:
                    approved += 7 - weekday
            approvals.append(approved)
            roll = rand()
            change = None
            for status, rate in _CHANGE_RATES:
                if roll < rate:
                    delay = MIN_CHANGE_DELAY + int(rand() * (MAX_CHANGE_DELAY - MIN_CHANGE_DELAY))
                    changed = approved + delay
                    if business:
                        changed = business_day_after(business, changed - 1, 1)
                    change = (status, changed)
                    break
                roll -= rate
            changes.append(change)
        return Skeleton(receipt_date, method, tuple(approvals), tuple(changes))
