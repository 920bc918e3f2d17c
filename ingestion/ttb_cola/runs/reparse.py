"""``ttb-cola reparse``: the record tables rebuilt from the raw page archive, without HTTP; the crawl's state
is untouched.

A local archive's parse workers start first (:func:`~ttb_cola.archive_batches.parsed_archive`), as soon as the
archive and the number of workers are known and checked; the pipeline is set up while they parse, so the
modules that set-up needs are imported only then.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ttb_cola.archive import DEFAULT_ARCHIVE_DIR, RawArchive
from ttb_cola.archive_batches import ARCHIVE_BATCH, parsed_archive, worker_count
from ttb_cola.errors import InputError
from ttb_cola.runs.limits import given, whole_or_zero

if TYPE_CHECKING:
    from dlt.common.pipeline import LoadInfo


def run_reparse(destination: str, archive_url: str | None = None, pipelines_dir: str | None = None) -> LoadInfo:
    """Rebuild the page tables, ``cola_label_images`` and the status log's rows from the raw archive (no HTTP).

    Raises:
        InputError: no archive at the URL, or a bad ``parse_workers`` (before anything is written).
    """
    from ttb_cola.destinations.warehouse import check_destination, pipeline_and_lake
    from ttb_cola.settings import configured

    check_destination(destination)
    url = archive_url or configured("archive_url", DEFAULT_ARCHIVE_DIR)
    options: dict[str, Any] = {}
    pipeline: Any = None
    lake = None
    if destination == "filesystem":  # the archive is in the lake's bucket, read with its credentials
        pipeline, lake = pipeline_and_lake(destination, pipelines_dir)
        assert lake is not None
        url, options = lake.archive(archive_url or configured("archive_url"))
    if "://" not in url and not Path(url).is_dir():
        raise InputError(f"no raw archive at {url} (set archive_raw_html = true to keep pages)")
    workers = worker_count(whole_or_zero(*given(None, "", "parse_workers", 0)))
    base_url = configured("base_url")
    if base_url is None:
        from ttb_cola.registry.client import DEFAULT_BASE_URL

        base_url = DEFAULT_BASE_URL
    with parsed_archive(RawArchive.at(url, **options), base_url, ARCHIVE_BATCH, workers) as batches:
        return _load(destination, pipelines_dir, pipeline, lake, base_url, batches)


def _load(
    destination: str, pipelines_dir: str | None, pipeline: Any, lake: Any, base_url: str, batches: Any
) -> LoadInfo:
    """The archive's ``batches`` loaded by ``pipeline`` (a new one when None) with the reparse's source."""
    from ttb_cola.archive_source import ttb_cola_archive
    from ttb_cola.arrow_batches import arrow_loads
    from ttb_cola.destinations.lake_tables import as_lake_tables, create_lake_tables
    from ttb_cola.destinations.load_steps import extract_and_normalize, one_connection
    from ttb_cola.destinations.materialized import skip_materialized
    from ttb_cola.destinations.schema_upgrade import add_declared_columns
    from ttb_cola.destinations.warehouse import make_pipeline
    from ttb_cola.runs.recovery import finish_pending
    from ttb_cola.tables import MATERIALIZED_TABLES

    if pipeline is None:  # one DuckDB thread: a load of batches this size gains no time from a second one,
        pipeline = make_pipeline(destination, pipelines_dir, threads=1)  # which costs CPU the parse needs
    finish_pending(pipeline)
    source = ttb_cola_archive(base_url=base_url, batches=batches)
    if lake is not None:
        as_lake_tables(source)
    added = add_declared_columns(pipeline, source)
    if lake is None:
        skip_materialized(pipeline, source, MATERIALIZED_TABLES, added)
    with arrow_loads():  # the archive's rows come in Arrow batches
        extract_and_normalize(pipeline, source)
    with one_connection(pipeline, lake):  # the file is checkpointed once, when the load is done
        info = pipeline.load()
        if lake is not None:
            create_lake_tables(lake, pipeline, source)
    return info


__all__ = ["run_reparse"]
