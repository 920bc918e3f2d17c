"""dlt source for the US TTB public COLA Registry.

The ``partitions`` resource discovers COLAs two ways, by ``strategy``: it searches the registry by
completed date (see :mod:`ttb_cola.listing`), and it probes receipt date x receipt method partitions
TTB ID by TTB ID (see :mod:`ttb_cola.crawl`), concurrently. It keeps one state entry per receipt
partition and per completed date in ``dlt.current.resource_state()``; the ``colas``,
``cola_label_images``, ``crawl_partitions`` and ``crawl_searches`` resources are transformers over
its output, so one crawl feeds every table.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ttb_cola.archive import RawArchive, archived_records
from ttb_cola.client import RegistryClient, RetryPolicy
from ttb_cola.crawl import CrawlSettings, PartitionCrawl, is_due, mark_covered, mark_listed, record_fetched
from ttb_cola.discover import Searcher
from ttb_cola.ids import check_method, partition_key
from ttb_cola.lister import Lister, ListingOutcome
from ttb_cola.listing import check_strategy, covered_from, search_days, search_state
from ttb_cola.operations import hms
from ttb_cola.probe import PartitionOutcome, Prober, utc_now
from ttb_cola.ratelimit import RateLimiter
from ttb_cola.settings import (
    COLAS_COLUMNS,
    CRAWL_PARTITION_COLUMNS,
    CRAWL_SEARCH_COLUMNS,
    DEFAULT_ARCHIVE_DIR,
    LABEL_IMAGE_COLUMNS,
    SCHEMA_CONTRACT,
)

progress_log = logging.getLogger("ttb_cola.progress")


@dataclass
class RunReport:
    """What a run did, filled in as partitions finish (read by the CLI for its summary)."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    planned: int = 0
    skipped: int = 0
    covered: int = 0
    outcomes: list[PartitionOutcome] = field(default_factory=list)
    searches: list[ListingOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[PartitionOutcome | ListingOutcome]:
        """Partitions and completed dates that ended this run failed."""
        return [o for o in [*self.searches, *self.outcomes] if o.state["status"] == "failed"]

    @property
    def blocked(self) -> bool:
        """Whether the registry blocked the run (CAPTCHA after all retries)."""
        return any(o.blocked for o in [*self.searches, *self.outcomes])


@dataclass(frozen=True)
class _Event:
    table: str
    data: dict[str, Any]


def date_range(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@dlt.source(name="ttb_cola", max_table_nesting=0)
def ttb_cola(
    start_date: str,
    end_date: str | None = None,
    receipt_methods: list[str] = dlt.config.value,
    base_url: str = dlt.config.value,
    requests_per_second: float = 2.0,
    request_timeout: float = 30.0,
    max_attempts: int = 6,
    backoff_initial: float = 1.0,
    backoff_max: float = 60.0,
    captcha_backoff: float = 30.0,
    max_workers: int = 4,
    probe_lookahead: int = 4,
    max_consecutive_misses: int = 40,
    settle_days: int = 120,
    lookback_days: int = 45,
    fetch_forms: bool = True,
    archive_raw_html: bool = False,
    archive_url: str = DEFAULT_ARCHIVE_DIR,
    archive_options: dict[str, Any] | None = None,
    ca_bundle: str | None = None,
    user_agent: str | None = None,
    strategy: str = "probe",
    full_refresh: bool = False,
    today: str | None = None,
    report: Any = None,
) -> Sequence[DltResource]:
    """The TTB COLA registry, crawled by receipt date x receipt method.

    Args:
        start_date: first receipt date (ISO) to crawl.
        end_date: last receipt date (ISO), ``start_date`` when omitted.
        receipt_methods: method codes to crawl ("001" e-filed, "002" mailed, "003" overnight,
            "000" hand delivered).
        base_url: registry root, e.g. ``https://www.ttbonline.gov/colasonline``.
        requests_per_second: one budget for the whole process, shared by all workers.
        request_timeout: seconds per request.
        max_attempts: tries per request before a partition is marked failed.
        backoff_initial: first retry wait in seconds (doubling, with jitter, up to ``backoff_max``).
        backoff_max: longest wait between retries.
        captcha_backoff: first wait after a CAPTCHA page (doubling up to 5 minutes).
        max_workers: partitions crawled concurrently.
        probe_lookahead: sequences of one partition fetched concurrently.
        max_consecutive_misses: not-found pages in a row that end a partition's frontier.
        settle_days: partitions older than this stop being re-checked.
        lookback_days: partitions this young are re-checked every day (the daily run's window).
        fetch_forms: also fetch each printable form (codes, checkboxes, label images).
        archive_raw_html: keep every fetched page gzipped under ``archive_url``.
        archive_url: local directory or fsspec URL of the raw archive.
        archive_options: fsspec options (credentials, endpoint) for ``archive_url``, e.g. the lake's.
        ca_bundle: CA bundle path; empty builds certifi + the registry's missing intermediate.
        user_agent: User-Agent header; empty names the project.
        strategy: how COLAs are found: ``probe`` (TTB ID by TTB ID), ``search`` (the registry's
            search by completed date, from ``start_date`` to today: new COLAs and status changes)
            or ``both`` (search, then probe the receipt dates the searches do not cover).
        full_refresh: probe settled partitions and every sequence again; search every day again.
        today: the run's date (ISO), for replays and the simulator's clock; the real date if None.
        report: a :class:`RunReport` to fill in (the CLI's summary reads it).
    """
    first = date.fromisoformat(str(start_date))
    last = date.fromisoformat(str(end_date)) if end_date else first
    methods = [check_method(str(m)) for m in receipt_methods]
    strategy = check_strategy(strategy)
    run_day = date.fromisoformat(today) if today else date.today()
    run_report: RunReport = report if report is not None else RunReport()
    crawl_settings = CrawlSettings(
        max_consecutive_misses=max_consecutive_misses, settle_days=settle_days, daily_days=lookback_days
    )
    policy = RetryPolicy(
        max_attempts=max_attempts,
        initial_wait=backoff_initial,
        max_wait=backoff_max,
        jitter=min(1.0, backoff_initial),
        captcha_wait=captcha_backoff,
        captcha_max_wait=max(captcha_backoff, 300.0),
    )
    archive = RawArchive.at(archive_url, **(archive_options or {})) if archive_raw_html else None

    @dlt.resource(name="partitions", selected=False)
    def partitions() -> Iterator[_Event]:
        resource_state = dlt.current.resource_state()
        states: dict[str, Any] = resource_state.setdefault("partitions", {})
        searches: dict[str, Any] = resource_state.setdefault("searches", {})
        limiter = RateLimiter(requests_per_second)
        stop = threading.Event()
        events: queue.Queue[_Event | PartitionOutcome | ListingOutcome] = queue.Queue(maxsize=10_000)
        local = threading.local()
        futures: list[Future[None]] = []

        def prober() -> Prober:
            if not hasattr(local, "prober"):
                client = RegistryClient(
                    base_url,
                    request_timeout=request_timeout,
                    user_agent=user_agent or None,
                    ca_bundle=ca_bundle or None,
                    retry_policy=policy,
                    rate_limiter=limiter,
                )
                local.prober = Prober(
                    client, fetch_forms=fetch_forms, archive=archive, stop=stop, lookahead=max(1, probe_lookahead)
                )
            return local.prober

        def search_work(day: date) -> None:
            outcome: ListingOutcome | None = None
            try:
                worker = prober()
                lister = Lister(Searcher(worker.client), worker)
                outcome = lister.run(day, run_day, states, emit=lambda rec: events.put(_Event("colas", rec)))
            except Exception as exc:  # a bug must fail the day, never lose it silently
                progress_log.exception("search of %s failed unexpectedly", day)
                outcome = ListingOutcome(
                    day.isoformat(), search_state(day, run_day, None, 0, f"unexpected {type(exc).__name__}: {exc}")
                )
            finally:
                if outcome is not None and outcome.blocked:
                    stop.set()
                events.put(outcome or ListingOutcome(day.isoformat(), search_state(day, run_day, None, 0, "lost")))

        def probe_work(day: date, method: str, state: dict[str, Any]) -> None:
            crawl = PartitionCrawl(day, run_day, crawl_settings, state, full_refresh=full_refresh)
            outcome: PartitionOutcome | None = None
            try:
                outcome = prober().run(crawl, method, emit=lambda rec: events.put(_Event("colas", rec)))
            except Exception as exc:  # a bug must fail the partition, never lose it silently
                progress_log.exception("partition %s failed unexpectedly", partition_key(day, method))
                crawl.fail(crawl.state["highest"] + 1, f"unexpected {type(exc).__name__}: {exc}")
                outcome = PartitionOutcome(day.isoformat(), method, crawl.finish(run_at=""), errors=1)
            finally:
                if outcome is not None and outcome.blocked:
                    stop.set()
                events.put(outcome or PartitionOutcome(day.isoformat(), method, state, errors=1))

        def drain(count: int) -> Iterator[_Event | PartitionOutcome | ListingOutcome]:
            while count:
                event = events.get()
                if not isinstance(event, _Event):
                    count -= 1
                yield event

        started = time.monotonic()
        pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="ttb-cola")
        listed: dict[str, int] = {}
        try:
            if strategy != "probe":
                days = search_days(searches, first, run_day, full_refresh)
                progress_log.info(
                    "run %s: searching %d completed dates (%s..%s), %d workers at %s req/s", run_report.run_id,
                    len(days), days[0] if days else "-", days[-1] if days else "-", max_workers,
                    requests_per_second or "unlimited",
                )
                futures += [pool.submit(search_work, day) for day in days]
                for event in drain(len(days)):
                    if isinstance(event, _Event):
                        yield event
                        continue
                    assert isinstance(event, ListingOutcome)
                    for key, sequences in _apply_listing(event, states, run_day, crawl_settings).items():
                        listed[key] = listed.get(key, 0) + sequences
                    searches[event.completed_date] = event.state
                    run_report.searches.append(event)
                    _log_search(event, len(run_report.searches), len(days), started)
                    yield _Event("crawl_searches", event.row(run_report.run_id))

            covered = covered_from(searches, first, run_day) if strategy != "probe" else None
            plan = []
            for day in date_range(first, last):
                for method in methods:
                    key = partition_key(day, method)
                    if covered is not None and day >= covered:
                        states[key] = mark_covered(states.get(key), day, run_day, crawl_settings)
                        now = utc_now()
                        outcome = PartitionOutcome(
                            day.isoformat(), method, states[key], found=listed.get(key, 0), started_at=now,
                            finished_at=now,
                        )
                        run_report.covered += 1
                        yield _Event("crawl_partitions", outcome.row(run_report.run_id))
                    elif strategy != "search" and is_due(states.get(key), day, run_day, crawl_settings, full_refresh):
                        plan.append((day, method, dict(states.get(key) or {})))
                    else:
                        run_report.skipped += 1
            run_report.planned = len(plan)
            progress_log.info(
                "run %s: %d partitions to probe, %d covered by search, %d skipped (settled, not due or not "
                "searchable), %d workers at %s req/s", run_report.run_id, len(plan), run_report.covered,
                run_report.skipped, max_workers, requests_per_second or "unlimited",
            )
            started = time.monotonic()
            futures += [pool.submit(probe_work, day, method, state) for day, method, state in plan]
            for event in drain(len(plan)):
                if isinstance(event, _Event):
                    yield event
                    continue
                assert isinstance(event, PartitionOutcome)
                states[event.key] = event.state
                run_report.outcomes.append(event)
                _log_partition(event, len(run_report.outcomes), len(plan), started)
                yield _Event("crawl_partitions", event.row(run_report.run_id))
        finally:
            # On an early exit (extract failed, interrupted) stop the workers and unblock them.
            stop.set()
            while not all(f.done() for f in futures):
                with contextlib.suppress(queue.Empty):
                    events.get(timeout=0.1)
            pool.shutdown()

    return (partitions, *table_resources(partitions))


def table_resources(parent: DltResource) -> tuple[DltResource, ...]:
    """The ``colas``, ``cola_label_images``, ``crawl_partitions`` and ``crawl_searches`` tables, fed by
    ``parent``'s events."""

    @dlt.transformer(
        data_from=parent,
        name="colas",
        write_disposition="merge",
        primary_key="ttb_id",
        columns=COLAS_COLUMNS,
        schema_contract=SCHEMA_CONTRACT,
    )
    def colas(event: _Event) -> Iterator[dict[str, Any]]:
        if event.table == "colas":
            yield {k: v for k, v in event.data.items() if k != "label_images"}

    @dlt.transformer(
        data_from=parent,
        name="cola_label_images",
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        primary_key=("ttb_id", "position"),
        merge_key="ttb_id",
        columns=LABEL_IMAGE_COLUMNS,
        schema_contract=SCHEMA_CONTRACT,
    )
    def cola_label_images(event: _Event) -> Iterator[dict[str, Any]]:
        if event.table == "colas":
            for position, image in enumerate(event.data.get("label_images") or [], start=1):
                yield {"ttb_id": event.data["ttb_id"], "position": position, **image}

    return (
        colas,
        cola_label_images,
        _crawl_log(parent, "crawl_partitions", CRAWL_PARTITION_COLUMNS),
        _crawl_log(parent, "crawl_searches", CRAWL_SEARCH_COLUMNS),
    )


def _crawl_log(parent: DltResource, table: str, columns: Any) -> DltResource:
    """An append-only table of the rows ``parent`` sends for ``table`` (one per partition or day per run)."""

    def rows(event: _Event) -> Iterator[dict[str, Any]]:
        if event.table == table:
            yield event.data

    return dlt.transformer(
        rows, data_from=parent, name=table, write_disposition="append", columns=columns,
        schema_contract=SCHEMA_CONTRACT,
    )


@dlt.source(name="ttb_cola", max_table_nesting=0)
def ttb_cola_archive(
    archive_url: str = DEFAULT_ARCHIVE_DIR,
    base_url: str = dlt.config.value,
    archive_options: dict[str, Any] | None = None,
) -> Sequence[DltResource]:
    """The same tables rebuilt from the raw page archive, without any HTTP (``ttb-cola reparse``).

    Args:
        archive_url: local directory or fsspec URL the crawl archived pages to.
        base_url: registry root, to restore each record's ``source_url``.
        archive_options: fsspec options (credentials, endpoint) for ``archive_url``.
    """

    @dlt.resource(name="archive", selected=False)
    def archive() -> Iterator[_Event]:
        for record in archived_records(RawArchive.at(archive_url, **(archive_options or {})), base_url):
            yield _Event("colas", record)

    return (archive, *table_resources(archive))


def _apply_listing(
    outcome: ListingOutcome, states: dict[str, Any], today: date, settings: CrawlSettings
) -> dict[str, int]:
    """Fold one completed date's listing into the receipt partitions' states; new COLAs per partition.

    After a failed search only what was fetched counts as found: a listed COLA we hold no page of
    must stay a hole, so that a probe (or the next search) still fetches it.
    """
    complete = outcome.state["status"] != "failed"
    found = outcome.plan.listed if complete else outcome.fetched
    new: dict[str, int] = {}
    for key, sequences in found.items():
        day, method = key.split("|")
        before = states.get(key)
        state = mark_listed(before, sequences, date.fromisoformat(day), today, settings)
        record_fetched(state, outcome.fetched.get(key, set()), today)
        states[key] = state
        new[key] = len(outcome.fetched.get(key, set()))
    return new


def _log_search(outcome: ListingOutcome, done: int, total: int, started: float) -> None:
    elapsed = max(time.monotonic() - started, 1e-9)
    state = outcome.state
    progress_log.info(
        "[%d/%d] %s %-8s listed %5d of %5s, fetched %5d (new %d, moved %d), %d exports %d pages %d splits  "
        "%.1f req/s  ETA %s%s",
        done, total, outcome.key, state["status"], state["listed"], state["reported_total"],
        sum(len(s) for s in outcome.fetched.values()), outcome.plan.new, outcome.plan.moved, outcome.exports,
        outcome.pages, outcome.splits, outcome.requests / max(outcome.seconds, 1e-3),
        hms(elapsed / done * (total - done)), f"  ({state['last_error']})" if state["last_error"] else "",
    )


def _log_partition(outcome: PartitionOutcome, done: int, total: int, started: float) -> None:
    elapsed = max(time.monotonic() - started, 1e-9)
    eta = elapsed / done * (total - done)
    progress_log.info(
        "[%d/%d] %s %-7s probed %5d found %5d misses %4d retried %3d  %.1f req/s  ETA %s%s",
        done, total, outcome.key, outcome.state["status"], outcome.probed, outcome.found,
        outcome.not_found, outcome.retried, outcome.requests / max(outcome.seconds, 1e-3), hms(eta),
        f"  ({outcome.state['last_error']})" if outcome.state["last_error"] else "",
    )


__all__ = ["RunReport", "date_range", "table_resources", "ttb_cola", "ttb_cola_archive"]
