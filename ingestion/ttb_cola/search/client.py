"""Discovery by completed date: the registry's Basic Search and its CSV export, reconciled.

The search lists every COLA whose status was completed on a date (approval, or a later change such
as surrendered), with class/type and origin *codes* the detail page lacks. A day's rows are taken
from the CSV export when the reported total fits under the export cap; a day over the cap is split
into class/type code ranges until every part fits; when an export does not add up, the results are
paged instead. The rows gathered must equal the reported total, else :class:`SearchIncomplete` is
raised: a day is never reported complete with rows missing. A COLA listed twice (the total counts
both rows) is kept once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ttb_cola.parsers.export import parse_export
from ttb_cola.parsers.search import parse_form_date, parse_search_results
from ttb_cola.registry.answers import SessionLost
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.pages import PageKind

SEARCH_FORM = "publicSearchColasBasic.do"
SEARCH = "publicSearchColasBasicProcess.do?action=search"
NEXT_PAGE = "publicPageBasicCola.do?action=page&pgfcn=nextset"
EXPORT = "publicSaveSearchResultsToFile.do?path=/publicSearchColasBasicProcess"
#: Rows the registry's export holds at most.
EXPORT_CAP = 1000
PAGE_SIZE = 20
#: Class/type codes are numbers (some with a letter suffix, e.g. 82M) from 0 to 999.
CLASS_CODES = (0, 999)
SESSION_RESTARTS = 3


class SearchIncomplete(Exception):
    """The rows of a search could not be gathered to match its reported total."""


@dataclass(frozen=True)
class Query:
    """A Basic Search by completed-date range, optionally narrowed to a class/type code range."""

    first: date
    last: date
    class_from: int | None = None
    class_to: int | None = None

    def form(self) -> dict[str, str]:
        """The search form's fields."""
        return {
            "searchCriteria.dateCompletedFrom": self.first.strftime("%m/%d/%Y"),
            "searchCriteria.dateCompletedTo": self.last.strftime("%m/%d/%Y"),
            "searchCriteria.productOrFancifulName": "",
            "searchCriteria.productNameSearchType": "B",
            "searchCriteria.classTypeFrom": "" if self.class_from is None else str(self.class_from),
            # "80Z", not "80": the range must also hold the lettered codes of its last number (80A)
            "searchCriteria.classTypeTo": "" if self.class_to is None else f"{self.class_to}Z",
            "searchCriteria.originCode": "",
        }

    def halves(self) -> tuple[Query, Query]:
        """The query split into two class/type code ranges."""
        low, high = (self.class_from, self.class_to) if self.class_from is not None else CLASS_CODES
        assert low is not None and high is not None
        middle = (low + high) // 2
        return replace(self, class_from=low, class_to=middle), replace(self, class_from=middle + 1, class_to=high)


@dataclass
class SearchResult:
    """The rows of one completed-date search and how they were gathered."""

    total: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    exports: int = 0
    pages: int = 0
    splits: int = 0
    #: Rows that listed a COLA already listed (dropped: one row per TTB ID is kept).
    duplicates: int = 0


class Searcher:
    """Runs Basic Searches on one thread's session of a :class:`RegistryClient`."""

    def __init__(self, client: RegistryClient, export_cap: int = EXPORT_CAP) -> None:
        self.client = client
        self.export_cap = export_cap
        #: The registry's current date, read from the search form each search starts with (None: the
        #: form carried none, or no search ran yet). A completed date on or after it is still going on.
        self.registry_date: date | None = None

    def completed(self, first: date, last: date | None = None) -> SearchResult:
        """Every COLA completed from ``first`` to ``last`` (one day by default), reconciled.

        Raises:
            SearchIncomplete: the rows cannot be made to match the reported total.
            RegistryError: the registry failed after retries.
        """
        query = Query(first, last or first)
        result = self._gather(query)
        if len(result.rows) != result.total:
            raise SearchIncomplete(
                f"{query.first}..{query.last}: {len(result.rows)} rows gathered, {result.total} reported"
            )
        # The registry may list one COLA twice (its total counts both rows): keep the first row.
        distinct = {row["ttb_id"]: row for row in reversed(result.rows)}
        result.duplicates = len(result.rows) - len(distinct)
        result.rows = [row for row in result.rows if distinct.get(row["ttb_id"]) is row]
        return result

    def total(self, first: date, last: date | None = None) -> int:
        """The number of COLAs the registry reports completed from ``first`` to ``last`` (one day by
        default): one count-only search (the form, then the results page's "Total Matching Records"),
        no rows read.

        Raises:
            SearchIncomplete: the search was rejected or answered with another page.
            RegistryError: the registry failed after retries.
        """
        return self._search(Query(first, last or first))[0]

    def _gather(self, query: Query) -> SearchResult:
        total, _ = self._search(query)
        if total == 0:
            return SearchResult(0)
        if total <= self.export_cap:
            exported = self._export(query, total)
            if len(exported.rows) == total:
                return exported
            paged = self._page(query, total)
            paged.exports = exported.exports
            return paged
        low, high = (query.class_from, query.class_to) if query.class_from is not None else CLASS_CODES
        if low == high:  # one class/type code over the cap: only paging can list it
            return self._page(query, total)
        parts = [self._gather(part) for part in query.halves()]
        rows = [row for part in parts for row in part.rows]
        if len(rows) != total:  # codes outside the numeric ranges (blank, odd suffixes): page it all
            return self._page(query, total)
        return SearchResult(
            total,
            rows,
            exports=sum(p.exports for p in parts),
            pages=sum(p.pages for p in parts),
            splits=1 + sum(p.splits for p in parts),
        )

    def _search(self, query: Query) -> tuple[int, dict[str, Any]]:
        """Start a session (the form: it also tells the registry's date) and run the search; the
        reported total and page 1.

        The POST is session-bound: a session timeout page fails it at once and a new session is
        started right away (no backoff, no re-POST without a session).
        """
        for _ in range(SESSION_RESTARTS):
            try:
                form = self.client.get(SEARCH_FORM)
                self.registry_date = parse_form_date(form.body) if form.kind is PageKind.SEARCH_FORM else None
                page = self.client.post(SEARCH, data=query.form(), session_bound=True)
            except SessionLost:
                continue
            if page.kind is PageKind.ERROR:
                raise SearchIncomplete(f"{query.first}..{query.last}: the registry rejected the search")
            if page.kind not in (PageKind.SEARCH_RESULTS, PageKind.NO_RESULTS):
                raise SearchIncomplete(f"{query.first}..{query.last}: expected search results, got {page.kind}")
            parsed = parse_search_results(page.body)
            return parsed["total"], parsed
        raise SearchIncomplete(f"{query.first}..{query.last}: the session kept timing out")

    def _export(self, query: Query, total: int) -> SearchResult:
        try:
            page = self.client.request("GET", EXPORT, session_bound=True)
        except SessionLost:  # paging starts a new session and search
            return SearchResult(total, exports=1)
        if page.kind is not PageKind.EXPORT:
            return SearchResult(total, exports=1)
        rows, quarantined = parse_export(page.body)
        if quarantined:
            return SearchResult(total, exports=1)
        return SearchResult(total, rows, exports=1)

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
