"""What one run covers (:class:`RunPlan`) and how its workers talk to the registry (:class:`WorkerSettings`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ttb_cola.archive import RawArchive
from ttb_cola.images.hook import ImageHook
from ttb_cola.parked.give_up import GiveUp
from ttb_cola.probe.plan import CrawlSettings
from ttb_cola.registry.breaker import BreakerSettings
from ttb_cola.registry.retry import RetryPolicy


@dataclass(frozen=True)
class WorkerSettings:
    """How each worker talks to the registry."""

    base_url: str
    requests_per_second: float
    request_timeout: float
    retry_policy: RetryPolicy
    user_agent: str | None = None
    ca_bundle: str | None = None
    pages: str = "form"
    archive: RawArchive | None = None
    max_workers: int = 4
    probe_lookahead: int = 4
    breaker: BreakerSettings = BreakerSettings()
    #: Label images fetched after each form (shared by every worker); None: none.
    images: ImageHook | None = None


@dataclass(frozen=True)
class RunPlan:
    """What one run covers: completed dates to search, receipt dates to probe, the run's date."""

    first: date | None
    last: date | None
    methods: list[str]
    strategy: str
    today: date
    crawl: CrawlSettings
    search_first: date | None = None
    search_last: date | None = None
    reprobe: bool = False
    #: Retry the parked COLAs first (the first chunk of a command does).
    retry_parked: bool = True
    #: Listed COLAs whose pages to fetch, in this order (the page backlog, see :mod:`ttb_cola.fill`).
    fill: tuple[str, ...] = ()
    #: When a parked COLA stops being retried.
    give_up: GiveUp = GiveUp()
    #: The first completed date from which no listed COLA owes pages, as the destination held it at
    #: the start (None: unknown): days listed without pages count as covered from there on.
    held_from: date | None = None


def date_range(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
