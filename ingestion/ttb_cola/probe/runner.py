"""Run one partition's crawl against the registry: fetch -> classify -> parse -> record.

Runs in a worker thread with its own :class:`RegistryClient` (its own session and counters, the
process-wide rate limiter shared). Records are handed to ``emit`` as they are confirmed; the
partition's new state comes back in a :class:`PartitionOutcome` once the crawl ends.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ttb_cola.archive import RawArchive, sha256
from ttb_cola.clock import iso, utc_timestamp
from ttb_cola.ids import format_ttb_id
from ttb_cola.images.hook import ImageHook
from ttb_cola.parked.model import ColaUnreadable, Parked, ParkedInARow
from ttb_cola.parsers import parse_page
from ttb_cola.parsers.errors import ParseError
from ttb_cola.probe.plan import PartitionCrawl
from ttb_cola.records import DETAIL_FIELDS, FORM_FIELDS, ColaPages, TableRow, page_row
from ttb_cola.registry.client import Page, RegistryClient
from ttb_cola.registry.errors import PageUnavailable, RegistryBlocked, RegistryError
from ttb_cola.registry.pages import PageKind
from ttb_cola.registry.stats import StatsSnapshot
from ttb_cola.registry.stopping import RunStopped
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
    """Fetches and parses the pages of one COLA at a time (``pages``: which pages make a record)."""

    client: RegistryClient
    pages: str = "both"
    archive: RawArchive | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    #: Sequences of one partition fetched concurrently.
    lookahead: int = 4
    #: Label images fetched right after each form (setting ``images``); None: none.
    images: ImageHook | None = None
    #: TTB IDs whose pages this run loaded already (the scheduler's, growing): a COLA is fetched once
    #: per run, so a partition walked again (``--reprobe``) counts them found without fetching them.
    loaded: Collection[str] = frozenset()

    def _fetch(self, ttb_id: str, kind: PageKind, public: bool = False) -> Page:
        """One page of ``ttb_id``; a page that failed every try while the registry answered others
        is this COLA's fault (:class:`ColaUnreadable`), not the registry's: ``unanswered`` unless
        another page already showed the COLA ``public``."""
        try:
            page = self.client.detail(ttb_id) if kind is PageKind.DETAIL else self.client.form(ttb_id)
        except PageUnavailable as exc:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: the {kind} page failed every try while "
                                                    f"the registry answered others: {exc}",
                                 unanswered=not public) from exc
        if self.archive and page.kind in (kind, PageKind.NOT_FOUND):
            self.archive.put(ttb_id, page.kind, page.body)
        return page

    def _parsed(self, ttb_id: str, page: Page, kind: PageKind) -> dict[str, Any]:
        if page.kind is not kind:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: expected a {kind} page, got {page.kind}")
        try:
            parsed = parse_page(kind, page.body)
        except ParseError as exc:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: {exc}") from exc
        if parsed is None:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: a {kind} page carries no record")
        if parsed.get("ttb_id") != ttb_id:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: the {kind} page is for {parsed.get('ttb_id')!r}")
        return parsed

    def _detail(self, ttb_id: str) -> dict[str, Any] | None:
        """The detail page's row, or None for the registry's real not-found page."""
        page = self._fetch(ttb_id, PageKind.DETAIL)
        if page.kind is PageKind.NOT_FOUND:
            return None
        return page_row(DETAIL_FIELDS, self._parsed(ttb_id, page, PageKind.DETAIL), **_provenance(page))

    def _form(self, ttb_id: str, page: Page) -> ColaPages:
        """The form's record parts, and its label files fetched now, in this thread's session.

        Raises:
            RunStopped: the run stopped before the label files were fetched (the COLA is not kept without them:
                the crawl would not ask for them again).
        """
        parsed = self._parsed(ttb_id, page, PageKind.FORM)
        if self.images is not None and self.stop.is_set():
            raise RunStopped(f"{ttb_id}: run stopped before its label images were fetched")
        files = self.images.after_form(self.client, ttb_id, page) if self.images else ()
        return ColaPages(ttb_id, form=page_row(FORM_FIELDS, parsed, **_provenance(page)),
                         images=tuple(parsed.get("label_images") or ()), image_rows=files)

    def record(self, ttb_id: str, status_only: bool = False) -> ColaPages | None:
        """The pages of ``ttb_id`` that ``pages`` asks for, or None when the registry says it is not
        (yet) public. ``status_only`` (a known COLA whose status changed) fetches only the page that
        shows the status: the detail page, or the form with ``pages = form``.

        A form answered with the not-found page while the detail page exists (the registry answers
        some old COLAs' forms so) leaves a detail-only record marked ``form_unavailable``, never a
        failure; with ``pages = form``
        such a form is checked on the detail page: only the detail page proves a COLA absent.

        Raises:
            RegistryError: a page could not be fetched after retries (the registry failing us).
            ColaUnreadable: a page of another kind or TTB ID, one the parsers cannot read, or one that
                failed every try while the registry answered other pages.
        """
        if self.pages == "form":
            page = self._fetch(ttb_id, PageKind.FORM)
            if page.kind is PageKind.NOT_FOUND:
                detail = self._detail(ttb_id)
                return None if detail is None else ColaPages(ttb_id, detail={**detail, "form_unavailable": True})
            return self._form(ttb_id, page)
        detail = self._detail(ttb_id)
        if detail is None:
            return None
        if self.pages == "detail" or status_only:
            return ColaPages(ttb_id, detail=detail)
        page = self._fetch(ttb_id, PageKind.FORM, public=True)
        if page.kind is PageKind.NOT_FOUND:  # the form unavailable while the detail page exists
            logger.warning("%s: the printable form is unavailable; detail page only", ttb_id)
            return ColaPages(ttb_id, detail={**detail, "form_unavailable": True})
        return dataclasses.replace(self._form(ttb_id, page), detail=detail)

    def run(self, crawl: PartitionCrawl, method: str, emit: Callable[[TableRow], None]) -> PartitionOutcome:
        """Drive ``crawl`` to its end, emitting each record found; never raises for registry errors.

        Up to ``lookahead`` sequences are fetched at once (the registry answers slowly, and one
        partition is otherwise one request at a time); outcomes are observed strictly in sequence
        order, so the state is the same as a one-by-one walk. Near the end of the frontier up to
        ``lookahead - 1`` pages are fetched past the stopping point and set aside unobserved. A COLA
        whose page cannot be read is parked and the walk goes on (a run of them fails the partition).

        Once the run stops (budget, Ctrl-C, a block elsewhere) no fetch starts; the sequences already
        fetched are still observed in order, and the partition fails at the first that did not load
        (see :func:`settle_futures`), so the requests they cost are not spent again by the next run.
        """
        clock = time.monotonic()
        before = self.client.stats.snapshot()
        outcome = PartitionOutcome(crawl.receipt_date.isoformat(), method, crawl.state, started_at=utc_timestamp())
        sequences = crawl.sequences()
        last_line = clock
        pending: deque[tuple[int, Future[ColaPages | bool | None]]] = deque()
        in_a_row = ParkedInARow()
        with ThreadPoolExecutor(max_workers=self.lookahead, thread_name_prefix="ttb-cola-probe") as pool:

            def refill() -> None:
                while len(pending) < self.lookahead and not crawl.error and not self.stop.is_set():
                    sequence = next(sequences, None)
                    if sequence is None:
                        return
                    ttb_id = format_ttb_id(crawl.receipt_date, method, sequence)
                    pending.append((sequence, _loaded_already() if ttb_id in self.loaded
                                    else pool.submit(self.record, ttb_id)))

            if self.stop.is_set():  # blocked elsewhere: send nothing, keep the state where it was
                crawl.fail(crawl.state["highest"] + 1, "run stopped before this partition was probed")
            refill()
            while pending:
                sequence, future = pending.popleft()
                if crawl.frontier_done():
                    break  # fetched ahead past the end of the walk: set aside, unobserved
                if self.stop.is_set():
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
        if self.stop.is_set() and not crawl.error and (unprobed := next(sequences, None)) is not None:
            crawl.fail(unprobed, STOPPED)  # stopped after its last fetch was observed: the walk goes on next run
        return self._close(outcome, crawl, before, clock)

    def _close(
        self, outcome: PartitionOutcome, crawl: PartitionCrawl, before: StatsSnapshot, clock: float
    ) -> PartitionOutcome:
        """The outcome with the partition's new state and this run's counters."""
        after = self.client.stats.snapshot()
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
        requests = self.client.stats.requests - before.requests
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


def _provenance(page: Page) -> dict[str, Any]:
    return {"source_url": page.url, "fetched_at": page.fetched_at.isoformat(), "page_sha256": sha256(page.body)}
