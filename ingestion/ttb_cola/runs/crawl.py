"""The frame every crawl command (``ingest``, ``daily``, ``backfill``, ``fill``) runs in: its checked
settings, its run under Ctrl-C handling, the summary it prints and the documented exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ttb_cola.budget import Budget
from ttb_cola.errors import InputError
from ttb_cola.runs.exit_codes import (
    EXIT_BLOCKED,
    EXIT_BUDGET,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARKED,
)
from ttb_cola.runs.interrupt import Interrupt, graceful_interrupt

if TYPE_CHECKING:
    from ttb_cola.scheduler.report import RunReport, Stateful

#: Strategies by command when neither ``--strategy`` nor (for ingest) ``strategy`` says otherwise: the
#: daily run and backfills search by completed date and probe only what the searches cannot vouch for.
DEFAULT_STRATEGIES = {"daily": "both", "backfill": "both"}
DAILY_STRATEGY = DEFAULT_STRATEGIES["daily"]


#: ``runner(args, command, today, reports, left, interrupt)`` runs a command's chunks under its lock.
Runner = Callable[[argparse.Namespace, str, date, "list[RunReport]", list[Any], Interrupt], None]


@dataclass(frozen=True)
class CrawlSettings:
    """A crawl command's checked settings (flags, else configuration)."""

    strategy: str
    pages: str
    chunk_days: int
    rate: float
    budget: Budget
    max_workers: int
    base_url: str
    on_block: str
    images: str
    #: The page backlog (``fill``, and ``daily``'s last step): COLAs per chunk, ``daily``'s cap without a
    #: budget, the watchlist entries filled first.
    fill_chunk: int = 300
    fill_max: int = 2_000
    watchlist: tuple[Any, ...] = ()


class Stopped(Exception):
    """A chunk ended the command early: the registry blocked us, the budget is spent, or an interrupt."""


def run_crawl(args: argparse.Namespace, command: str, runner: Runner) -> int:
    """Run a crawl command (``runner``: it validates, takes the destination's lock and runs the chunks);
    its exit status, and one line on stderr for a failure. Its chunks share one pipeline (and, as in every
    command, each setting's value: :func:`ttb_cola.settings.settings_once`)."""
    from ttb_cola.runs.pipeline import one_pipeline

    with one_pipeline():
        return _run_crawl(args, command, runner)


def _run_crawl(args: argparse.Namespace, command: str, runner: Runner) -> int:
    from dlt.common.storages.exceptions import LoadPackageNotFound
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.destinations.lock import LockHeld
    from ttb_cola.runs.failures import exit_status
    from ttb_cola.runs.inputs import run_date
    from ttb_cola.runs.preflight import BlockedAtStart, RegistryOutage

    try:
        today = run_date(args.today)
    except InputError as exc:
        return exit_status(command, exc)
    reports: list[RunReport] = []
    left: list[Any] = []
    with graceful_interrupt() as interrupt:
        try:
            runner(args, command, today, reports, left, interrupt)
        except Stopped:
            pass
        except (InputError, LockHeld, BlockedAtStart, RegistryOutage, PipelineStepFailed, LoadPackageNotFound) as exc:
            return exit_status(command, exc, files=True, interrupt=(
                "interrupted: aborted at once; the next run loads what was committed and continues"))
    if interrupt.lost:
        print(f"ttb-cola {command}: lost the bucket lock ({interrupt.lost}): run stopped", file=sys.stderr)
        return EXIT_FAILED
    return _finish(command, reports, left, interrupt.requested)


def _settings(args: argparse.Namespace, command: str) -> tuple[str, str, int, float]:
    """The run's strategy, pages mode, chunk size and rate, from the flags or the configuration."""
    from ttb_cola.runs.limits import count, given, rate
    from ttb_cola.search.plan import check_pages, check_strategy, listing_strategy
    from ttb_cola.settings import configured

    pages = args.pages or configured("pages", "form")
    try:
        check_pages(pages)
        strategy = (listing_strategy(pages, args.strategy) or DEFAULT_STRATEGIES.get(command)
                    or configured("strategy", "probe"))
        check_strategy(strategy)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    chunk_days = count(*given(args.chunk_days, "--chunk-days", "chunk_days", 7))
    return strategy, pages, chunk_days, rate(*given(args.requests_per_second, "--requests-per-second",
                                                    "requests_per_second", 2.0))


def _budget(args: argparse.Namespace) -> Budget:
    from ttb_cola.runs.limits import count, given, positive

    minutes, minutes_name = given(args.max_minutes, "--max-minutes", "max_minutes")
    requests, requests_name = given(args.max_requests, "--max-requests", "max_requests")
    return Budget(
        max_minutes=positive(minutes, minutes_name) if minutes is not None else None,
        max_requests=count(requests, requests_name) if requests is not None else None,
    )


def crawl_settings(args: argparse.Namespace, command: str) -> CrawlSettings:
    """The command's settings, checked (InputError) before anything is created or written."""
    from ttb_cola.runs.limits import check_crawl_settings, count, given
    from ttb_cola.settings import configured

    strategy, pages, chunk_days, rate = _settings(args, command)
    budget = _budget(args)
    max_workers = count(*given(args.max_workers, "--max-workers", "max_workers", 4))
    check_crawl_settings()
    base_url = args.base_url or configured("base_url")
    if not base_url:
        raise InputError("no base_url: set sources.ttb_cola.base_url in .dlt/config.toml")
    on_block = getattr(args, "on_block", None) or configured("on_block", "stop")
    if on_block not in ("stop", "wait"):
        raise InputError(f"on_block must be stop or wait, got {on_block!r}")
    images = getattr(args, "images", None) or configured("images", "none")
    if images not in ("none", "front", "all"):
        raise InputError(f"images must be none, front or all, got {images!r}")
    return CrawlSettings(strategy, pages, chunk_days, rate, budget, max_workers, base_url, on_block, images)


def start_crawl(args: argparse.Namespace, settings: CrawlSettings) -> None:
    """Check that the registry answers (before the lock is taken), then turn the progress lines on."""
    from ttb_cola.runs.preflight import check_reachable
    from ttb_cola.runs.progress_lines import configure_logging
    from ttb_cola.settings import configured

    check_reachable(settings.base_url, configured("ca_bundle") or None, user_agent=configured("user_agent") or None)
    configure_logging(args.quiet)


def _finish(command: str, reports: list[RunReport], left: list[Any], interrupted: bool = False) -> int:
    from ttb_cola.runs.report import summary

    for report in reports:
        print(summary(report))
    blocked = [r for r in reports if r.blocked]
    if blocked:
        outcomes: list[Stateful] = [o for o in blocked[0].searches if o.blocked]
        outcomes += [o for o in blocked[0].outcomes if o.blocked]
        why = blocked[0].block or (outcomes[0].state.get("last_error") if outcomes else None) or "blocked"
        print(f"ttb-cola {command}: the registry is blocking us or not answering: run stopped ({why}); "
              "lower requests_per_second and retry later, or run unattended with --on-block wait",
              file=sys.stderr)
        return EXIT_BLOCKED
    if interrupted:
        print(f"ttb-cola {command}: interrupted: what was confirmed is committed; run again to continue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    failed = [o for report in reports for o in report.failed]
    if failed:
        keys = ", ".join(o.key for o in failed[:10])
        print(f"ttb-cola {command}: {len(failed)} partition(s) failed ({keys}); the next run retries them",
              file=sys.stderr)
        return EXIT_FAILED
    if left:
        print(f"ttb-cola {command}: budget reached (max_minutes / max_requests): everything loaded so far is "
              f"committed; {len(left)} chunk(s) left, from {left[0]}: rerun the same command to resume",
              file=sys.stderr)
        return EXIT_BUDGET
    return _parked(command, reports)


def _parked(command: str, reports: list[RunReport]) -> int:
    """EXIT_PARKED, naming a few, when the run parked COLAs (or retried parked ones in vain), else 0."""
    still = set(reports[-1].still_parked) if reports else set()
    parked = {p.ttb_id: p for report in reports for p in report.parked if p.ttb_id in still}
    if not parked:
        return EXIT_OK
    named = ", ".join(f"{p.ttb_id} ({p.page})" for p in list(parked.values())[:5])
    print(f"ttb-cola {command}: finished, {len(parked)} COLA(s) parked ({named}): the rest is loaded; every "
          "run retries them (`ttb-cola status` lists them, table crawl_parked)", file=sys.stderr)
    return EXIT_PARKED
