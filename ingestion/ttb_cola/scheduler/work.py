"""The units of work the scheduler's pool runs, and the plan of the partitions left to probe.

A unit (verify a range of complete dates, search a range of dates, retry the parked COLAs, fetch one
owed COLA's pages, probe one partition) runs on a worker thread with that thread's own
:class:`~ttb_cola.registry.client.RegistryClient` session and the one process-wide rate limiter. It
puts its records and, whatever happens, its outcome (one per date for a search) on the run's queue:
a unit that fails unexpectedly fails its own partition or day, never loses it; a block (CAPTCHA after
all retries) stops every worker. :func:`plan_probes` marks the partitions the searches covered and
says which are left to probe.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator
from datetime import date
from typing import Any

from ttb_cola.budget import Budget, BudgetedLimiter
from ttb_cola.clock import utc_now, utc_timestamp
from ttb_cola.fetch import ColaFetcher
from ttb_cola.fill.fetch import FillOutcome, fill_one
from ttb_cola.ids import partition_key
from ttb_cola.parked.model import Parked
from ttb_cola.parked.retry import RetryOutcome, retry_parked
from ttb_cola.probe.plan import PartitionCrawl, is_due, mark_covered
from ttb_cola.probe.runner import PartitionOutcome, Prober
from ttb_cola.progress import progress_log
from ttb_cola.records import TableRow
from ttb_cola.registry.breaker import CircuitBreaker
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.stopping import StopSignal
from ttb_cola.scheduler.plan import RunPlan, WorkerSettings, date_range
from ttb_cola.scheduler.report import Event, Outcome, RunReport
from ttb_cola.search.cap import ExportCap
from ttb_cola.search.client import Searcher
from ttb_cola.search.plan import search_state
from ttb_cola.search.runner import Lister, ListingOutcome, VerifyOutcome, verify_range
from ttb_cola.search.split_plan import Density


class WorkUnits:
    """The units of work of one run, each called on a worker thread of the pool.

    Args:
        workers: how the workers talk to the registry.
        budget: the run's request budget: a unit that finds it spent is skipped.
        events: the queue the scheduler drains (records and outcomes).
        signal: the run's stop signal: its event, set on a block, stops every worker, and every sleep
            of a worker's client wakes on it.
        limiter: the one process-wide rate limiter, charged to the budget.
        breaker: the circuit breaker every worker's client reports to.
        cap: what is known of the registry's export cap, shared by every worker's searcher.
        density: how completions spread (where to split a search), shared like the cap.
        loaded: TTB IDs whose pages this run loaded (not fetched again this run).
    """

    def __init__(
        self, workers: WorkerSettings, *, budget: Budget, events: queue.Queue[Event | Outcome],
        signal: StopSignal, limiter: BudgetedLimiter, breaker: CircuitBreaker,
        cap: ExportCap, density: Density, loaded: set[str],
    ) -> None:
        self.workers = workers
        self.budget = budget
        self.events = events
        self.signal = signal
        self.stop = signal.event
        self.limiter = limiter
        self.breaker = breaker
        self.cap = cap
        self.density = density
        self.loaded = loaded
        self._local = threading.local()

    def _fetcher(self) -> ColaFetcher:
        """This worker thread's COLA fetcher (its own client and session, the shared limiter)."""
        if not hasattr(self._local, "fetcher"):
            w = self.workers
            client = RegistryClient(
                w.base_url,
                request_timeout=w.request_timeout,
                user_agent=w.user_agent or None,
                ca_bundle=w.ca_bundle or None,
                retry_policy=w.retry_policy,
                rate_limiter=self.limiter,
                sleep=self.signal.sleep,
                breaker=self.breaker,
            )
            self._local.fetcher = ColaFetcher(
                client, pages=w.pages, archive=w.archive, stop=self.stop,
                lookahead=max(1, w.probe_lookahead), form_hook=w.images, loaded=self.loaded,
            )
        return self._local.fetcher

    def _searcher(self) -> Searcher:
        """This worker thread's searcher (its fetcher's client and session, the run's export cap and
        density)."""
        if not hasattr(self._local, "searcher"):
            self._local.searcher = Searcher(self._fetcher().client, self.cap, self.density)
        return self._local.searcher

    def _emit(self, row: TableRow) -> None:
        self.events.put(row)

    def verify(self, searches: dict[str, Any], first: date, last: date) -> None:
        """Count the complete dates ``first`` to ``last`` again; one :class:`VerifyOutcome` on the queue."""
        outcome = VerifyOutcome(first, last, skipped=True)
        try:
            if not self.budget.spent():
                outcome = verify_range(self._searcher(), searches, first, last)
        except Exception as exc:  # a bug must fail the range, never pass it as verified
            progress_log.exception("verifying %s..%s failed unexpectedly", first, last)
            outcome = VerifyOutcome(first, last, error=f"unexpected {type(exc).__name__}: {exc}")
        finally:
            if outcome.blocked:
                self.stop.set()
            self.events.put(outcome)

    def search(
        self, first: date, last: date, today: date, states: dict[str, Any], previous: dict[str, Any]
    ) -> None:
        """Search ``first`` to ``last`` and put one outcome per date on the queue, whatever happens."""
        outcomes: list[ListingOutcome] = []
        started = utc_timestamp()
        try:
            if self.budget.spent():
                outcomes = [ListingOutcome(d.isoformat(), previous.get(d.isoformat()) or {}, skipped=True)
                            for d in date_range(first, last)]
                return
            lister = Lister(self._searcher(), self._fetcher(), list_only=self.workers.pages == "none")
            outcomes = lister.run(first, last, today, states, emit=self._emit, previous=previous)
        except Exception as exc:  # a bug must fail the dates, never lose them silently
            progress_log.exception("search of %s..%s failed unexpectedly", first, last)
            outcomes = [ListingOutcome(d.isoformat(), search_state(
                d, today, None, 0, f"unexpected {type(exc).__name__}: {exc}", previous=previous.get(d.isoformat())
            ), started_at=started) for d in date_range(first, last)]
        finally:
            if any(o.blocked for o in outcomes):
                self.stop.set()
            done = {o.completed_date for o in outcomes}
            outcomes += [ListingOutcome(d.isoformat(), search_state(
                d, today, None, 0, "lost", previous=previous.get(d.isoformat())), started_at=started)
                for d in date_range(first, last) if d.isoformat() not in done]
            for outcome in outcomes:
                self.events.put(outcome)

    def retry(self, parked: dict[str, str], unanswered: set[str]) -> None:
        """Fetch the ``parked`` COLAs (TTB ID: page) again; one :class:`RetryOutcome` on the queue."""
        outcome = RetryOutcome(skipped=True)
        try:
            if not self.budget.spent():
                outcome = retry_parked(self._fetcher(), parked, emit=self._emit, unanswered=unanswered)
        except Exception:  # a bug must leave the parked COLAs parked, never lose them
            progress_log.exception("retrying the parked COLAs failed unexpectedly")
            outcome = RetryOutcome()
        finally:
            if outcome.blocked:
                self.stop.set()
            self.events.put(outcome)

    def fill(self, ttb_id: str) -> None:
        """Fetch the pages ``ttb_id`` owes; one :class:`FillOutcome` on the queue."""
        outcome = FillOutcome(ttb_id, skipped=True)
        try:
            if ttb_id in self.loaded:  # loaded by this run already (a parked COLA retried)
                outcome = FillOutcome(ttb_id, loaded=True)
            elif not self.budget.spent() and not self.stop.is_set():
                outcome = fill_one(self._fetcher(), ttb_id, emit=self._emit)
                self.budget.spend(outcome.requests)  # counted here: the next unit sees it before starting
        except Exception as exc:  # a bug must park the COLA, never lose it silently
            progress_log.exception("fetching the pages of %s failed unexpectedly", ttb_id)
            outcome = FillOutcome(ttb_id, parked=[Parked(ttb_id, "listing", f"unexpected {type(exc).__name__}: {exc}")])
        finally:
            if outcome.blocked:
                self.stop.set()
            self.events.put(outcome)

    def probe(self, plan: RunPlan, day: date, method: str, state: dict[str, Any]) -> None:
        """Probe the partition of ``day`` and ``method`` from its ``state``; one
        :class:`PartitionOutcome` on the queue."""
        crawl = PartitionCrawl(day, plan.today, plan.crawl, state, reprobe=plan.reprobe)
        outcome: PartitionOutcome | None = None
        started = utc_timestamp()
        try:
            if self.budget.spent():
                outcome = PartitionOutcome(day.isoformat(), method, state, skipped=True)
                return
            outcome = Prober(self._fetcher()).run(crawl, method, emit=self._emit)
        except Exception as exc:  # a bug must fail the partition, never lose it silently
            progress_log.exception("partition %s failed unexpectedly", partition_key(day, method))
            crawl.fail(crawl.state["highest"] + 1, f"unexpected {type(exc).__name__}: {exc}")
            outcome = PartitionOutcome(day.isoformat(), method, crawl.finish(run_at=utc_now()), errors=1,
                                       started_at=started)
        finally:
            if outcome is not None and outcome.blocked:
                self.stop.set()
            self.events.put(outcome or PartitionOutcome(day.isoformat(), method, state, errors=1, started_at=started))


def plan_probes(
    plan: RunPlan, states: dict[str, Any], covered: date | None, listed_only: date | None,
    listed: dict[str, int], report: RunReport,
) -> Generator[Event, None, list[tuple[date, str, dict[str, Any]]]]:
    """Mark the partitions the searches covered; return the ones to probe (the generator's value).

    A receipt date on or after ``covered`` is covered: every COLA it holds is listed, its pages
    held. One on or after ``listed_only`` only is left alone: every COLA is listed but some owe
    pages, which the fill fetches (a probe would fetch them again); it is covered once they are in.
    ``listed`` counts the sequences the searches listed per partition; ``report`` counts the
    partitions covered, awaiting their pages and skipped."""
    assert plan.first is not None and plan.last is not None
    todo: list[tuple[date, str, dict[str, Any]]] = []
    for day in date_range(plan.first, plan.last):
        for method in plan.methods:
            key = partition_key(day, method)
            if covered is not None and day >= covered:
                states[key] = mark_covered(states.get(key), day, plan.today, plan.crawl)
                now = utc_timestamp()
                outcome = PartitionOutcome(
                    day.isoformat(), method, states[key], found=listed.get(key, 0), started_at=now,
                    finished_at=now,
                )
                report.covered += 1
                yield Event("crawl_partitions", outcome.row(report.run_id))
            elif listed_only is not None and day >= listed_only:
                report.awaiting_pages += 1
            elif plan.strategy != "search" and is_due(
                states.get(key), day, plan.today, plan.crawl, plan.reprobe
            ):
                todo.append((day, method, dict(states.get(key) or {})))
            else:
                report.skipped += 1
    return todo
