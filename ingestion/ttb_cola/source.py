"""dlt source for the US TTB public COLA Registry: config in, resources out.

The ``partitions`` resource discovers COLAs two ways, by ``strategy``: it searches the registry by
completed date (:mod:`ttb_cola.search`) and it probes receipt date x receipt method partitions TTB ID
by TTB ID (:mod:`ttb_cola.probe`), on the :class:`~ttb_cola.scheduler.pool.Scheduler`'s pool. One run
searches one range of completed dates and/or covers one range of receipt dates (the runs layer
chunks a command into such runs, each one dlt load with its state). It keeps one state entry per
receipt partition and per completed date in ``dlt.current.resource_state()``, packed between runs
(:mod:`ttb_cola.state_compaction`); the page tables
(``cola_details``, ``cola_forms``, ``cola_listings``), ``cola_label_images``, the crawl logs
(``crawl_partitions``, ``crawl_searches``) and the parked COLAs (``crawl_parked``, see
:mod:`ttb_cola.parked`) are transformers over its output.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import dlt
from dlt.sources import DltResource

from ttb_cola.archive import DEFAULT_ARCHIVE_DIR, RawArchive
from ttb_cola.archive_source import ttb_cola_archive
from ttb_cola.clock import washington_today
from ttb_cola.ids import check_method
from ttb_cola.images.hook import image_hook
from ttb_cola.parked.give_up import DEFAULT_GIVE_UP_ATTEMPTS, DEFAULT_GIVE_UP_DAYS, GiveUp
from ttb_cola.probe.plan import CrawlSettings
from ttb_cola.records import MATERIALIZE
from ttb_cola.registry.breaker import BreakerSettings
from ttb_cola.registry.client import DEFAULT_REQUEST_TIMEOUT
from ttb_cola.registry.retry import (
    DEFAULT_BACKOFF_INITIAL,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_CAPTCHA_BACKOFF,
    DEFAULT_MAX_ATTEMPTS,
    RetryPolicy,
)
from ttb_cola.scheduler.plan import RunPlan, WorkerSettings
from ttb_cola.scheduler.pool import Scheduler
from ttb_cola.scheduler.report import Event, RunReport
from ttb_cola.search.cap import DEFAULT_EXPORT_CAP, ExportCap
from ttb_cola.search.plan import check_pages, check_strategy, listing_strategy
from ttb_cola.search.split_plan import Density
from ttb_cola.state_compaction import packed, unpacked
from ttb_cola.tables import MATERIALIZED_TABLES, table_resources


@dlt.source(name="ttb_cola", max_table_nesting=0)
def ttb_cola(
    start_date: str | None = None,
    end_date: str | None = None,
    search_start: str | None = None,
    search_end: str | None = None,
    receipt_methods: list[str] = dlt.config.value,
    base_url: str = dlt.config.value,
    requests_per_second: float = 2.0,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff_initial: float = DEFAULT_BACKOFF_INITIAL,
    backoff_max: float = DEFAULT_BACKOFF_MAX,
    captcha_backoff: float = DEFAULT_CAPTCHA_BACKOFF,
    max_workers: int = 4,
    probe_lookahead: int = 4,
    max_consecutive_misses: int = 40,
    settle_days: int = 120,
    recheck_daily_days: int = 14,
    pages: str = "form",
    export_cap: int = DEFAULT_EXPORT_CAP,
    archive_raw_html: bool = False,
    archive_url: str = DEFAULT_ARCHIVE_DIR,
    archive_options: dict[str, Any] | None = None,
    ca_bundle: str | None = None,
    user_agent: str | None = None,
    strategy: str = "probe",
    reprobe: bool = False,
    on_block: str = "stop",
    block_threshold: int = 24,
    block_forbidden: int = 3,
    block_cooldown: float = 300.0,
    block_cooldowns: int = 6,
    quarantine_dir: str = "data/quarantine/registry",
    retry_parked: bool = True,
    parked_give_up_attempts: int = DEFAULT_GIVE_UP_ATTEMPTS,
    parked_give_up_days: int = DEFAULT_GIVE_UP_DAYS,
    fill: Sequence[str] = (),
    pages_held_from: str | None = None,
    images: str = "none",
    images_url: str = "",
    images_options: dict[str, Any] | None = None,
    known_images: Any = None,
    today: str | None = None,
    report: Any = None,
    budget: Any = None,
) -> Sequence[DltResource]:
    """The TTB COLA registry: one range of completed dates searched and/or receipt dates probed.

    Args:
        start_date: first receipt date (ISO) to probe or mark covered; None: no receipt dates.
        end_date: last receipt date (ISO), ``start_date`` when omitted.
        search_start: first completed date (ISO) to search (strategies ``search`` and ``both``);
            None: no search in this run.
        search_end: last completed date to search, ``search_start`` when omitted.
        receipt_methods: method codes to crawl ("001" e-filed, "002" mailed, "003" overnight,
            "000" hand delivered).
        base_url: registry root, e.g. ``https://www.ttbonline.gov/colasonline``.
        requests_per_second: one budget for the whole process, shared by all workers.
        request_timeout: seconds per request.
        max_attempts: tries per request before a partition is marked failed.
        backoff_initial: first retry wait in seconds (doubling, with jitter, up to ``backoff_max``).
        backoff_max: longest wait between retries.
        captcha_backoff: first wait after a CAPTCHA page (doubling up to 5 minutes).
        max_workers: partitions or completed dates crawled concurrently.
        probe_lookahead: sequences of one partition fetched concurrently.
        max_consecutive_misses: not-found pages in a row that end a partition's frontier.
        settle_days: partitions older than this stop being re-checked.
        recheck_daily_days: partitions this young are re-checked every day, older ones every
            ``age/7`` days (up to 14).
        pages: the pages fetched per COLA: ``form`` (the printable form), ``detail`` or ``both``;
            ``none`` lists completed dates into ``cola_listings`` only (strategy ``search`` alone).
        export_cap: the prior on the rows the registry's CSV export holds; what the runs learn of it
            is kept in the resource state (``export_cap``) and read back by the next run, as is how
            completions spread over weekdays and class/type codes (``search_density``: where a search
            over the cap is split).
        archive_raw_html: keep every fetched page gzipped under ``archive_url``.
        archive_url: local directory or fsspec URL of the raw archive.
        archive_options: fsspec options (credentials, endpoint) for ``archive_url``, e.g. the lake's.
        ca_bundle: CA bundle path; empty builds certifi + the registry's missing intermediate.
        user_agent: User-Agent header; empty names the project.
        strategy: how COLAs are found: ``probe`` (TTB ID by TTB ID), ``search`` (the registry's
            search by completed date: new COLAs and status changes) or ``both`` (search, and probe
            the receipt dates the searches do not cover).
        reprobe: probe settled partitions and every sequence again; search every day again.
        on_block: what the circuit breaker does after ``block_threshold`` unavailable or unknown
            answers in a row: ``stop`` the run (exit 3) or ``wait`` (cool down ``block_cooldown``
            seconds, doubling up to an hour, and resume; stop after ``block_cooldowns``).
        block_threshold: counted failures in a row, all workers together, that trip the breaker.
        block_forbidden: HTTP 403 answers with no page answered between them, all workers
            together, that trip the breaker (a WAF block); fewer are retried.
        block_cooldown: first cooldown of ``on_block = "wait"``, seconds.
        block_cooldowns: cooldowns in a row after which ``wait`` stops the run too.
        quarantine_dir: where the breaker saves the last body it saw, for diagnosis.
        retry_parked: fetch the parked COLAs (``crawl_parked``) again before anything else.
        parked_give_up_attempts: failed attempts after which a parked COLA is given up (no longer retried,
            kept in ``crawl_parked`` with ``given_up``; 0: never).
        parked_give_up_days: days after it was first parked that a COLA failing again is given up (0: never).
        fill: TTB IDs of listed COLAs whose pages to fetch, in this order, after the parked COLAs
            (the page backlog, ``ttb-cola fill``).
        pages_held_from: the first completed date (ISO) from which no listed COLA owes pages, read
            from the destination's tables at the start; days listed without pages cover receipt dates
            from there on. None: they cover none.
        images: label images fetched right after each printable form, in its session: ``none``,
            ``front`` (the brand label) or ``all``; rows go to ``cola_images`` and ``cola_barcodes``.
        images_url: the image store (a directory or fsspec URL); empty: ``data/images``.
        images_options: fsspec options (credentials, endpoint) for ``images_url``, e.g. the lake's.
        known_images: a :class:`~ttb_cola.images.known.KnownImages`: positions not fetched again.
        today: the run's date (ISO), for replays and the simulator's clock; today's date in Washington
            (the registry's zone) if None.
        report: a :class:`RunReport` to fill in (the CLI's summary reads it).
        budget: a :class:`~ttb_cola.budget.Budget`; work not started once it is spent is left for
            the next run.
    """
    run_day = date.fromisoformat(today) if today else washington_today()
    first = date.fromisoformat(str(start_date)) if start_date else None
    search_first = date.fromisoformat(str(search_start)) if search_start else None
    plan = RunPlan(
        first=first,
        last=date.fromisoformat(str(end_date)) if end_date else first,
        search_first=search_first,
        search_last=date.fromisoformat(str(search_end)) if search_end else search_first,
        methods=[check_method(str(m)) for m in receipt_methods],
        strategy=check_strategy(listing_strategy(check_pages(pages), strategy) or strategy),
        today=run_day,
        crawl=CrawlSettings(
            max_consecutive_misses=max_consecutive_misses, settle_days=settle_days, daily_days=recheck_daily_days
        ),
        reprobe=reprobe,
        retry_parked=retry_parked,
        fill=tuple(fill),
        give_up=GiveUp(int(parked_give_up_attempts), int(parked_give_up_days)),
        held_from=date.fromisoformat(pages_held_from) if pages_held_from else None,
    )
    workers = WorkerSettings(
        base_url=base_url,
        requests_per_second=requests_per_second,
        request_timeout=request_timeout,
        retry_policy=RetryPolicy.from_settings(max_attempts, backoff_initial, backoff_max, captcha_backoff),
        user_agent=user_agent,
        ca_bundle=ca_bundle,
        pages=check_pages(pages),
        archive=RawArchive.at(archive_url, **(archive_options or {})) if archive_raw_html else None,
        max_workers=max_workers,
        probe_lookahead=probe_lookahead,
        breaker=BreakerSettings(
            threshold=block_threshold, forbidden=block_forbidden, on_block=on_block, cooldown=block_cooldown,
            cooldown_max=max(block_cooldown, 3600.0), max_cooldowns=block_cooldowns,
            quarantine_dir=quarantine_dir,
        ),
        images=image_hook(images, images_url, images_options, known_images),
    )
    run_report: RunReport = report if report is not None else RunReport()
    run_report.images = workers.images.report if workers.images else None

    @dlt.resource(name="partitions", selected=False)
    def partitions() -> Iterator[Event]:
        resource_state = dlt.current.resource_state()
        unpacked(resource_state)  # stored packed (see ttb_cola.state_compaction); worked on as dicts
        states: dict[str, Any] = resource_state["partitions"]
        searches: dict[str, Any] = resource_state["searches"]
        parked: dict[str, Any] = resource_state.setdefault("parked", {})
        cap = ExportCap(export_cap, resource_state.get("export_cap"))
        density = Density(resource_state.get("search_density"))
        yield Event(MATERIALIZE, {})  # every table exists from the first run on, rows or not
        with Scheduler(workers, run_report, budget, export_cap=cap, density=density) as scheduler:
            yield from scheduler.run(plan, states, searches, parked)
        resource_state["export_cap"] = cap.state()  # what this run learned, for the next one
        resource_state["search_density"] = density.state()  # where its searches split, likewise
        packed(resource_state)  # only once every worker is done with the dicts

    return (partitions, *table_resources(partitions, run_report.run_id))


# the reparse's source and the table resources are re-exported for the callers that know them here
__all__ = ["MATERIALIZED_TABLES", "table_resources", "ttb_cola", "ttb_cola_archive"]
