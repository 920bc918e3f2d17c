"""Splitting a search over the export cap: the parts searched, gathered and reconciled.

A range of completed dates over the cap is cut by dates first (parts planned to fit, from what
earlier searches showed: :mod:`ttb_cola.search.split_plan`), a single day over it by class/type code
ranges; a single code over the cap on a single day, or a day whose code ranges do not add up, is
paged. Every part is searched and gathered through the searcher that owns the session
(:class:`~ttb_cola.search.client.Searcher`, which exports and pages); a part still over the cap is
split again. The parts of a search must add up to its reported total, else
:class:`~ttb_cola.search.result.SearchIncomplete` is raised.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from ttb_cola.search.cap import ExportCap
from ttb_cola.search.query import Query
from ttb_cola.search.result import SearchIncomplete, SearchResult
from ttb_cola.search.split_plan import Density, equal_parts, take

#: Class/type codes are numbers (some with a letter suffix, e.g. 82M) from 0 to 999.
CLASS_CODES = (0, 999)
#: Parts are planned to fill this share of the export cap (room for the plan's guesses to be off).
FILL = 0.95
#: A range needing more parts than this is first cut into this many parts of equal expected size,
#: searched for their totals (cheap insurance against long empty stretches), then planned again.
FANOUT = 32
#: A code expected over this many times the cap on a range of days is cut by dates without a search
#: of its own.
OVER = 1.1

#: Lists a part's rows into a result: export, split again or page.
Gather = Callable[[Query, int, SearchResult], None]


class Splitter:
    """Splits the searches over the export cap of one searcher (one thread's session).

    Args:
        cap: what is known of the registry's export cap.
        density: what earlier searches showed of how completions spread.
        search: runs one search in the session: its reported total and page 1.
        gather: lists a part's rows (reported total) into a result: export, split again or page.
        page: pages a part's rows into a result (what neither an export nor a split can list).
        proven: records a search whose rows matched its total (its proof, what the density learns).
    """

    def __init__(
        self, cap: ExportCap, density: Density, *, search: Callable[[Query], tuple[int, dict[str, Any]]],
        gather: Gather, page: Gather, proven: Callable[[Query, int, list[dict[str, Any]], SearchResult], None],
    ) -> None:
        self.cap = cap
        self.density = density
        self._search = search
        self._gather = gather
        self._page_into = page
        self._proven = proven

    def split(self, query: Query, total: int, out: SearchResult) -> None:
        """Add the rows of ``query``, over the cap (reported ``total``), to ``out``: cut by dates,
        by class/type codes, or paged when it is one code on one day."""
        single_code = query.class_from is not None and query.class_from == query.class_to
        if query.first < query.last and (single_code or not self._days_over_cap(query, total)):
            self._split_dates(query, total, out)
        elif not single_code:
            self._split_codes(query, total, out)
        else:
            self._page_into(query, total, out)  # one class/type code over the cap on one day: only paging

    def _days_over_cap(self, query: Query, total: int) -> bool:
        """Whether the busiest day of a range not too wide is expected over the cap on its own: then
        the range is cut by class/type codes first (each part a code range over all its days), since
        cutting by dates would end in single days split by codes anyway, each at the price of a search."""
        target = self.cap.target() * FILL
        if math.ceil(total / target) > FANOUT:
            return False
        weights = self.density.day_weights(query.first, query.last)
        return total * max(weights) / sum(weights) > target

    def _split_dates(self, query: Query, total: int, out: SearchResult, estimate: bool = False) -> int:
        """Cut a range over the cap into date ranges planned to fit; their totals must add up to the
        range's ``total``, unless it is only an ``estimate`` (the caller then checks the sum it
        returns against a reported total of its own).

        A single day of it expected well over the cap is cut by codes without a search of its own
        (:meth:`_split_day`): the range's total then proves its days together, as one range."""
        out.splits += 1
        whole_days = query.class_from is None and not estimate
        inner = SearchResult(0) if whole_days else out
        by_codes = False
        parts: list[Query] = []
        if math.ceil(total / (self.cap.target() * FILL)) > FANOUT:
            start = query.first
            for size in equal_parts(self.density.day_weights(query.first, query.last), FANOUT):
                parts.append(replace(query, first=start, last=start + timedelta(days=size - 1)))
                start += timedelta(days=size)
        added, start, remaining = 0, query.first, total
        while start <= query.last:
            if parts:
                part = parts.pop(0)
            elif self.cap.fits(remaining):
                part = replace(query, first=start)
            else:
                weights = self.density.day_weights(start, query.last)
                target = self.cap.target() * FILL
                size = take(weights, remaining, target)
                rest = replace(query, first=start)
                single_code = query.class_from is not None and query.class_from == query.class_to
                if (size == 1 and start < query.last and not single_code and not estimate
                        and self._days_over_cap(rest, remaining)):
                    # the next day alone is over the cap: cut the rest by codes (its total is the
                    # range's less the parts before it, so it needs no search of its own)
                    self._split_codes(rest, remaining, inner)
                    added += remaining
                    break
                part = replace(query, first=start, last=start + timedelta(days=size - 1))
            expected = self._expected(part, query.last, remaining)
            if (whole_days and part.first == part.last and expected > OVER * self.cap.target()
                    and self.density.code_weights(*CLASS_CODES) is not None):  # codes seen: planned, not halved
                part_total = self._split_day(part, round(expected), inner)
                by_codes = True
            else:
                part_total = self._search(part)[0]
                self._gather(part, part_total, inner)
            added += part_total
            remaining -= part_total
            start = part.last + timedelta(days=1)
        if added != total and not estimate:
            raise SearchIncomplete(f"{query.first}..{query.last}: its dates add up to {added}, {total} reported")
        if inner is not out:
            out.exports += inner.exports
            out.pages += inner.pages
            out.splits += inner.splits
            out.rows += inner.rows
            if by_codes:  # days proven by the range's total only
                self._proven(query, total, inner.rows, out)
            else:
                out.proofs += inner.proofs
        return added

    def _expected(self, part: Query, last: date, remaining: int) -> float:
        """The rows ``part`` is expected to hold: its share of the ``remaining`` rows up to ``last``."""
        weights = self.density.day_weights(part.first, last)
        return remaining * sum(weights[:(part.last - part.first).days + 1]) / (sum(weights) or 1.0)

    def _split_day(self, day: Query, expected: int, out: SearchResult) -> int:
        """Cut a day expected over the cap by class/type code ranges planned on ``expected`` rows, without
        searching the day itself; the rows its parts hold (each part reconciled with its own total). Only
        the enclosing range's total proves the day: codes outside the numeric ranges are left out."""
        added, start, remaining = 0, CLASS_CODES[0], expected
        while start <= CLASS_CODES[1]:
            weights = None if self.cap.fits(max(remaining, 0)) else self.density.code_weights(start, CLASS_CODES[1])
            if weights is None:
                end = CLASS_CODES[1] if self.cap.fits(max(remaining, 0)) else (start + CLASS_CODES[1]) // 2
            else:
                end = start + take(weights, remaining, self.cap.target() * FILL) - 1
            part = replace(day, class_from=start, class_to=end)
            part_total = self._search(part)[0]
            self._gather(part, part_total, out)
            added += part_total
            remaining -= part_total
            start = end + 1
        return added

    def _split_codes(self, query: Query, total: int, out: SearchResult) -> None:
        """Cut a search over the cap into class/type code ranges planned to fit. When they do not add
        up (codes outside the numeric ranges: blank, odd suffixes), a range of days is cut by dates
        instead and a single day is paged."""
        low, high = (query.class_from, query.class_to) if query.class_from is not None else CLASS_CODES
        assert low is not None and high is not None
        parts = SearchResult(0)
        added, start, remaining = 0, low, total
        while start <= high:
            weights = None
            if self.cap.fits(remaining):
                end = high
            else:
                weights = self.density.code_weights(start, high)
                if weights is None:  # nothing seen there yet: halves
                    end = (start + high) // 2
                else:
                    end = start + take(weights, remaining, self.cap.target() * FILL) - 1
                    if start == low and end == high:  # the plan would repeat this search: cut it
                        seen = [i for i, weight in enumerate(weights) if weight > 0]
                        end = start + max(seen[-1] - 1, 0)  # the codes before the last seen one
            part = replace(query, class_from=start, class_to=end)
            piece = weights[:end - start + 1] if weights else []
            expected = remaining * sum(piece) / sum(weights) if weights and sum(w > 0 for w in piece) == 1 else 0.0
            if query.first < query.last and expected > OVER * self.cap.target():
                # one code (as far as seen) clearly over the cap on these days: cut its dates without
                # counting it first (the parts' totals still have to add up to this search's)
                part_total = self._split_dates(part, round(expected), parts, estimate=True)
            else:
                part_total = self._search(part)[0]
                self._gather(part, part_total, parts)
            added += part_total
            remaining -= part_total
            start = end + 1
        out.splits += 1 + parts.splits
        out.exports += parts.exports
        out.pages += parts.pages
        if added != total or len(parts.rows) != total:
            if query.first < query.last:
                self._split_dates(query, total, out)
            else:
                self._page_into(query, total, out)
            return
        out.rows += parts.rows
        self._proven(query, total, parts.rows, out)
