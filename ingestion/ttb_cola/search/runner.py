"""Run the discovery of a range of completed dates against the registry: search -> plan -> fetch -> record.

The range's list comes from :class:`ttb_cola.search.client.Searcher` (export, split, paging, reconciled);
the COLAs it lists that we do not hold as of that day are fetched with
:meth:`ttb_cola.fetch.ColaFetcher.record`, as the probe fetches them, and carry the list's completed date
and codes. Records are handed to ``emit`` as they are confirmed; the outcome says what the listing
covered. A run of complete days is counted again with :func:`verify_range` (count-only searches,
bisected where the total moved).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ttb_cola.clock import utc_now, utc_timestamp
from ttb_cola.fetch import ColaFetcher
from ttb_cola.ids import parse_ttb_id
from ttb_cola.parked.model import ColaUnreadable, Parked, ParkedInARow
from ttb_cola.parsers.errors import ParseError
from ttb_cola.records import LISTINGS_TABLE, ColaPages, TableRow, listing_row
from ttb_cola.registry.errors import RegistryBlocked, RegistryError
from ttb_cola.registry.stopping import RunStopped
from ttb_cola.search.client import Searcher
from ttb_cola.search.plan import (
    FetchPlan,
    is_over,
    moved_days,
    plan_fetches,
    provisional_through,
    search_state,
)
from ttb_cola.search.result import DayListing, SearchIncomplete, SearchResult
from ttb_cola.stopped_fetches import loaded_future, settle_futures

logger = logging.getLogger("ttb_cola.search.runner")


def date_range(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass
class ListingOutcome:
    """What one run did for one completed date: counters for ``crawl_searches`` and the new state.

    A date searched as part of a range carries its own fetches; the range's search counters
    (exports, pages, splits, requests) are on its first date."""

    completed_date: str
    state: dict[str, Any]
    plan: FetchPlan = field(default_factory=FetchPlan)
    #: Sequences fetched, by partition key.
    fetched: dict[str, set[int]] = field(default_factory=dict)
    exports: int = 0
    pages: int = 0
    splits: int = 0
    requests: int = 0
    retried: int = 0
    blocked: bool = False
    #: Not started: the run's budget was spent first (the state stays as it was).
    skipped: bool = False
    #: When the work on the date started and ended (the outcome's creation until set).
    started_at: datetime = field(default_factory=utc_timestamp)
    finished_at: datetime = field(default_factory=utc_timestamp)
    seconds: float = 0.0
    #: Listed COLAs set aside (the day went on past them), to retry on later runs.
    parked: list[Parked] = field(default_factory=list)
    #: Rows the search served twice for one COLA (kept once).
    duplicates: int = 0
    #: A complete day counted again within its range, unchanged: not searched (its state is kept).
    verified: bool = False
    #: COLAs fetched, counted when :meth:`keep_counts` dropped the sequences.
    fetched_count: int | None = None

    @property
    def key(self) -> str:
        """How the completed date is named in messages."""
        return f"completed {self.completed_date}"

    @property
    def fetched_colas(self) -> int:
        """COLAs whose pages were fetched for this date."""
        if self.fetched_count is not None:
            return self.fetched_count
        return sum(len(s) for s in self.fetched.values())

    def keep_counts(self) -> None:
        """Drop the per-COLA listing and fetches once they are folded into the partitions' states: the
        run keeps its outcomes for its summary, and a command keeps every chunk's run, so a per-COLA
        set kept here would grow with the span (some 20,000 COLAs a month of completed dates)."""
        self.fetched_count = self.fetched_colas
        self.fetched = {}
        self.plan.fetch, self.plan.listed, self.plan.moved_ids = [], {}, set()

    def row(self, run_id: str) -> dict[str, Any]:
        """This outcome as a ``crawl_searches`` row."""
        return {
            "completed_date": self.completed_date,
            "run_id": run_id,
            "reported_total": self.state["reported_total"],
            "listed": self.state["listed"],
            "fetched": self.fetched_colas,
            "new": self.plan.new,
            "moved": self.plan.moved,
            "exports": self.exports,
            "pages": self.pages,
            "splits": self.splits,
            "requests": self.requests,
            "status": "verified" if self.verified else self.state["status"],
            "error": self.state["last_error"],
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


@dataclass
class Lister:
    """Lists a range of completed dates and fetches what each date needs, on one worker's session."""

    searcher: Searcher
    fetcher: ColaFetcher
    #: ``pages = none``: list only, fetch no page (the receipt partitions are left to the probes).
    list_only: bool = False

    def run(
        self, first: date, last: date, today: date, receipt_states: dict[str, Any], emit: Callable[[TableRow], None],
        previous: dict[str, Any] | None = None,
    ) -> list[ListingOutcome]:
        """Search ``first`` to ``last`` at once (:meth:`Searcher.completed`), then fold each date's rows
        and proof into its own outcome as a search of that date alone would: fetch its listed COLAs
        not held as of the date (and those fetched while it was going on, once it is over). A date
        proven only as part of a range gets the total of its rows. The range's search requests are
        charged to its first date. ``previous``: each date's state before this run, by ISO date.
        Never raises for registry errors: a range that cannot be reconciled is searched again date by
        date, and a date that still cannot be is ``failed``."""
        previous = previous or {}
        client = self.fetcher.client
        before = client.stats.snapshot()
        clock = time.monotonic()
        started = utc_timestamp()
        error: str | None = None
        blocked = False
        result: SearchResult | None = None
        try:
            if self.fetcher.stop.is_set():
                raise SearchIncomplete("run stopped before this date was searched")
            result = self.searcher.completed(first, last)
        except RegistryBlocked as exc:
            blocked, error = True, f"registry is blocking us: {exc}"
        except SearchIncomplete as exc:
            if first < last and not self.fetcher.stop.is_set():
                logger.warning("completed %s..%s: %s; searched date by date", first, last, exc)
                return [o for day in date_range(first, last)
                        for o in self.run(day, day, today, receipt_states, emit, previous)]
            error = str(exc)
        except (RegistryError, ParseError) as exc:
            error = str(exc)
        after = client.stats.snapshot()
        searched = time.monotonic() - clock
        if result is None:
            assert error is not None
            logger.warning("completed %s..%s: %s", first, last, error)
            outcomes = self._failed(first, last, today, error, previous, blocked, started)
        else:
            if result.duplicates:
                logger.warning("completed %s..%s: %d COLA(s) listed twice, kept once", first, last, result.duplicates)
            listed_at = utc_now()
            for row in result.rows:
                emit(TableRow(LISTINGS_TABLE, listing_row(row, listed_at)))
            by_day = {listing.day: listing for listing in result.days()}
            outcomes = [
                self._day(by_day[day], today, receipt_states, emit, previous.get(day.isoformat())) if day in by_day
                else self._failed(day, day, today, "no search proved this date", previous, False, started)[0]
                for day in date_range(first, last)
            ]
            outcomes[0].exports, outcomes[0].pages, outcomes[0].splits, outcomes[0].duplicates = (
                result.exports, result.pages, result.splits, result.duplicates)
        head = outcomes[0]
        head.started_at = started
        head.requests += after.requests - before.requests
        head.retried += after.retries - before.retries
        head.seconds += searched
        return outcomes

    def _failed(
        self, first: date, last: date, today: date, error: str, previous: dict[str, Any], blocked: bool,
        started: datetime,
    ) -> list[ListingOutcome]:
        """The outcomes of dates whose search failed: ``failed``, nothing listed."""
        return [
            ListingOutcome(day.isoformat(), search_state(day, today, None, 0, error, self.searcher.registry_date,
                                                         previous.get(day.isoformat())),
                           blocked=blocked, started_at=started)
            for day in date_range(first, last)
        ]

    def _day(
        self, listing: DayListing, today: date, receipt_states: dict[str, Any], emit: Callable[[TableRow], None],
        previous: dict[str, Any] | None,
    ) -> ListingOutcome:
        """One listed date: plan and fetch its COLAs' pages (none when listing only), and its new state."""
        day, rows = listing.day, listing.rows
        client = self.fetcher.client
        before = client.stats.snapshot()
        clock = time.monotonic()
        outcome = ListingOutcome(day.isoformat(), {}, started_at=utc_timestamp())
        total = listing.reported_total if listing.reported_total is not None else len(rows)
        error: str | None = None
        try:
            # pages fetched while the day went on are fetched again once it is over, not before
            over = is_over(day, today, self.searcher.registry_date)
            outcome.plan = plan_fetches(rows, day, receipt_states, provisional_through(previous) if over else None)
            if self.list_only:
                outcome.plan.fetch = []
            else:
                self._fetch_all(outcome, emit)
        except RegistryBlocked as exc:
            outcome.blocked = True
            error = f"registry is blocking us: {exc}"
        except (RegistryError, SearchIncomplete, ParseError) as exc:
            error = str(exc)
        if error:
            logger.warning("%s: %s", outcome.key, error)
        after = client.stats.snapshot()
        outcome.state = search_state(day, today, total, len(rows), error, self.searcher.registry_date, previous)
        if self.list_only:  # listed, no page fetched: covers no receipt date (see covered_from)
            outcome.state["pages"] = "none"
        outcome.requests = after.requests - before.requests
        outcome.retried = after.retries - before.retries
        outcome.finished_at = utc_timestamp()
        outcome.seconds = time.monotonic() - clock
        return outcome

    def _fetch_all(self, outcome: ListingOutcome, emit: Callable[[TableRow], None]) -> None:
        """Fetch the planned rows (``lookahead`` at a time), emitting each COLA's pages in list order;
        a COLA known before whose status moved gets only the page that shows its status, and one this
        run loaded already (a parked COLA retried) is not fetched again. A COLA that cannot be read,
        or whose detail page says not found although listed, is parked (a run of them fails the day).
        Once the run stops no fetch starts; the COLAs already fetched are still emitted in list order, up
        to the first that did not load (as the probe does)."""
        rows = [row for row in outcome.plan.fetch if row["ttb_id"] not in self.fetcher.loaded]
        moved = outcome.plan.moved_ids
        in_a_row = ParkedInARow()
        with ThreadPoolExecutor(max_workers=self.fetcher.lookahead, thread_name_prefix="ttb-cola-list") as pool:
            futures = [pool.submit(self._record, row["ttb_id"], row["ttb_id"] in moved) for row in rows]
            try:
                for index, (row, future) in enumerate(zip(rows, futures, strict=True)):
                    if self.fetcher.stop.is_set():
                        if not future.done():
                            settle_futures(pool, futures[index:])
                        if not loaded_future(future):
                            raise SearchIncomplete("run stopped before every listed COLA was fetched")
                    try:
                        pages = future.result()
                    except ColaUnreadable as exc:
                        # Listed, so public: a page that failed every try and later says not found
                        # stays parked like any listed COLA the detail page denies.
                        pages, parked = None, dataclasses.replace(exc.parked, unanswered=False)
                    else:
                        parked = Parked(row["ttb_id"], "listing", "listed, but its detail page says not found")
                    if pages is None:
                        logger.warning("parked %s: %s", parked.ttb_id, parked.error)
                        outcome.parked.append(parked)
                        in_a_row.park(parked)
                        continue
                    in_a_row.loaded()
                    for table_row in pages.rows():
                        emit(table_row)
                    key = parse_ttb_id(pages.ttb_id).partition_key
                    outcome.fetched.setdefault(key, set()).add(pages.sequence)
            finally:
                for future in futures:
                    future.cancel()

    def _record(self, ttb_id: str, status_only: bool) -> ColaPages | None:
        """The fetcher's record of ``ttb_id``, unless the run stopped before this fetch started."""
        if self.fetcher.stop.is_set():
            raise RunStopped("run stopped before this COLA was fetched")
        return self.fetcher.record(ttb_id, status_only)


@dataclass
class VerifyOutcome:
    """One range of complete days counted again: the days whose reported total moved (to search
    again) and what the count-only searches cost."""

    first: date
    last: date
    moved: list[date] = field(default_factory=list)
    counts: int = 0
    requests: int = 0
    retried: int = 0
    blocked: bool = False
    error: str | None = None
    #: Not started: the run's budget was spent first.
    skipped: bool = False

    @property
    def key(self) -> str:
        """How the range is named in messages."""
        return f"verify {self.first}..{self.last}"

    @property
    def state(self) -> dict[str, Any]:
        """``failed`` when the range could not be counted (its days stay as they were), else ``verified``."""
        return {"status": "failed" if self.error else "verified", "last_error": self.error}

    @property
    def days(self) -> int:
        """Complete days in the range."""
        return (self.last - self.first).days + 1


def verify_range(searcher: Searcher, searches: dict[str, Any], first: date, last: date) -> VerifyOutcome:
    """Count the complete days ``first`` to ``last`` again (bisecting into ranges whose total moved);
    never raises for registry errors."""
    client = searcher.client
    before = client.stats.snapshot()
    outcome = VerifyOutcome(first, last)

    def count(a: date, b: date) -> int:
        outcome.counts += 1
        return searcher.total(a, b)

    try:
        outcome.moved = moved_days(searches, first, last, count)
    except RegistryBlocked as exc:
        outcome.blocked = True
        outcome.error = f"registry is blocking us: {exc}"
    except (RegistryError, SearchIncomplete, ParseError) as exc:
        outcome.error = str(exc)
    if outcome.error:
        logger.warning("%s: %s", outcome.key, outcome.error)
    after = client.stats.snapshot()
    outcome.requests = after.requests - before.requests
    outcome.retried = after.retries - before.retries
    return outcome
