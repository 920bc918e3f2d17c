"""The pipeline of a destination name (``duckdb`` or ``filesystem``), and its one-run-at-a-time lock."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

import dlt
import fsspec

from ttb_cola.destinations.duckdb import duckdb_destination, warehouse_file
from ttb_cola.destinations.lake import LAKE_PIPELINE_NAME, Lake, checked_lake
from ttb_cola.destinations.lock import bucket_lock, file_lock
from ttb_cola.destinations.working_folder import aligned_pipeline, destination_folder
from ttb_cola.errors import InputError

DESTINATIONS = ("duckdb", "filesystem")
PIPELINE_NAME = "ttb_cola"
#: The dataset (DuckDB schema, lake folder) of the raw tables.
DEFAULT_DATASET = "ttb_cola"
#: The lock object of a lake, beside the dataset folder: one run at a time per bucket_url.
LOCK_NAME = "ttb_cola.lock"
# Parquet load files for both destinations: DuckDB reads them natively (insert-values SQL costs far
# more memory on large loads), and they are what the filesystem destination writes to the lake.
FILE_FORMAT: Final = "parquet"


def check_destination(destination: str) -> str:
    """``destination`` when it is one we load to, else an InputError naming the choices."""
    if destination not in DESTINATIONS:
        raise InputError(f"unknown destination {destination!r}: expected one of {', '.join(DESTINATIONS)}")
    return destination


def make_pipeline(
    destination: str = "duckdb", pipelines_dir: str | None = None, *, align: bool = True, threads: int | None = None
) -> dlt.Pipeline:
    """The ttb_cola pipeline on the DuckDB file (its connections on ``threads`` threads when given) or the
    filesystem destination (``bucket_url``)."""
    return pipeline_and_lake(destination, pipelines_dir, align=align, threads=threads)[0]


def pipeline_and_lake(
    destination: str, pipelines_dir: str | None, *, align: bool = True, threads: int | None = None
) -> tuple[dlt.Pipeline, Lake | None]:
    """The pipeline, and for the filesystem destination the lake, checked to answer before anything is created.

    Its working folder is ``pipelines_dir`` when given, else the destination's own (see
    :mod:`ttb_cola.destinations.working_folder`). With ``align`` (every command that runs the pipeline)
    its local state is made the destination's first; without it (readers such as ``status``) nothing
    local is changed. ``threads``: the DuckDB connections' threads (DuckDB's default, one per CPU, when None).
    """
    lake = None
    if check_destination(destination) == "duckdb":
        target, path = duckdb_destination(threads)
        folder = destination_folder("duckdb", str(path), path.name)
    else:
        lake = checked_lake()
        target = lake.destination()
        endpoint = getattr(lake.config.credentials, "endpoint_url", None) or ""
        label = urlparse(lake.bucket_url).netloc or Path(urlparse(lake.bucket_url).path).name
        folder = destination_folder(lake.protocol, f"{lake.bucket_url}|{endpoint}|{DEFAULT_DATASET}", label)

    def open_pipeline() -> dlt.Pipeline:
        return dlt.pipeline(
            pipeline_name=PIPELINE_NAME if lake is None else LAKE_PIPELINE_NAME,
            destination=target,
            dataset_name=DEFAULT_DATASET,
            pipelines_dir=pipelines_dir or folder,
        )

    return (aligned_pipeline(open_pipeline) if align else open_pipeline()), lake


def destination_lock(
    destination: str, command: str, on_lost: Callable[[str], None] | None = None
) -> AbstractContextManager[Any]:
    """The lock that keeps runs against one destination one at a time (``on_lost``: a bucket lease
    was lost while the run held it)."""
    if destination == "duckdb":
        path = warehouse_file()  # an uncreatable or unwritable data directory is bad input, not a crash
        return file_lock(path.with_name(path.name + ".lock"), command)
    lake = checked_lake()
    if lake.protocol == "file":
        return file_lock(Path(urlparse(lake.bucket_url).path) / LOCK_NAME, command)
    fs, root = fsspec.core.url_to_fs(lake.bucket_url, **lake.storage_options())
    return bucket_lock(fs, f"{root.rstrip('/')}/{LOCK_NAME}", command, on_lost=on_lost)
