"""The bounded pool that runs search and probe work and folds every outcome into the crawl state.

Workers (threads running the units of work of :mod:`ttb_cola.scheduler.work`) put records and
outcomes on a bounded queue; the scheduler, running inside the dlt resource, submits the units step
by step, drains the queue in order, updates the per-partition and per-completed-date state and
yields :class:`Event` s for the table resources.

A run fetches each COLA's pages once: the parked COLAs' retry, the owed pages of listed COLAs (the
page backlog, :mod:`ttb_cola.fill`), the searches and the probes run one after another, and a COLA
whose pages an earlier step loaded is not fetched again by a later one (a
``--reprobe`` walks every sequence of a partition, the retried and the listed ones too). So one load
carries one row per COLA per page table (see :mod:`ttb_cola.merged`).
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import Any

from ttb_cola.budget import Budget, BudgetedLimiter
from ttb_cola.clock import utc_now, utc_timestamp
from ttb_cola.fill.fetch import FillOutcome
from ttb_cola.fill.held import record_filled
from ttb_cola.parked.book import ParkedBook
from ttb_cola.parked.model import Parked
from ttb_cola.parked.retry import RetryOutcome
from ttb_cola.probe.runner import PartitionOutcome
from ttb_cola.progress import log_partition, log_search, progress_log
from ttb_cola.records import DETAILS_TABLE, FORMS_TABLE
from ttb_cola.registry.breaker import CircuitBreaker
from ttb_cola.registry.stopping import StopSignal
from ttb_cola.scheduler.deferral import Deferral
from ttb_cola.scheduler.listing import apply_listing
from ttb_cola.scheduler.plan import RunPlan, WorkerSettings, date_range
from ttb_cola.scheduler.report import Event, Outcome, RunReport
from ttb_cola.scheduler.work import WorkUnits, plan_probes
from ttb_cola.search.cap import ExportCap
from ttb_cola.search.plan import (
    complete_ranges,
    covered_from,
    day_ranges,
    listed_from,
    search_days,
)
from ttb_cola.search.runner import ListingOutcome, VerifyOutcome
from ttb_cola.search.split_plan import Density


class Scheduler:
    """Runs one :class:`RunPlan` on a thread pool; use as a context manager around :meth:`run`."""

    def __init__(
        self, workers: WorkerSettings, report: RunReport, budget: Budget | None = None,
        export_cap: ExportCap | None = None, density: Density | None = None,
    ) -> None:
        self.workers = workers
        self.report = report
        self.budget = budget or Budget()
        self.stop = report.stop
        self.signal = StopSignal(self.stop)  # every sleep of the run wakes on a stop
        self.deferral = Deferral(self.budget, report, self.signal)
        self.limiter = BudgetedLimiter(workers.requests_per_second, self.budget, self.deferral.budget_spent,
                                       sleep=self.signal.sleep)
        self.breaker = CircuitBreaker(workers.breaker, self.signal, self.limiter)
        self.events: queue.Queue[Event | Outcome] = queue.Queue(maxsize=10_000)
        self._futures: list[Future[None]] = []
        self.book = ParkedBook({}, report.run_id)
        #: TTB IDs whose pages this run loaded (added as their rows pass): not fetched again this run.
        self.loaded: set[str] = set()
        #: What the workers run; the export cap and density (where to split a search) are shared by
        #: every worker's searcher.
        self.work = WorkUnits(
            workers, budget=self.budget, events=self.events, signal=self.signal,
            limiter=self.limiter, breaker=self.breaker, cap=export_cap or ExportCap(), density=density or Density(),
            loaded=self.loaded,
        )
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers.max_workers), thread_name_prefix="ttb-cola")

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # On an early exit (extract failed, interrupted) stop the workers and unblock them.
        self.stop.set()
        while not all(f.done() for f in self._futures):
            with contextlib.suppress(queue.Empty):
                self.events.get(timeout=0.1)
        self._pool.shutdown()
        self.report.block = self.breaker.opened
        self.report.still_parked = self.book.open_ids()

    def run(
        self, plan: RunPlan, states: dict[str, Any], searches: dict[str, Any], parked: dict[str, Any] | None = None
    ) -> Iterator[Event]:
        """Retry the parked COLAs, search (unless ``probe``), then probe what is due and not covered;
        ``states``, ``searches`` and ``parked`` (the resource state) are updated as outcomes arrive.
        The ``crawl_parked`` rows come last, one per TTB ID (a COLA parked and loaded later in the run
        gets its closing row only)."""
        self.book = ParkedBook(parked if parked is not None else {}, self.report.run_id, plan.give_up)
        self.report.parked, self.report.resolved = self.book.parked, self.book.resolved
        self.report.given_up = self.book.given_up
        yield from self._steps(plan, states, searches)
        yield from self.book.rows()

    def _steps(self, plan: RunPlan, states: dict[str, Any], searches: dict[str, Any]) -> Iterator[Event]:
        list_only = self.workers.pages == "none"  # fetches no page: no parked retry, no partition touched
        if plan.retry_parked and self.book.entries and not list_only:
            yield from self._retry()
        if plan.fill:
            yield from self._fill(plan.fill, states, plan)
        listed: dict[str, int] = {}
        if plan.strategy != "probe" and plan.search_first is not None:
            yield from self._search(plan, states, searches, listed)
        if plan.first is None or list_only:
            return
        covered = listed_only = None
        if plan.strategy != "probe":
            covered = covered_from(searches, plan.first, plan.today, plan.held_from)
            listed_only = listed_from(searches, plan.first, plan.today)
        todo = yield from plan_probes(plan, states, covered, listed_only, listed, self.report)
        yield from self._probe(plan, todo, states)

    def _search(
        self, plan: RunPlan, states: dict[str, Any], searches: dict[str, Any], listed: dict[str, int]
    ) -> Iterator[Event]:
        """Count the complete days again by ranges, then search the days not complete and those whose
        total moved, consecutive ones as one range (one unit of work, one outcome per date)."""
        assert plan.search_first is not None and plan.search_last is not None
        days = search_days(searches, plan.search_first, plan.search_last, plan.reprobe)
        ranges = [] if plan.reprobe else complete_ranges(searches, plan.search_first, plan.search_last)
        progress_log.info(
            "run %s: verifying %d complete dates in %d ranges, searching %d completed dates (%s..%s), "
            "%d workers at %s req/s", self.report.run_id, sum((b - a).days + 1 for a, b in ranges), len(ranges),
            len(days), plan.search_first, plan.search_last, self.workers.max_workers,
            self.workers.requests_per_second or "unlimited",
        )
        charged: dict[date, int] = {}  # a range's count requests, charged to its first day's row
        moved: list[date] = []
        self._futures += [self._pool.submit(self.work.verify, searches, a, b) for a, b in ranges]
        for verified in self._drain(len(ranges)):
            assert isinstance(verified, VerifyOutcome)
            if self.deferral.deferred(verified):
                continue
            self.report.verifications.append(verified)
            now = utc_timestamp()
            if verified.error:  # not counted: the days stay complete, the run fails, the next one counts again
                held = searches[verified.first.isoformat()]
                row = ListingOutcome(verified.first.isoformat(), dict(held, status="failed", last_error=verified.error),
                                     requests=verified.requests, started_at=now, finished_at=now)
                yield Event("crawl_searches", row.row(self.report.run_id))
                continue
            moved += verified.moved
            charged[verified.first] = verified.requests
            for day in date_range(verified.first, verified.last):
                if day in verified.moved:
                    continue
                row = ListingOutcome(day.isoformat(), searches[day.isoformat()], verified=True,
                                     requests=charged.pop(day, 0), started_at=now, finished_at=now)
                yield Event("crawl_searches", row.row(self.report.run_id))
        if moved:
            progress_log.info("run %s: %d complete date(s) moved: searched again (%s)", self.report.run_id,
                              len(moved), ", ".join(d.isoformat() for d in moved[:10]))
        days = sorted({*days, *moved})
        started = time.monotonic()
        self._futures += [  # consecutive dates searched at once, each folded as a date of its own
            self._pool.submit(self.work.search, first, last, plan.today, states, {
                day.isoformat(): searches.get(day.isoformat()) for day in date_range(first, last)
            })
            for first, last in day_ranges(days)
        ]
        for outcome in self._drain(len(days)):
            if isinstance(outcome, Event):
                yield outcome
                continue
            assert isinstance(outcome, ListingOutcome)
            if self.deferral.deferred(outcome):
                continue
            outcome.requests += charged.pop(date.fromisoformat(outcome.completed_date), 0)
            if self.workers.pages != "none":  # listed only: no partition may claim pages it does not hold
                for key, sequences in apply_listing(outcome, states, plan.today, plan.crawl).items():
                    listed[key] = listed.get(key, 0) + sequences
            searches[outcome.completed_date] = outcome.state
            outcome.keep_counts()
            self.report.searches.append(outcome)
            log_search(outcome, len(self.report.searches), len(days), started)
            yield Event("crawl_searches", outcome.row(self.report.run_id))
            self._park(outcome.parked)

    def _probe(
        self, plan: RunPlan, todo: list[tuple[date, str, dict[str, Any]]], states: dict[str, Any]
    ) -> Iterator[Event]:
        report = self.report
        report.planned = len(todo)
        progress_log.info(
            "run %s: %d partitions to probe, %d covered by search, %d listed awaiting their pages (the fill's), "
            "%d skipped (settled, not due or not searchable), %d workers at %s req/s", report.run_id, len(todo),
            report.covered, report.awaiting_pages, report.skipped, self.workers.max_workers,
            self.workers.requests_per_second or "unlimited",
        )
        started = time.monotonic()
        self._futures += [self._pool.submit(self.work.probe, plan, day, m, state) for day, m, state in todo]
        for outcome in self._drain(len(todo)):
            if isinstance(outcome, Event):
                yield outcome
                continue
            assert isinstance(outcome, PartitionOutcome)
            if self.deferral.deferred(outcome):
                continue
            states[outcome.key] = outcome.state
            report.outcomes.append(outcome)
            log_partition(outcome, len(report.outcomes), len(todo), started)
            yield Event("crawl_partitions", outcome.row(report.run_id))
            self._park(outcome.parked)

    def _retry(self) -> Iterator[Event]:
        """Fetch the parked COLAs again (one unit of work); those still failing are parked again."""
        ids = {ttb_id: self.book.entries[ttb_id]["page"] for ttb_id in self.book.open_ids()}
        progress_log.info("run %s: retrying %d parked COLA(s)", self.report.run_id, len(ids))
        self._futures.append(self._pool.submit(self.work.retry, ids, self.book.unanswered_ids()))
        for outcome in self._drain(1):
            if isinstance(outcome, Event):
                yield outcome
            elif isinstance(outcome, RetryOutcome) and not self.deferral.deferred(outcome):
                self._park(outcome.parked)
                for ttb_id in outcome.not_public:
                    self.book.not_public(ttb_id, utc_now())

    def _fill(self, ttb_ids: tuple[str, ...], states: dict[str, Any], plan: RunPlan) -> Iterator[Event]:
        """Fetch the pages of owed COLAs, one unit of work each, started in order; each unit counts its
        requests against the budget as it ends, so none starts once the budget is spent. What loads is
        recorded in its partition's state (``states``), so a later search does not fetch it again."""
        progress_log.info("run %s: fetching the pages of %d owed COLA(s), %d workers at %s req/s", self.report.run_id,
                          len(ttb_ids), self.workers.max_workers, self.workers.requests_per_second or "unlimited")
        self._futures += [self._pool.submit(self.work.fill, ttb_id) for ttb_id in ttb_ids]
        for outcome in self._drain(len(ttb_ids)):
            if isinstance(outcome, Event):
                yield outcome
                continue
            assert isinstance(outcome, FillOutcome)
            if self.deferral.skipped(outcome):
                continue
            self.report.filled.append(outcome)
            if outcome.loaded:
                record_filled(states, (outcome.ttb_id,), plan.today, plan.crawl)
            self._park(outcome.parked)

    def _park(self, parked: list[Parked]) -> None:
        for one in parked:
            self.book.park(one, utc_now())

    def _drain(self, count: int) -> Iterator[Event | Outcome]:
        """Records and outcomes as the workers send them, until ``count`` units of work have ended; a
        page row closes its COLA's parked entry and marks it loaded by this run."""
        while count:
            item = self.events.get()
            if not isinstance(item, Event):
                count -= 1
            elif item.table in (DETAILS_TABLE, FORMS_TABLE):
                self.loaded.add(item.data["ttb_id"])
                self.book.resolve(item, utc_now())
            yield item
