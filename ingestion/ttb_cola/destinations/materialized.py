"""Empty tables are created once: a run on a warehouse that holds them skips the event that creates them.

The crawl and the reparse send one event before their rows (``MATERIALIZE``) that makes dlt create
their tables, rows or not, so readers and dbt find every table from the first run on. dlt loads that
event as one empty load job per table on every run, each with its merge, its destination client and
its DuckDB connection: about half the load jobs of a chunk. Once the stored schema holds every such
table, they exist in the destination (pending packages are loaded or moved aside before a run), and the
event is dropped. It is kept while a table is missing, and when a declared column was just added to the
stored schema (:mod:`ttb_cola.destinations.schema_upgrade`): dlt alters only the tables a load has a job
for, so the empty jobs bring that column to every table.
"""

from __future__ import annotations

from collections.abc import Iterable

from dlt import Pipeline
from dlt.sources import DltSource

from ttb_cola.records import MATERIALIZE

#: The resources that send the event (the crawl's and the reparse's parent; never loaded themselves).
PARENTS = ("partitions", "archive")


def skip_materialized(pipeline: Pipeline, source: DltSource, tables: Iterable[str], added: list[str]) -> bool:
    """Drop ``source``'s table-creating event when the stored schema holds all of ``tables`` and no column
    was ``added`` to it for this run; whether it was dropped."""
    if added or source.schema.name not in pipeline.schema_names:
        return False
    stored = pipeline.schemas[source.schema.name].tables
    if any(table not in stored for table in tables):
        return False
    for name in PARENTS:
        if name in source.resources:
            source.resources[name].add_filter(lambda event: getattr(event, "table", None) != MATERIALIZE)
    return True


__all__ = ["PARENTS", "skip_materialized"]
