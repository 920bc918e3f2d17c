"""Discovery by completed date: the registry's Basic Search and its CSV export, reconciled.

The search lists every COLA whose status was completed on a date (approval, or a later change such
as surrendered), with class/type and origin *codes* the detail page lacks. A range of completed
dates is searched at once: when its reported total fits the export cap, one search and one export
list it. A range over the cap is split by dates first, a single day over it by class/type code
ranges (:mod:`ttb_cola.search.splitting`, each part searched and gathered here), and only a single
code over the cap on a single day, codes outside the numeric ranges, or an export that cannot be
read, are paged (20 rows a request). The cap itself is learned from the registry's
answers (:mod:`ttb_cola.search.cap`).

Every part's rows must equal its reported total, and the parts of a range must add up to the
range's total, else :class:`~ttb_cola.search.result.SearchIncomplete` is raised: a date is never reported complete with
rows missing. A COLA listed twice (the total counts both rows) is kept once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.export import parse_export
from ttb_cola.parsers.search import parse_form_date, parse_search_results
from ttb_cola.registry.answers import SessionLost
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.pages import SEARCH_FORM_PATH, PageKind
from ttb_cola.search.cap import DEFAULT_EXPORT_CAP, ExportCap
from ttb_cola.search.query import Query, spans
from ttb_cola.search.result import Proof, SearchIncomplete, SearchResult
from ttb_cola.search.split_plan import Density
from ttb_cola.search.splitting import Splitter

SEARCH = "publicSearchColasBasicProcess.do?action=search"
NEXT_PAGE = "publicPageBasicCola.do?action=page&pgfcn=nextset"
EXPORT = "publicSaveSearchResultsToFile.do?path=/publicSearchColasBasicProcess"
PAGE_SIZE = 20
SESSION_RESTARTS = 3


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
        self._splitter = Splitter(self.cap, self.density, search=self._search, gather=self._gather,
                                  page=self._page_into, proven=self._proven)
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
        self._splitter.split(query, total, out)

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
                    form = self.client.get(SEARCH_FORM_PATH)
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
