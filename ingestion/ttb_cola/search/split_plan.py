"""Where to split a search over the export cap: pure planning from what earlier searches showed.

A range of completed dates over the cap is cut into parts expected to fit, and a single day over
it into class/type code ranges. The expectations come from the rows already listed (how many
completions each weekday carries, how the class/type codes are spread), scaled to the reported
total of the range being split; before anything is known, weekends weigh little and code ranges
are halved. A plan that guesses wrong only costs requests: every part is searched, and a part still
over the cap is split again.

What was seen is kept between runs (:meth:`Density.state`, stored like the export cap): a run that
starts where the last one left off plans its first splits on what the last one saw, not on the prior.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import date, timedelta
from typing import Any

#: Relative completions by weekday (Monday first) before any have been seen.
PRIOR_WEEKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.05, 0.05)
_CODE = re.compile(r"^(\d+)")


def code_number(code: str | None) -> int | None:
    """The number of a class/type code (``80A`` -> 80), None when it has none."""
    match = _CODE.match(code or "")
    return int(match.group(1)) if match else None


class Density:
    """Completions seen so far, by weekday and by class/type code number (thread-safe); ``state``: what
    an earlier run saw (:meth:`state`), None: nothing yet."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        state = state or {}
        self._weekday_rows = [int(n) for n in state.get("weekday_rows") or [0] * 7]
        self._weekday_days = [int(n) for n in state.get("weekday_days") or [0] * 7]
        self._codes: Counter[int] = Counter({
            int(code): int(rows) for code, rows in (pair.split("=") for pair in (state.get("codes") or "").split(",")
                                                    if pair)})

    def state(self) -> dict[str, Any]:
        """What was seen, for the run to store (``Density(state)`` reads it back): rows and days by
        weekday, and rows by class/type code number as ``code=rows`` pairs."""
        with self._lock:
            return {"weekday_rows": list(self._weekday_rows), "weekday_days": list(self._weekday_days),
                    "codes": ",".join(f"{code}={rows}" for code, rows in sorted(self._codes.items()))}

    def observe_days(self, first: date, last: date, rows: list[dict[str, Any]]) -> None:
        """Learn from the rows of a range listed in full (every day of it, empty ones included)."""
        if not rows:
            return  # an empty range says nothing of how the busy ones are spread
        per_day = Counter(row["completed_date"] for row in rows)
        with self._lock:
            day = first
            while day <= last:
                self._weekday_days[day.weekday()] += 1
                self._weekday_rows[day.weekday()] += per_day.get(day.isoformat(), 0)
                day += timedelta(days=1)
        self.observe_codes(rows)

    def observe_codes(self, rows: list[dict[str, Any]]) -> None:
        """Learn how class/type codes spread from listed rows."""
        codes = Counter(code_number(row.get("class_type_code")) for row in rows)
        codes.pop(None, None)
        with self._lock:
            self._codes.update(codes)

    def day_weights(self, first: date, last: date) -> list[float]:
        """A relative weight for every day from ``first`` to ``last``."""
        with self._lock:
            known = all(self._weekday_days[w] >= 2 for w in range(7))
            if known:
                means = [self._weekday_rows[w] / self._weekday_days[w] for w in range(7)]
                floor = max(means) * 0.01 or 1.0
                weekday = [max(m, floor) for m in means]
            else:
                weekday = list(PRIOR_WEEKDAY)
        return [weekday[(first + timedelta(days=n)).weekday()] for n in range((last - first).days + 1)]

    def code_weights(self, low: int, high: int) -> list[float] | None:
        """A relative weight for every code number from ``low`` to ``high``; None when no row seen
        so far had a code in that range."""
        with self._lock:
            weights = [float(self._codes.get(n, 0)) for n in range(low, high + 1)]
        return weights if any(weights) else None


def take(weights: list[float], total: int, target: float) -> int:
    """How many leading items (at least one with weight) to take so that their expected share of
    ``total`` stays within ``target``, the weights being spread over all items."""
    scale = total / (sum(weights) or 1.0)
    expected, count = 0.0, 0
    for weight in weights:
        if expected > 0 and expected + weight * scale > target:
            break
        expected += weight * scale
        count += 1
    return count


def equal_parts(weights: list[float], parts: int) -> list[int]:
    """Split items into up to ``parts`` consecutive groups of about equal weight; the group sizes."""
    total = sum(weights) or 1.0
    sizes: list[int] = []
    acc, count, cut = 0.0, 0, 1
    for weight in weights:
        acc += weight
        count += 1
        if acc >= total * cut / parts and len(sizes) < parts - 1:
            sizes.append(count)
            count = 0
            while acc >= total * cut / parts:
                cut += 1
    if count:
        sizes.append(count)
    return sizes
