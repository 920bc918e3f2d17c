"""dlt source for the US TTB public COLA Registry: config in, resources out.

The ``partitions`` resource discovers COLAs two ways, by ``strategy``: it searches the registry by
completed date (:mod:`ttb_cola.search`) and it probes receipt date x receipt method partitions TTB ID
by TTB ID (:mod:`ttb_cola.probe`), on the :class:`~ttb_cola.scheduler.Scheduler`'s pool. It keeps one
state entry per receipt partition and per completed date in ``dlt.current.resource_state()``; the
``colas``, ``cola_label_images``, ``crawl_partitions`` and ``crawl_searches`` resources are
transformers over its output, so one crawl feeds every table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ttb_cola.archive import DEFAULT_ARCHIVE_DIR, RawArchive, archived_records
from ttb_cola.ids import check_method
from ttb_cola.probe.plan import CrawlSettings
from ttb_cola.records import (
    COLAS_COLUMNS,
    CRAWL_PARTITION_COLUMNS,
    CRAWL_SEARCH_COLUMNS,
    LABEL_IMAGE_COLUMNS,
    SCHEMA_CONTRACT,
)
from ttb_cola.registry.breaker import BreakerSettings
from ttb_cola.registry.retry import RetryPolicy
from ttb_cola.scheduler import Event, RunPlan, RunReport, Scheduler, WorkerSettings
from ttb_cola.search.plan import check_strategy


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
    on_block: str = "stop",
    block_threshold: int = 24,
    block_cooldown: float = 300.0,
    block_cooldowns: int = 6,
    quarantine_dir: str = "data/quarantine/registry",
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
        on_block: what the circuit breaker does after ``block_threshold`` unavailable or unknown
            answers in a row: ``stop`` the run (exit 3) or ``wait`` (cool down ``block_cooldown``
            seconds, doubling up to an hour, and resume; stop after ``block_cooldowns``).
        block_threshold: counted failures in a row, all workers together, that trip the breaker.
        block_cooldown: first cooldown of ``on_block = "wait"``, seconds.
        block_cooldowns: cooldowns in a row after which ``wait`` stops the run too.
        quarantine_dir: where the breaker saves the last body it saw, for diagnosis.
        full_refresh: probe settled partitions and every sequence again; search every day again.
        today: the run's date (ISO), for replays and the simulator's clock; the real date if None.
        report: a :class:`RunReport` to fill in (the CLI's summary reads it).
    """
    first = date.fromisoformat(str(start_date))
    plan = RunPlan(
        first=first,
        last=date.fromisoformat(str(end_date)) if end_date else first,
        methods=[check_method(str(m)) for m in receipt_methods],
        strategy=check_strategy(strategy),
        today=date.fromisoformat(today) if today else date.today(),
        crawl=CrawlSettings(
            max_consecutive_misses=max_consecutive_misses, settle_days=settle_days, daily_days=lookback_days
        ),
        full_refresh=full_refresh,
    )
    workers = WorkerSettings(
        base_url=base_url,
        requests_per_second=requests_per_second,
        request_timeout=request_timeout,
        retry_policy=RetryPolicy(
            max_attempts=max_attempts,
            initial_wait=backoff_initial,
            max_wait=backoff_max,
            jitter=min(1.0, backoff_initial),
            captcha_wait=captcha_backoff,
            captcha_max_wait=max(captcha_backoff, 300.0),
        ),
        user_agent=user_agent,
        ca_bundle=ca_bundle,
        fetch_forms=fetch_forms,
        archive=RawArchive.at(archive_url, **(archive_options or {})) if archive_raw_html else None,
        max_workers=max_workers,
        probe_lookahead=probe_lookahead,
        breaker=BreakerSettings(
            threshold=block_threshold, on_block=on_block, cooldown=block_cooldown,
            cooldown_max=max(block_cooldown, 3600.0), max_cooldowns=block_cooldowns,
            quarantine_dir=quarantine_dir,
        ),
    )
    run_report: RunReport = report if report is not None else RunReport()

    @dlt.resource(name="partitions", selected=False)
    def partitions() -> Iterator[Event]:
        resource_state = dlt.current.resource_state()
        states: dict[str, Any] = resource_state.setdefault("partitions", {})
        searches: dict[str, Any] = resource_state.setdefault("searches", {})
        with Scheduler(workers, run_report) as scheduler:
            yield from scheduler.run(plan, states, searches)

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
    def colas(event: Event) -> Iterator[dict[str, Any]]:
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
    def cola_label_images(event: Event) -> Iterator[dict[str, Any]]:
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

    def rows(event: Event) -> Iterator[dict[str, Any]]:
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
    def archive() -> Iterator[Event]:
        for record in archived_records(RawArchive.at(archive_url, **(archive_options or {})), base_url):
            yield Event("colas", record)

    return (archive, *table_resources(archive))


__all__ = ["table_resources", "ttb_cola", "ttb_cola_archive"]
