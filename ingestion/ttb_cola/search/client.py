"""Discovery by completed date: the registry's Basic Search and its CSV export, reconciled.

The search lists every COLA whose status was completed on a date (approval, or a later change such
as surrendered), with class/type and origin *codes* the detail page lacks. A range of completed
dates is searched at once: when its reported total fits the export cap, one search and one export
list it. A range over the cap is split by dates first (parts planned to fit, from what earlier
searches showed: :mod:`ttb_cola.search.split`), a single day over it by class/type code ranges,
and only a single code over the cap on a single day, codes outside the numeric ranges, or an export
that cannot be read, are paged (20 rows a request). The cap itself is learned from the registry's
answers (:mod:`ttb_cola.search.cap`).

Every part's rows must equal its reported total, and the parts of a range must add up to the
range's total, else :class:`~ttb_cola.search.result.SearchIncomplete` is raised: a date is never reported complete with
rows missing. A COLA listed twice (the total counts both rows) is kept once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.export import parse_export
from ttb_cola.parsers.search import parse_form_date, parse_search_results
from ttb_cola.registry.answers import SessionLost
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.pages import PageKind
from ttb_cola.search.cap import DEFAULT_EXPORT_CAP, ExportCap
from ttb_cola.search.query import Query, spans
from ttb_cola.search.result import Proof, SearchIncomplete, SearchResult
from ttb_cola.search.split import Density, equal_parts, take

SEARCH_FORM = "publicSearchColasBasic.do"
SEARCH = "publicSearchColasBasicProcess.do?action=search"
NEXT_PAGE = "publicPageBasicCola.do?action=page&pgfcn=nextset"
EXPORT = "publicSaveSearchResultsToFile.do?path=/publicSearchColasBasicProcess"
PAGE_SIZE = 20
#: Class/type codes are numbers (some with a letter suffix, e.g. 82M) from 0 to 999.
CLASS_CODES = (0, 999)
SESSION_RESTARTS = 3
#: Parts are planned to fill this share of the export cap (room for the plan's guesses to be off).
FILL = 0.95
#: A range needing more parts than this is first cut into this many parts of equal expected size,
#: searched for their totals (cheap insurance against long empty stretches), then planned again.
FANOUT = 32
#: A code expected over this many times the cap on a range of days is cut by dates without a search
#: of its own.
OVER = 1.1


_WHOLE, _SHORT, _DAMAGED = "whole", "short", "damaged"


class Searcher:
    """Runs Basic Searches on one thread's session of a :class:`RegistryClient`.

    Args:
        client: the registry client (one thread's session).
        export_cap: the prior on the export cap (rows), or an :class:`ExportCap` shared by several
            searchers and carrying what an earlier run learned; 0 exports nothing (pages every search).
        density: what earlier searches showed of how completions spread (shared like the cap).
    """

    def __init__(self, client: RegistryClient, export_cap: int | ExportCap = DEFAULT_EXPORT_CAP,
                 density: Density | None = None) -> None:
        self.client = client
        self.paging_only = export_cap == 0
        self.cap = export_cap if isinstance(export_cap, ExportCap) else ExportCap(max(export_cap, 1))
        self.density = density or Density()
        self.searches = 0
        self._session = False
        #: The registry's current date, read from the search form that starts each session (None: the
        #: form carried none, or no search ran yet). A completed date on or after it is still going on.
        self.registry_date: date | None = None

    @property
    def export_cap(self) -> int | None:
        """The export cap the registry's answers taught (None: not learned yet)."""
        return self.cap.exact

    def completed(self, first: date, last: date | None = None) -> SearchResult:
        """Every COLA completed from ``first`` to ``last`` (one day by default), reconciled, with the
        proof of every date (:meth:`SearchResult.days`).

        Raises:
            SearchIncomplete: the rows cannot be made to match the reported totals.
            RegistryError: the registry failed after retries.
        """
        last = last or first
        searches = self.searches
        out = SearchResult(0)
        for span in spans(first, last):
            total = self._search(span)[0]
            out.total += total
            self._gather(span, total, out)
        out.searches = self.searches - searches
        if len(out.rows) != out.total:
            raise SearchIncomplete(f"{first}..{last}: {len(out.rows)} rows gathered, {out.total} reported")
        # The registry may list one COLA twice (its total counts both rows): keep the first row.
        distinct = {row["ttb_id"]: row for row in reversed(out.rows)}
        out.duplicates = len(out.rows) - len(distinct)
        out.rows = [row for row in out.rows if distinct.get(row["ttb_id"]) is row]
        return out

    def total(self, first: date, last: date | None = None) -> int:
        """The number of COLAs the registry reports completed from ``first`` to ``last`` (one day by
        default): one count-only search per 15 years (the results page's "Total Matching Records"), no
        rows read.

        Raises:
            SearchIncomplete: the search was rejected or answered with another page.
            RegistryError: the registry failed after retries.
        """
        return sum(self._search(span)[0] for span in spans(first, last or first))

    # ------------------------------------------------------------------ gathering
    def _gather(self, query: Query, total: int, out: SearchResult) -> None:
        """Add the rows of ``query`` (reported ``total``) to ``out``: export, split or page."""
        if total == 0:
            self._proven(query, 0, [], out)
            return
        if self.paging_only:
            self._page_into(query, total, out)
            return
        if self.cap.fits(total):
            rows, verdict = self._export(query, total)
            out.exports += 1
            if verdict == _WHOLE:
                self.cap.whole(total)
                out.rows += rows
                self._proven(query, total, rows, out)
                return
            if verdict == _DAMAGED:
                self._page_into(query, total, out)
                return
            self.cap.short(len(rows))  # the cap is now known to be under the total: split
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

    def _proven(self, query: Query, total: int, rows: list[dict[str, Any]], out: SearchResult) -> None:
        """Record a search whose rows matched its total: a proof when it covers whole dates."""
        if query.class_from is None:
            out.proofs.append(Proof(query.first, query.last, total))
            self.density.observe_days(query.first, query.last, rows)
        else:
            self.density.observe_codes(rows)

    def _page_into(self, query: Query, total: int, out: SearchResult) -> None:
        paged = self._page(query, total)
        out.pages += paged.pages
        out.rows += paged.rows
        if len(paged.rows) == total:
            self._proven(query, total, paged.rows, out)

    def _search(self, query: Query) -> tuple[int, dict[str, Any]]:
        """Run the search in this searcher's session; the reported total and page 1.

        The search form's GET starts a session only when there is none yet: a live session takes
        the next search's POST directly. The POST is session-bound: a session timeout page fails it
        at once and a new session is started right away (no backoff, no re-POST without a session).
        """
        for _ in range(SESSION_RESTARTS):
            try:
                if not self._session:
                    form = self.client.get(SEARCH_FORM)
                    self.registry_date = parse_form_date(form.body) if form.kind is PageKind.SEARCH_FORM else None
                    self._session = True
                self.searches += 1
                page = self.client.post(SEARCH, data=query.form(), session_bound=True)
            except SessionLost:
                self._session = False
                continue
            if page.kind is PageKind.ERROR:
                raise SearchIncomplete(f"{query.first}..{query.last}: the registry rejected the search")
            if page.kind not in (PageKind.SEARCH_RESULTS, PageKind.NO_RESULTS):
                raise SearchIncomplete(f"{query.first}..{query.last}: expected search results, got {page.kind}")
            parsed = parse_search_results(page.body)
            self.density.observe_codes(parsed["rows"])  # page 1 samples the codes for free
            return parsed["total"], parsed
        raise SearchIncomplete(f"{query.first}..{query.last}: the session kept timing out")

    def _export(self, query: Query, total: int) -> tuple[list[dict[str, Any]], str]:
        """Export the session's results: the rows and whether they are whole, short (fewer than the
        total, every one of them the search's: the cap cut them) or damaged (paged instead)."""
        try:
            page = self.client.request("GET", EXPORT, session_bound=True)
        except SessionLost:  # paging starts a new session and search
            self._session = False
            return [], _DAMAGED
        if page.kind is not PageKind.EXPORT:
            return [], _DAMAGED
        try:
            rows, quarantined = parse_export(page.body)
        except ParseError:
            return [], _DAMAGED
        if quarantined:
            return [], _DAMAGED
        if len(rows) == total:
            return rows, _WHOLE
        if 0 < len(rows) < total and all(query.holds(row) for row in rows):
            return rows, _SHORT
        return [], _DAMAGED

    def _page(self, query: Query, total: int) -> SearchResult:
        """Page through the results from page 1 (a fresh search) until ``total`` rows are in; a session
        lost midway starts over with a new session."""
        rows: list[dict[str, Any]] = []
        pages = 0
        for restart in range(SESSION_RESTARTS):
            _, parsed = self._search(query)
            rows = []  # rows as served, duplicates included: they add up to the reported total
            try:
                for page_rows in self._pages(parsed, total):
                    pages += 1
                    rows += page_rows
            except SessionLost:
                if restart == SESSION_RESTARTS - 1:
                    raise SearchIncomplete(f"{query.first}..{query.last}: the session kept timing out") from None
                continue
            break
        return SearchResult(total, rows, pages=pages)

    def _pages(self, first: dict[str, Any], total: int) -> Iterator[list[dict[str, Any]]]:
        yield first["rows"]
        seen = len(first["rows"])
        last_seen = first["last"]
        while seen < total:
            page = self.client.request("GET", NEXT_PAGE, session_bound=True)
            if page.kind is not PageKind.SEARCH_RESULTS:
                raise SearchIncomplete(f"paging stopped at row {seen} of {total}: got {page.kind}")
            parsed = parse_search_results(page.body)
            if parsed["last"] <= last_seen:  # the registry re-serves the last page past the end
                raise SearchIncomplete(f"paging stopped at row {seen} of {total}: no further page")
            last_seen = parsed["last"]
            seen += len(parsed["rows"])
            yield parsed["rows"]
