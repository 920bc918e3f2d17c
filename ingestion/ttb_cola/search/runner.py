"""Run one completed date's discovery against the registry: search -> plan -> fetch -> record.

The day's list comes from :class:`ttb_cola.search.client.Searcher` (export, split, paging, reconciled);
the COLAs it lists that we do not hold as of that day are fetched with the probe's
:meth:`ttb_cola.probe.runner.Prober.record` and carry the list's completed date and codes. Records are
handed to ``emit`` as they are confirmed; the outcome says what the listing covered.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ttb_cola.clock import utc_now
from ttb_cola.ids import parse_ttb_id
from ttb_cola.parked.model import ColaUnreadable, Parked, ParkedInARow
from ttb_cola.parsers.errors import ParseError
from ttb_cola.probe.runner import Prober
from ttb_cola.records import LISTINGS_TABLE, TableRow, listing_row
from ttb_cola.registry.errors import RegistryBlocked, RegistryError
from ttb_cola.search.client import Searcher, SearchIncomplete
from ttb_cola.search.plan import FetchPlan, listed_before, plan_fetches, search_state

logger = logging.getLogger("ttb_cola.search.runner")


@dataclass
class ListingOutcome:
    """What one run did for one completed date: counters for ``crawl_searches`` and the new state."""

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
    #: A complete day checked again whose reported total had not moved (nothing listed or fetched).
    unchanged: bool = False
    #: Not started: the run's budget was spent first (the state stays as it was).
    skipped: bool = False
    started_at: str = ""
    finished_at: str = ""
    seconds: float = 0.0
    #: Listed COLAs set aside (the day went on past them), to retry on later runs.
    parked: list[Parked] = field(default_factory=list)
    #: Rows the search served twice for one COLA (kept once).
    duplicates: int = 0

    @property
    def key(self) -> str:
        """How the completed date is named in messages."""
        return f"completed {self.completed_date}"

    def row(self, run_id: str) -> dict[str, Any]:
        """This outcome as a ``crawl_searches`` row."""
        return {
            "completed_date": self.completed_date,
            "run_id": run_id,
            "reported_total": self.state["reported_total"],
            "listed": self.state["listed"],
            "fetched": sum(len(s) for s in self.fetched.values()),
            "new": self.plan.new,
            "moved": self.plan.moved,
            "exports": self.exports,
            "pages": self.pages,
            "splits": self.splits,
            "requests": self.requests,
            "status": self.state["status"],
            "error": self.state["last_error"],
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


@dataclass
class Lister:
    """Lists one completed date and fetches what it needs, on one worker's session."""

    searcher: Searcher
    prober: Prober

    def run(
        self, day: date, today: date, receipt_states: dict[str, Any], emit: Callable[[TableRow], None],
        previous: dict[str, Any] | None = None, recheck: bool = False,
    ) -> ListingOutcome:
        """Search ``day``, fetch the listed COLAs not held as of ``day``; never raises for registry errors.

        ``previous`` is the day's state before this run. With ``recheck`` (a complete day searched
        again) one count-only search comes first, and the day is listed again only when the reported
        total moved; otherwise the outcome keeps ``previous`` and is marked ``unchanged``.
        """
        client = self.prober.client
        before = client.stats.snapshot()
        clock = time.monotonic()
        outcome = ListingOutcome(day.isoformat(), {}, started_at=utc_now())
        total: int | None = None
        error: str | None = None
        rows: list[dict[str, Any]] = []
        try:
            if self.prober.stop.is_set():
                raise SearchIncomplete("run stopped before this day was searched")
            if recheck and previous is not None and self.searcher.total(day) == previous.get("reported_total"):
                outcome.unchanged = True
            else:
                result = self.searcher.completed(day)
                total, rows = result.total, result.rows
                outcome.exports, outcome.pages, outcome.splits = result.exports, result.pages, result.splits
                outcome.duplicates = result.duplicates
                if result.duplicates:
                    logger.warning("%s: %d COLA(s) listed twice, kept once", outcome.key, result.duplicates)
                listed_at = utc_now()
                for row in rows:
                    emit(TableRow(LISTINGS_TABLE, listing_row(row, listed_at)))
                outcome.plan = plan_fetches(rows, day, receipt_states, listed_before(previous))
                self._fetch_all(outcome, emit)
        except RegistryBlocked as exc:
            outcome.blocked = True
            error = f"registry is blocking us: {exc}"
        except (RegistryError, SearchIncomplete, ParseError) as exc:
            error = str(exc)
        if error:
            logger.warning("%s: %s", outcome.key, error)
        after = client.stats.snapshot()
        if outcome.unchanged and not error:
            outcome.state = dict(previous or {}, last_run=today.isoformat())
        else:
            outcome.state = search_state(day, today, total, len(rows), error, outcome.plan.listed)
        outcome.requests = after.requests - before.requests
        outcome.retried = after.retries - before.retries
        outcome.finished_at = utc_now()
        outcome.seconds = time.monotonic() - clock
        return outcome

    def _fetch_all(self, outcome: ListingOutcome, emit: Callable[[TableRow], None]) -> None:
        """Fetch the planned rows (``lookahead`` at a time), emitting each COLA's pages in list order;
        a COLA known before whose status moved gets only the page that shows its status. A COLA that
        cannot be read, or whose detail page says not found although listed, is parked (a run of
        them fails the day)."""
        rows = outcome.plan.fetch
        moved = outcome.plan.moved_ids
        in_a_row = ParkedInARow()
        with ThreadPoolExecutor(max_workers=self.prober.lookahead, thread_name_prefix="ttb-cola-list") as pool:
            futures = [pool.submit(self.prober.record, row["ttb_id"], row["ttb_id"] in moved) for row in rows]
            try:
                for row, future in zip(rows, futures, strict=True):
                    if self.prober.stop.is_set():
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
