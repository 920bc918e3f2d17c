"""Run one partition's crawl against the registry: walk its sequences, each COLA fetched by :mod:`ttb_cola.fetch`.

Runs in a worker thread with its fetcher's own :class:`~ttb_cola.registry.client.RegistryClient` (its own
session and counters, the process-wide rate limiter shared). Records are handed to ``emit`` as they are confirmed; the
partition's new state comes back in a :class:`PartitionOutcome` once the crawl ends.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ttb_cola.clock import iso, utc_timestamp
from ttb_cola.fetch import ColaFetcher
from ttb_cola.ids import format_ttb_id
from ttb_cola.parked.model import ColaUnreadable, Parked, ParkedInARow
from ttb_cola.parsers.errors import ParseError
from ttb_cola.probe.plan import PartitionCrawl
from ttb_cola.records import ColaPages, TableRow
from ttb_cola.registry.errors import RegistryBlocked, RegistryError
from ttb_cola.registry.stats import StatsSnapshot
from ttb_cola.stopped_fetches import loaded_future, settle_futures

logger = logging.getLogger("ttb_cola.probe.runner")
progress_log = logging.getLogger("ttb_cola.progress")
#: Seconds between progress lines while one partition is being probed.
PROGRESS_EVERY = 30.0
#: Why a partition failed at a sequence the run stopped before confirming.
STOPPED = "run stopped before this sequence was confirmed"


@dataclass
class PartitionOutcome:
    """What one run did to one partition: counters for ``crawl_partitions`` and the new state."""

    receipt_date: str
    receipt_method: str
    state: dict[str, Any]
    probed: int = 0
    found: int = 0
    not_found: int = 0
    retried: int = 0
    requests: int = 0
    errors: int = 0
    #: When the work on the partition started and ended (the outcome's creation until set).
    started_at: datetime = field(default_factory=utc_timestamp)
    finished_at: datetime = field(default_factory=utc_timestamp)
    blocked: bool = False
    #: Not started: the run's budget was spent first (the state stays as it was).
    skipped: bool = False
    seconds: float = 0.0
    #: COLAs set aside (the walk went on past them), to retry on later runs.
    parked: list[Parked] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The partition key ``YYYY-MM-DD|MMM``."""
        return f"{self.receipt_date}|{self.receipt_method}"

    def row(self, run_id: str) -> dict[str, Any]:
        """This outcome as a ``crawl_partitions`` row."""
        return {
            "partition_key": self.key,
            "receipt_date": self.receipt_date,
            "receipt_method": self.receipt_method,
            "run_id": run_id,
            "probed": self.probed,
            "found": self.found,
            "not_found": self.not_found,
            "retried": self.retried,
            "requests": self.requests,
            "errors": self.errors,
            "highest_sequence": self.state["highest"],
            "holes": len(self.state["holes"]),
            "status": self.state["status"],
            "error": self.state["last_error"],
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


@dataclass
class Prober:
    """Walks one partition's sequences, fetching each COLA's pages with ``fetcher`` (its ``lookahead`` at once)."""

    fetcher: ColaFetcher

    def run(self, crawl: PartitionCrawl, method: str, emit: Callable[[TableRow], None]) -> PartitionOutcome:
        """Drive ``crawl`` to its end, emitting each record found; never raises for registry errors.

        Up to the fetcher's ``lookahead`` sequences are fetched at once (the registry answers slowly, and one
        partition is otherwise one request at a time); outcomes are observed strictly in sequence
        order, so the state is the same as a one-by-one walk. Near the end of the frontier up to
        ``lookahead - 1`` pages are fetched past the stopping point and set aside unobserved. A COLA
        whose page cannot be read is parked and the walk goes on (a run of them fails the partition).

        Once the run stops (budget, Ctrl-C, a block elsewhere) no fetch starts; the sequences already
        fetched are still observed in order, and the partition fails at the first that did not load
        (see :func:`settle_futures`), so the requests they cost are not spent again by the next run.
        """
        fetcher = self.fetcher
        clock = time.monotonic()
        before = fetcher.client.stats.snapshot()
        outcome = PartitionOutcome(crawl.receipt_date.isoformat(), method, crawl.state, started_at=utc_timestamp())
        sequences = crawl.sequences()
        last_line = clock
        pending: deque[tuple[int, Future[ColaPages | bool | None]]] = deque()
        in_a_row = ParkedInARow()
        with ThreadPoolExecutor(max_workers=fetcher.lookahead, thread_name_prefix="ttb-cola-probe") as pool:

            def refill() -> None:
                while len(pending) < fetcher.lookahead and not crawl.error and not fetcher.stop.is_set():
                    sequence = next(sequences, None)
                    if sequence is None:
                        return
                    ttb_id = format_ttb_id(crawl.receipt_date, method, sequence)
                    pending.append((sequence, _loaded_already() if ttb_id in fetcher.loaded
                                    else pool.submit(fetcher.record, ttb_id)))

            if fetcher.stop.is_set():  # blocked elsewhere: send nothing, keep the state where it was
                crawl.fail(crawl.state["highest"] + 1, "run stopped before this partition was probed")
            refill()
            while pending:
                sequence, future = pending.popleft()
                if crawl.frontier_done():
                    break  # fetched ahead past the end of the walk: set aside, unobserved
                if fetcher.stop.is_set():
                    if not future.done():
                        settle_futures(pool, [future, *(other for _, other in pending)])
                    if not loaded_future(future):
                        crawl.fail(sequence, STOPPED)
                        break
                try:
                    record = future.result()
                except RegistryBlocked as exc:
                    outcome.blocked = True
                    crawl.fail(sequence, f"registry is blocking us: {exc}")
                    break
                except ColaUnreadable as exc:
                    logger.warning("parked %s", exc)
                    outcome.parked.append(exc.parked)
                    if exc.parked.unanswered:
                        crawl.set_aside(sequence)  # public or not is unknown: probed again
                    else:
                        crawl.park(sequence)
                    try:
                        in_a_row.park(exc.parked)
                    except ParseError as systemic:
                        crawl.fail(sequence, str(systemic))
                        break
                    refill()
                    continue
                except (RegistryError, ParseError) as exc:
                    logger.warning("%s: %s", format_ttb_id(crawl.receipt_date, method, sequence), exc)
                    crawl.fail(sequence, str(exc))
                    break
                crawl.observe(sequence, found=record is not None)
                in_a_row.loaded()
                for row in record.rows() if isinstance(record, ColaPages) else ():
                    emit(row)
                if time.monotonic() - last_line >= PROGRESS_EVERY:
                    last_line = time.monotonic()
                    self._log_progress(crawl, method, before, last_line - clock)
                refill()
            for _, future in pending:
                future.cancel()
        if fetcher.stop.is_set() and not crawl.error and (unprobed := next(sequences, None)) is not None:
            crawl.fail(unprobed, STOPPED)  # stopped after its last fetch was observed: the walk goes on next run
        return self._close(outcome, crawl, before, clock)

    def _close(
        self, outcome: PartitionOutcome, crawl: PartitionCrawl, before: StatsSnapshot, clock: float
    ) -> PartitionOutcome:
        """The outcome with the partition's new state and this run's counters."""
        after = self.fetcher.client.stats.snapshot()
        outcome.state = crawl.finish(run_at=iso(outcome.started_at))
        outcome.probed = crawl.probed
        outcome.found = len(crawl.found)
        outcome.not_found = len(crawl.missed)
        outcome.errors = 1 if crawl.error else 0
        outcome.retried = after.retries - before.retries
        outcome.requests = after.requests - before.requests
        outcome.finished_at = utc_timestamp()
        outcome.seconds = time.monotonic() - clock
        return outcome

    def _log_progress(self, crawl: PartitionCrawl, method: str, before: StatsSnapshot, seconds: float) -> None:
        requests = self.fetcher.client.stats.requests - before.requests
        progress_log.info(
            "  %s|%s probing: sequence %d, probed %d, found %d, misses %d, %.1f req/s",
            crawl.receipt_date, method, max([crawl.state["highest"], *crawl.found, *crawl.missed]),
            crawl.probed, len(crawl.found), len(crawl.missed), requests / max(seconds, 1e-3),
        )


def _loaded_already() -> Future[ColaPages | bool | None]:
    """The outcome of a sequence whose COLA this run loaded already: found (True), nothing to emit."""
    future: Future[ColaPages | bool | None] = Future()
    future.set_result(True)
    return future

