"""Build and run the ttb_cola dlt pipeline: destination choice, input checks, run summary."""

from __future__ import annotations

import os
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dlt
import fsspec
import requests
from dlt.common.pipeline import LoadInfo

from ttb_cola import RunReport, ttb_cola, ttb_cola_archive
from ttb_cola.client import redact_url
from ttb_cola.destination import warehouse_duckdb
from ttb_cola.ids import InvalidTtbId, check_method
from ttb_cola.lake import LAKE_PIPELINE_NAME, Lake, LakeError, append_only, checked_lake
from ttb_cola.lock import bucket_lock, file_lock
from ttb_cola.settings import (
    DEFAULT_ARCHIVE_DIR,
    DEFAULT_BASE_URL,
    DEFAULT_DATASET,
    DEFAULT_DUCKDB_PATH,
    PIPELINE_NAME,
)
from ttb_cola.tls import resolve_ca_bundle

DESTINATIONS = ("duckdb", "filesystem")
#: The lock object of a lake, beside the dataset folder: one run at a time per bucket_url.
LOCK_NAME = "ttb_cola.lock"
# Parquet load files for both destinations: DuckDB reads them natively (insert-values SQL costs far
# more memory on large loads), and they are what the filesystem destination writes to the lake.
FILE_FORMAT = "parquet"


class InputError(ValueError):
    """Bad input from the user: reported as one line, nothing written."""


@dataclass(frozen=True)
class IngestRequest:
    """A validated ingest: receipt dates, methods, destination."""

    start: date
    end: date
    methods: list[str]
    destination: str


def parse_day(value: str, name: str) -> date:
    """An ISO date from the command line, or an InputError naming the argument."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} {value!r} is not a valid YYYY-MM-DD date") from None


def validate(
    start: str,
    end: str | None,
    methods: str | list[str] | None,
    destination: str,
    today: date,
) -> IngestRequest:
    """Check an ingest request before anything is created or written."""
    first = parse_day(start, "START" if end else "DATE")
    last = parse_day(end, "END") if end else first
    if first > last:
        raise InputError(f"START {first} is after END {last}")
    if last > today:
        raise InputError(f"receipt date {last} is in the future (today is {today})")
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    chosen = list(methods or configured("receipt_methods", ["001", "002", "003", "000"]))
    try:
        chosen = [check_method(m) for m in chosen]
    except InvalidTtbId as exc:
        raise InputError(str(exc)) from None
    if destination not in DESTINATIONS:
        raise InputError(f"unknown destination {destination!r}: expected one of {', '.join(DESTINATIONS)}")
    return IngestRequest(first, last, chosen, destination)


def configured(key: str, default: Any = None) -> Any:
    """A ``[sources.ttb_cola]`` setting as dlt resolves it (config.toml, env vars)."""
    value = dlt.config.get(f"sources.ttb_cola.{key}")
    return default if value in (None, "") else value


def check_reachable(base_url: str, timeout: float = 15.0) -> None:
    """One request to the registry's search page, so a wrong or unreachable base URL fails early."""
    url = base_url.rstrip("/") + "/publicSearchColasBasic.do"
    bundle = resolve_ca_bundle(configured("ca_bundle") or None)
    transient = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                 requests.exceptions.ChunkedEncodingError)
    for attempt in range(1, 4):  # a reset or cut page is a blip, not a wrong URL: try 3 times
        try:
            response = requests.get(url, timeout=timeout, verify=bundle, allow_redirects=True)
            break
        except requests.exceptions.SSLError as exc:
            raise InputError(f"TLS verification failed for {base_url}: {exc}") from None
        except requests.RequestException as exc:
            if attempt == 3 or not isinstance(exc, transient):
                raise InputError(f"registry at {redact_url(base_url)} is unreachable: {type(exc).__name__}") from None
            time.sleep(0.5 * attempt)
    if response.status_code == 404:
        raise InputError(f"{base_url} does not look like the COLA registry (HTTP 404 for {url})")


def duckdb_path() -> Path:
    """The DuckDB file of the default destination (``destination.duckdb.credentials``)."""
    configured_path = dlt.config.get("destination.duckdb.credentials")
    return Path(configured_path if isinstance(configured_path, str) else DEFAULT_DUCKDB_PATH)


def warehouse_file() -> Path:
    """The DuckDB file of the default destination, its directory created and checked writable."""
    path = duckdb_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the data directory {path.parent}: {exc.strerror}") from None
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"the data directory {path.parent} is not writable")
    return path


def make_pipeline(destination: str = "duckdb", pipelines_dir: str | None = None) -> dlt.Pipeline:
    """The ttb_cola pipeline on the DuckDB file or the filesystem destination (``bucket_url``)."""
    return _pipeline_and_lake(destination, pipelines_dir)[0]


def _pipeline_and_lake(destination: str, pipelines_dir: str | None) -> tuple[dlt.Pipeline, Lake | None]:
    """The pipeline, and for the filesystem destination the lake, checked to answer before anything is created."""
    lake = None
    if destination == "duckdb":
        target: Any = warehouse_duckdb(credentials=str(warehouse_file().resolve()))
    else:
        try:
            lake = checked_lake()
        except LakeError as exc:
            raise InputError(str(exc)) from None
        target = lake.destination()
    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME if lake is None else LAKE_PIPELINE_NAME,
        destination=target,
        dataset_name=DEFAULT_DATASET,
        pipelines_dir=pipelines_dir,
    )
    return pipeline, lake


def run_ingest(
    request: IngestRequest,
    *,
    today: date,
    full_refresh: bool = False,
    pipelines_dir: str | None = None,
    report: RunReport | None = None,
    **overrides: Any,
) -> tuple[LoadInfo, RunReport]:
    """Crawl the requested partitions and load them; returns dlt's load info and the run report."""
    report = report or RunReport()
    pipeline, lake = _pipeline_and_lake(request.destination, pipelines_dir)
    if lake is not None:  # the raw archive goes to the lake's bucket, with its credentials
        url, options = lake.archive(overrides.get("archive_url") or configured("archive_url"))
        overrides = {**overrides, "archive_url": url, "archive_options": options}
    source = _source(request, today, full_refresh, report, overrides)
    if lake is not None:
        append_only(source)
    info = pipeline.run(source, loader_file_format=FILE_FORMAT)
    return info, report


def _source(
    request: IngestRequest, today: date, full_refresh: bool, report: RunReport, overrides: dict[str, Any]
) -> Any:
    return ttb_cola(
        start_date=request.start.isoformat(),
        end_date=request.end.isoformat(),
        receipt_methods=request.methods,
        full_refresh=full_refresh,
        today=today.isoformat(),
        report=report,
        **{k: v for k, v in overrides.items() if v is not None},
    )


def run_reparse(destination: str, archive_url: str | None = None, pipelines_dir: str | None = None) -> LoadInfo:
    """Rebuild ``colas`` and ``cola_label_images`` from the raw archive (no HTTP); state is untouched."""
    if destination not in DESTINATIONS:
        raise InputError(f"unknown destination {destination!r}: expected one of {', '.join(DESTINATIONS)}")
    url = archive_url or configured("archive_url", DEFAULT_ARCHIVE_DIR)
    options: dict[str, Any] = {}
    if destination == "filesystem":
        pipeline, lake = _pipeline_and_lake(destination, pipelines_dir)
        assert lake is not None
        url, options = lake.archive(archive_url or configured("archive_url"))
    if "://" not in url and not Path(url).is_dir():
        raise InputError(f"no raw archive at {url} (set archive_raw_html = true to keep pages)")
    if destination == "duckdb":
        pipeline = make_pipeline(destination, pipelines_dir)
    source = ttb_cola_archive(
        archive_url=url, base_url=configured("base_url", DEFAULT_BASE_URL), archive_options=options
    )
    if destination == "filesystem":
        append_only(source)
    return pipeline.run(source, loader_file_format=FILE_FORMAT)


def destination_lock(destination: str, command: str) -> AbstractContextManager[None]:
    """The lock that keeps runs against one destination one at a time."""
    if destination == "duckdb":
        path = warehouse_file()  # an uncreatable or unwritable data directory is bad input, not a crash
        return file_lock(path.with_name(path.name + ".lock"), command)
    try:
        lake = checked_lake()
    except LakeError as exc:
        raise InputError(str(exc)) from None
    if lake.protocol == "file":
        return file_lock(Path(urlparse(lake.bucket_url).path) / LOCK_NAME, command)
    fs, root = fsspec.core.url_to_fs(lake.bucket_url, **lake.storage_options())
    return bucket_lock(fs, f"{root.rstrip('/')}/{LOCK_NAME}", command)


def partition_states(destination: str, pipelines_dir: str | None = None) -> dict[str, dict[str, Any]]:
    """Every partition's crawl state, restored from the destination when the local copy is missing."""
    if destination not in DESTINATIONS:
        raise InputError(f"unknown destination {destination!r}: expected one of {', '.join(DESTINATIONS)}")
    if destination == "duckdb" and not duckdb_path().exists():
        return {}
    pipeline = make_pipeline(destination, pipelines_dir)
    pipeline.sync_destination()
    resources = pipeline.state.get("sources", {}).get("ttb_cola", {}).get("resources", {})
    return dict(resources.get("partitions", {}).get("partitions", {}))


def summary(report: RunReport) -> str:
    """A table of the partitions probed in a run and a closing line."""
    lines = [
        f"{'partition':<16} {'status':<8} {'probed':>7} {'found':>6} {'misses':>7} {'retried':>7} "
        f"{'highest':>7} {'holes':>6}"
    ]
    for o in sorted(report.outcomes, key=lambda o: o.key):
        lines.append(
            f"{o.key:<16} {o.state['status']:<8} {o.probed:>7} {o.found:>6} {o.not_found:>7} "
            f"{o.retried:>7} {o.state['highest']:>7} {len(o.state['holes']):>6}"
        )
    if report.searches:
        lines.append(
            f"{'completed date':<16} {'status':<8} {'listed':>7} {'total':>6} {'fetched':>7} {'new':>6} "
            f"{'moved':>6} {'requests':>8}"
        )
    for s in sorted(report.searches, key=lambda s: s.completed_date):
        fetched = sum(len(seqs) for seqs in s.fetched.values())
        total = "-" if s.state["reported_total"] is None else s.state["reported_total"]
        lines.append(
            f"{s.completed_date:<16} {s.state['status']:<8} {s.state['listed']:>7} {total:>6} {fetched:>7} "
            f"{s.plan.new:>6} {s.plan.moved:>6} {s.requests:>8}"
        )
    found = sum(o.found for o in report.outcomes) + sum(
        len(seqs) for s in report.searches for seqs in s.fetched.values()
    )
    searched = f"{len(report.searches)} completed dates searched, " if report.searches else ""
    covered = f"{report.covered} covered by search, " if report.covered else ""
    lines.append(
        f"run {report.run_id}: {searched}{len(report.outcomes)} partitions probed, {covered}"
        f"{report.skipped} skipped, {found} records loaded, {len(report.failed)} failed"
    )
    return "\n".join(lines)


__all__ = [
    "DEFAULT_BASE_URL",
    "IngestRequest",
    "InputError",
    "make_pipeline",
    "run_ingest",
    "run_reparse",
    "summary",
    "validate",
]
