"""Run the ttb_cola dlt pipeline: a crawl loaded into a destination, and the state it keeps (a reparse:
:mod:`ttb_cola.runs.reparse`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

from ttb_cola.budget import Budget
from ttb_cola.destinations.duckdb import duckdb_path
from ttb_cola.destinations.lake import Lake
from ttb_cola.destinations.lake_tables import as_lake_tables, create_lake_tables
from ttb_cola.destinations.load_steps import extract_and_normalize, one_connection
from ttb_cola.destinations.materialized import skip_materialized
from ttb_cola.destinations.schema_upgrade import add_declared_columns
from ttb_cola.destinations.state_prune import prune_state_copies
from ttb_cola.destinations.warehouse import check_destination, make_pipeline, pipeline_and_lake
from ttb_cola.destinations.working_folder import destination_state
from ttb_cola.images.settings import crawl_image_settings
from ttb_cola.progress import progress_log
from ttb_cola.runs.inputs import IngestRequest
from ttb_cola.runs.quarantine import MovedAside, moved_aside
from ttb_cola.runs.recovery import finish_pending
from ttb_cola.runs.schedule import Chunk
from ttb_cola.scheduler.report import RunReport
from ttb_cola.settings import configured
from ttb_cola.source import MATERIALIZED_TABLES, ttb_cola
from ttb_cola.state_compaction import crawl_view

#: The pipeline (and lake) of each destination and working folder a command's chunks load into, inside
#: :func:`one_pipeline` (None outside: every chunk opens its own).
_opened: dict[tuple[str, str | None], tuple[dlt.Pipeline, Lake | None]] | None = None


@contextmanager
def one_pipeline() -> Iterator[None]:
    """Within the block (one command's run) its chunks share one pipeline: the first chunk opens it and
    makes its local state the destination's (:func:`~ttb_cola.destinations.working_folder.aligned_pipeline`),
    each later one continues from the state the chunk before it loaded, without opening and reading the
    destination's state again. A chunk that raises drops it: the next opens and aligns a new one."""
    global _opened
    if _opened is not None:
        yield
        return
    _opened = {}
    try:
        yield
    finally:
        _opened = None


def crawl_pipeline(destination: str, pipelines_dir: str | None) -> tuple[dlt.Pipeline, Lake | None]:
    """The aligned pipeline and lake a crawl chunk loads with: the run's one (:func:`one_pipeline`)."""
    if _opened is None:
        return pipeline_and_lake(destination, pipelines_dir)
    key = (destination, pipelines_dir)
    if key not in _opened:
        _opened[key] = pipeline_and_lake(destination, pipelines_dir)
    return _opened[key]


def _drop_pipeline(destination: str, pipelines_dir: str | None) -> None:
    if _opened is not None:
        _opened.pop((destination, pipelines_dir), None)


def run_ingest(
    request: IngestRequest,
    *,
    today: date,
    chunk: Chunk | None = None,
    reprobe: bool = False,
    pipelines_dir: str | None = None,
    report: RunReport | None = None,
    budget: Budget | None = None,
    fill: list[str] | None = None,
    **overrides: Any,
) -> tuple[LoadInfo, RunReport]:
    """Run one chunk (by default: the request's receipt dates; with ``fill``: the pages of those listed
    COLAs, and no dates) and load it; dlt's load info and the report."""
    chunk = chunk or Chunk("receipts", request.start, request.end)
    report = report or RunReport()
    try:
        return _run_chunk(request, today, chunk, reprobe, pipelines_dir, report, budget, fill, overrides)
    except BaseException:
        _drop_pipeline(request.destination, pipelines_dir)
        raise


def _run_chunk(
    request: IngestRequest, today: date, chunk: Chunk, reprobe: bool, pipelines_dir: str | None,
    report: RunReport, budget: Budget | None, fill: list[str] | None, overrides: dict[str, Any],
) -> tuple[LoadInfo, RunReport]:
    pipeline, lake = crawl_pipeline(request.destination, pipelines_dir)
    finish_pending(pipeline)  # what a killed run committed is loaded first, so this chunk is crawled
    if lake is not None:  # the raw archive goes to the lake's bucket, with its credentials
        url, options = lake.archive(overrides.get("archive_url") or configured("archive_url"))
        overrides = {**overrides, "archive_url": url, "archive_options": options}
    images = crawl_image_settings(overrides.pop("images", None) or configured("images", "none"),
                                  configured("images_url"), request.destination, pipeline.dataset_name, lake)
    dates = ("search_start", "search_end") if chunk.kind == "search" else ("start_date", "end_date")
    window: dict[str, Any] = (
        {dates[0]: chunk.first.isoformat(), dates[1]: chunk.last.isoformat()} if fill is None else {"fill": fill}
    )
    if fill is None and chunk.kind == "receipts" and overrides.get("strategy") not in (None, "probe"):
        held = _pages_held_from(request.destination, pipeline.dataset_name, lake, overrides.get("pages"))
        if held is not None:
            window["pages_held_from"] = held.isoformat()
    try:
        source = ttb_cola(
            **window,
            receipt_methods=request.methods,
            reprobe=reprobe,
            today=today.isoformat(),
            report=report,
            budget=budget,
            **images,
            **{k: v for k, v in overrides.items() if v is not None},
        )
        if lake is not None:
            as_lake_tables(source)
        added = add_declared_columns(pipeline, source)
        if lake is None:  # the lake's tables never take the event (see as_lake_tables)
            skip_materialized(pipeline, source, MATERIALIZED_TABLES, added)
        extract_and_normalize(pipeline, source)
        with one_connection(pipeline, lake):
            info = pipeline.load()
            if lake is not None:
                create_lake_tables(lake, pipeline, source)
            _prune(pipeline, lake)
    finally:
        if images.get("known_images") is not None:
            images["known_images"].close()
    return info, report


def _pages_held_from(destination: str, dataset: str, lake: Any, pages: str | None) -> date | None:
    """The first completed date from which no listed COLA owes pages, from the destination's tables
    (receipt dates whose COLAs are listed are covered only as their pages come in); None when
    listing only."""
    from ttb_cola.fill.backlog import backlog_tables, pages_held_from

    pages = pages or configured("pages", "form")
    if pages == "none":
        return None
    with backlog_tables(destination, dataset, lake) as con:
        return pages_held_from(con, pages)


def _prune(pipeline: Any, lake: Any) -> None:
    """Prune the destination's old state copies (:mod:`ttb_cola.destinations.state_prune`); a failure is
    only logged: nothing is lost, the next load prunes again."""
    try:
        pruned = prune_state_copies(pipeline, lake)
    except Exception as exc:  # noqa: BLE001 - pruning is housekeeping: it must never fail a loaded chunk
        progress_log.warning(f"old state copies not pruned ({type(exc).__name__}: {exc}); the next load prunes them")
        return
    if pruned:
        progress_log.debug("pruned %d old state copies from the destination", pruned)


def crawl_state(destination: str, pipelines_dir: str | None = None) -> dict[str, Any]:
    """The crawl's resource state (``partitions``, ``searches``, ``parked``) as the destination holds it,
    unpacked ({} before the first run); the local working folder is neither read nor changed."""
    check_destination(destination)
    if destination == "duckdb" and not duckdb_path().exists():
        return {}
    pipeline = make_pipeline(destination, pipelines_dir, align=False)
    if destination == "filesystem":  # the lake may hold files of loads that never finished
        from ttb_cola.destinations.lake_state import completed_crawl_state

        return completed_crawl_state(pipeline)
    state = destination_state(pipeline) or {}
    resources = state.get("sources", {}).get("ttb_cola", {}).get("resources", {})
    return crawl_view(resources.get("partitions", {}))


def moved_aside_packages(destination: str, pipelines_dir: str | None = None) -> list[MovedAside]:
    """The load packages moved aside because they could never load (:mod:`ttb_cola.runs.quarantine`)."""
    check_destination(destination)
    if destination == "duckdb" and not duckdb_path().exists():
        return []
    return moved_aside(make_pipeline(destination, pipelines_dir).working_dir)
