"""A chunk's source extracted, normalized and loaded as dlt's three steps, its load on one DuckDB connection.

``Pipeline.run`` reads the destination's state once more before it extracts (``sync_destination``). A
chunk's pipeline has just had its local state made the destination's
(:func:`~ttb_cola.destinations.working_folder.aligned_pipeline`) and its pending packages loaded
(:mod:`ttb_cola.runs.recovery`), so that read would find nothing to restore: the steps are called
directly, with what ``run`` passes them.

dlt's load step opens the DuckDB file for its start, for each job and for its end, and the prune after
it once more: each opening reads the catalog and each last close checkpoints the file. The warehouse's
credentials are one shared instance (:func:`~ttb_cola.destinations.duckdb.duckdb_destination`), so
while one client of the pipeline holds its connection open every other client is handed a cursor of
it: :func:`one_connection` holds one through the load and the prune. It is held only then, never
while the crawl runs, so readers can open the file between loads as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dlt

from ttb_cola.destinations.warehouse import FILE_FORMAT


def extract_and_normalize(pipeline: dlt.Pipeline, source: Any) -> None:
    """Extract ``source`` into a load package and normalize it, as ``Pipeline.run`` does, without its
    state read from the destination (see the module docstring)."""
    pipeline.extract(source, loader_file_format=FILE_FORMAT)
    pipeline.normalize()


@contextmanager
def one_connection(pipeline: dlt.Pipeline, lake: Any = None) -> Iterator[None]:
    """Within the block every DuckDB client of ``pipeline`` uses one open connection to the warehouse
    file (nothing is held for the lake, whose loads write files)."""
    if lake is not None:
        yield
        return
    with pipeline.sql_client():
        yield

