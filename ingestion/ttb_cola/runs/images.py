"""``ttb-cola images``: fetch, verify and store the label images of COLAs already loaded.

Validates the request, takes the destination's lock, reads what to visit from the crawl's dataset
(:mod:`ttb_cola.images.select`), visits the COLAs (:mod:`ttb_cola.images.crawl`) and loads
``cola_images`` / ``cola_barcodes`` into the same pipeline and dataset as the crawl. Exit status as
the crawl's: 0, 1 when a COLA failed, 2 for bad input, 3 when the registry blocked the run.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from typing import Any

from ttb_cola.errors import InputError
from ttb_cola.images.crawl import ImagesReport, crawl_images
from ttb_cola.images.fetch import WHICH
from ttb_cola.images.select import PAGE_TABLES, Selection, plan
from ttb_cola.images.store import ImageStore, default_images_url
from ttb_cola.runs.exit_codes import EXIT_BLOCKED, EXIT_FAILED, EXIT_OK


def selection_of(args: argparse.Namespace, today: date) -> Selection:
    """The validated selection of a command line."""
    from ttb_cola.runs.inputs import receipt_day
    from ttb_cola.settings import configured

    if not (args.date or args.start):
        raise InputError("give --date YYYY-MM-DD or --start ... [--end ...] (receipt dates)")
    if args.date and (args.start or args.end):
        raise InputError("give either --date or --start/--end, not both")
    first = receipt_day(args.date or args.start, "DATE" if args.date else "START")
    last = receipt_day(args.end, "END") if args.end else first
    if first > last:
        raise InputError(f"START {first} is after END {last}")
    which = args.which or configured("images", "none")
    if which == "none":
        which = "front"  # the command fetches images whatever the crawl's setting
    if which not in WHICH:
        raise InputError(f"images must be one of {', '.join(WHICH)}, got {which!r}")
    split = lambda text: tuple(p.strip() for p in (text or "").split(",") if p.strip())  # noqa: E731
    retry_days = args.retry_unavailable_after if args.retry_unavailable_after is not None else 7
    if retry_days < 0:
        raise InputError(f"--retry-unavailable-after must be >= 0 days, got {retry_days}")
    return Selection(first, min(last, today), split(args.product_type), split(args.class_type), which, retry_days)


@dataclass(frozen=True)
class Limits:
    """The visit's numbers, checked: COLAs visited at once, its request budget and rate (0: unlimited)."""

    max_workers: int
    max_requests: int | None
    requests_per_second: float


def limits_of(args: argparse.Namespace) -> Limits:
    """The validated numbers of a command line (flags, else settings)."""
    from ttb_cola.runs.limits import count, given, rate

    requests = args.max_requests
    return Limits(
        max_workers=count(*given(args.max_workers, "--max-workers", "max_workers", 4)),
        max_requests=count(requests, "--max-requests") if requests is not None else None,
        requests_per_second=rate(*given(args.requests_per_second, "--requests-per-second", "requests_per_second", 2)),
    )


def run_images(args: argparse.Namespace) -> int:
    """The ``images`` command: the exit status."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.destinations.lock import LockHeld
    from ttb_cola.runs.failures import exit_status
    from ttb_cola.runs.inputs import run_date
    from ttb_cola.runs.progress_lines import configure_logging

    report = ImagesReport()
    try:
        today = run_date(args.today)  # Washington's date, as the crawl's
        selection = selection_of(args, today)
        limits = limits_of(args)
        configure_logging(args.quiet)
        images_run(args, selection, limits, report)
    except (ValueError, LockHeld, PipelineStepFailed) as exc:  # InputError is a ValueError
        return exit_status("images", exc)
    print(report.summary())
    if report.blocked:
        print("ttb-cola images: the registry is blocking us (CAPTCHA after all retries): run stopped",
              file=sys.stderr)
        return EXIT_BLOCKED
    return EXIT_FAILED if report.failed else EXIT_OK


def images_run(args: argparse.Namespace, selection: Selection, limits: Limits, report: ImagesReport) -> Any:
    """Plan, visit and load under the destination's lock; dlt's load info."""
    from ttb_cola.destinations.lake_tables import as_lake_tables
    from ttb_cola.destinations.warehouse import FILE_FORMAT, destination_lock, pipeline_and_lake
    from ttb_cola.images.source import ttb_cola_images
    from ttb_cola.runs.recovery import finish_pending
    from ttb_cola.settings import configured

    base_url = args.base_url or configured("base_url")
    if not base_url:
        raise InputError("no base_url: set sources.ttb_cola.base_url in .dlt/config.toml")
    with destination_lock(args.destination, "ttb-cola images"):
        pipeline, lake = pipeline_and_lake(args.destination, args.pipelines_dir)
        finish_pending(pipeline)  # else run() would only load what is pending, and visit nothing
        url = args.images_url or configured("images_url") or default_images_url(lake.bucket_url if lake else None)
        store = ImageStore(url, lake.storage_options() if lake and "://" in url else None)
        work = _plan(pipeline, args.destination, lake, selection, store)
        client = _client(base_url, limits.requests_per_second)
        with client:
            source = ttb_cola_images(crawl_images(
                client, work, selection.which, store, report,
                max_workers=limits.max_workers, max_requests=limits.max_requests, read_barcodes=not args.no_barcodes,
            ))
            if lake is not None:
                as_lake_tables(source)
            return pipeline.run(source, loader_file_format=FILE_FORMAT)


def _client(base_url: str, rate: float) -> Any:
    from ttb_cola.registry.client import DEFAULT_REQUEST_TIMEOUT, RegistryClient
    from ttb_cola.registry.retry import RETRY_SETTINGS, RetryPolicy
    from ttb_cola.settings import configured

    retry_settings = {key: value for key in RETRY_SETTINGS if (value := configured(key)) is not None}
    policy = RetryPolicy.from_settings(**retry_settings)  # those not set keep its defaults
    return RegistryClient(base_url, requests_per_second=float(rate), retry_policy=policy,
                          request_timeout=float(configured("request_timeout", DEFAULT_REQUEST_TIMEOUT)),
                          user_agent=configured("user_agent"), ca_bundle=configured("ca_bundle") or None)


def _plan(pipeline: Any, destination: str, lake: Any, selection: Selection, store: ImageStore) -> list[Any]:
    """The COLAs to visit, read from the crawl's dataset (the DuckDB file, or the lake's Delta tables)."""
    from ttb_cola.destinations.dataset import open_dataset

    names = (*PAGE_TABLES, "cola_label_images", "cola_images")
    with open_dataset(destination, pipeline.dataset_name, lake, names) as (con, tables):
        return plan(lambda sql: con.execute(sql).fetchall(), tables, selection, store.exists)
