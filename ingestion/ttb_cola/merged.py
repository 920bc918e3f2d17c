"""The merged tables' resources: one row per key per load, on both destinations.

A load must never carry two rows for one key of a merged table. dlt's DuckDB merge (delete-insert)
deduplicates a load by primary key and keeps the row that sorts first by the ``dedup_sort`` column
(each table's fetch time, latest first); the lake's Delta upsert does not deduplicate at all: two
rows for one key fail the MERGE when the key is already stored ("matched a target row with multiple
source rows", and the load package then fails every later run) and are both inserted when it is not.
So each merged table's resource also drops, before yield, a row whose key it already yielded in
this load (the first one wins, a warning names the key): the same rows reach either destination.
The crawl fetches each COLA's pages once per run (:class:`ttb_cola.scheduler.pool.Scheduler`), so its
rows never meet this guard; it stands for any source that would repeat a key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dlt
from dlt.common.schema.typing import MERGE_DISPOSITION_HINTS
from dlt.sources import DltResource

from ttb_cola.records import SCHEMA_CONTRACT

logger = logging.getLogger("ttb_cola.merged")
#: The table hint of a merge whose loaded rows hold each key once (dlt's ``deduplicated`` merge option).
_DEDUPLICATED = MERGE_DISPOSITION_HINTS["deduplicated"]


class OncePerLoad:
    """A row filter that passes the first row of each key and drops (with a warning) the later ones."""

    def __init__(self, table: str, key: tuple[str, ...]) -> None:
        self.table = table
        self.key = key
        self.seen: set[tuple[Any, ...]] = set()

    def __call__(self, row: Any) -> bool:
        """Whether ``row`` is the first of its key in this load (anything but a row passes)."""
        if not isinstance(row, dict):
            return True
        key = tuple(row.get(name) for name in self.key)
        if key in self.seen:
            logger.warning("%s: a second row for %s in one load, dropped (the first is kept)",
                           self.table, "/".join(map(str, key)))
            return False
        self.seen.add(key)
        return True


def merged_table(
    parent: DltResource,
    rows: Callable[[Any], Any],
    name: str,
    primary_key: str | tuple[str, ...],
    columns: dict[str, Any],
    sort: str | None,
    merge_key: str | None = None,
    strategy: str | None = None,
    once: bool = True,
) -> DltResource:
    """A transformer of ``parent`` merged on ``primary_key`` into ``name``.

    ``sort``: the column whose highest value wins among a load's rows of one key on DuckDB (dlt's
    ``dedup_sort``; None where no column tells the latest). ``once``: drop repeated keys before
    yield (:class:`OncePerLoad`); off only for a source whose keys are unique by construction and
    whose loads are too large to remember every key (the archive reparse): its rows are then declared
    deduplicated to dlt, whose DuckDB merge then skips numbering each key's rows (most of what the merge
    costs). The table keeps the last run's declaration, so every run declares it, deduplicated or not.
    """
    if sort is not None:
        # rows declared deduplicated have no order to keep: a sort there would only make dlt warn that it ignores it
        columns = {**columns, sort: {**columns[sort], "dedup_sort": "desc" if once else None}}
    disposition: Any = {"disposition": "merge", "strategy": strategy} if strategy else "merge"
    keys: dict[str, Any] = {"merge_key": merge_key} if merge_key else {}
    resource = dlt.transformer(
        rows, data_from=parent, name=name, write_disposition=disposition, primary_key=primary_key,
        columns=columns, schema_contract=SCHEMA_CONTRACT, **keys,
    )
    resource.apply_hints(additional_table_hints={_DEDUPLICATED: not once})
    if once:
        resource.add_filter(OncePerLoad(name, (primary_key,) if isinstance(primary_key, str) else primary_key))
    return resource


__all__ = ["OncePerLoad", "merged_table"]
