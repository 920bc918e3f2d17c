"""Run one completed date's discovery against the registry: search -> plan -> fetch -> record.

The day's list comes from :class:`ttb_cola.search.client.Searcher` (export, split, paging, reconciled);
the COLAs it lists that we do not hold as of that day are fetched with the probe's
:meth:`ttb_cola.probe.runner.Prober.record` and carry the list's completed date and codes. Records are
handed to ``emit`` as they are confirmed; the outcome says what the listing covered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ttb_cola.clock import utc_now
from ttb_cola.ids import parse_ttb_id
from ttb_cola.parsers.errors import ParseError
from ttb_cola.probe.runner import Prober
from ttb_cola.registry.errors import RegistryBlocked, RegistryError
from ttb_cola.search.client import Searcher, SearchIncomplete
from ttb_cola.search.plan import FetchPlan, plan_fetches, search_state

logger = logging.getLogger("ttb_cola.search.runner")
#: Fields a listed row gives a record that lacks them (the detail page has no codes).
LISTING_FILLS = ("completed_date", "class_type_code", "origin_code")


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
    started_at: str = ""
    finished_at: str = ""
    seconds: float = 0.0

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
        self, day: date, today: date, receipt_states: dict[str, Any], emit: Callable[[dict[str, Any]], None]
    ) -> ListingOutcome:
        """Search ``day``, fetch the listed COLAs not held as of ``day``; never raises for registry errors."""
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
            result = self.searcher.completed(day)
            total, rows = result.total, result.rows
            outcome.exports, outcome.pages, outcome.splits = result.exports, result.pages, result.splits
            outcome.plan = plan_fetches(rows, day, receipt_states)
            self._fetch_all(outcome, emit)
        except RegistryBlocked as exc:
            outcome.blocked = True
            error = f"registry is blocking us: {exc}"
        except (RegistryError, SearchIncomplete, ParseError) as exc:
            error = str(exc)
        if error:
            logger.warning("%s: %s", outcome.key, error)
        after = client.stats.snapshot()
        outcome.state = search_state(day, today, total, len(rows), error)
        outcome.requests = after.requests - before.requests
        outcome.retried = after.retries - before.retries
        outcome.finished_at = utc_now()
        outcome.seconds = time.monotonic() - clock
        return outcome

    def _fetch_all(self, outcome: ListingOutcome, emit: Callable[[dict[str, Any]], None]) -> None:
        """Fetch the planned rows (``lookahead`` at a time), emitting each record in list order."""
        rows = outcome.plan.fetch
        with ThreadPoolExecutor(max_workers=self.prober.lookahead, thread_name_prefix="ttb-cola-list") as pool:
            futures = [pool.submit(self.prober.record, row["ttb_id"]) for row in rows]
            try:
                for row, future in zip(rows, futures, strict=True):
                    if self.prober.stop.is_set():
                        raise SearchIncomplete("run stopped before every listed COLA was fetched")
                    record = future.result()
                    if record is None:
                        raise SearchIncomplete(f"{row['ttb_id']} is listed but its detail page says not found")
                    for name in LISTING_FILLS:
                        if record.get(name) in (None, "") and row.get(name):
                            record[name] = row[name]
                    emit(record)
                    key = parse_ttb_id(record["ttb_id"]).partition_key
                    outcome.fetched.setdefault(key, set()).add(record["sequence"])
            finally:
                for future in futures:
                    future.cancel()

