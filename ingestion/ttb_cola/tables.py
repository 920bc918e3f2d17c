"""The tables both sources feed (:mod:`ttb_cola.source`'s crawl and :mod:`ttb_cola.archive_source`'s reparse):
each a dlt transformer over the source's events (rows, batches of rows, and the ``MATERIALIZE`` event that
creates every table before its first row). Apart from the crawl's source so that a reparse does not import
the crawl (its scheduler, HTTP clients and image fetching).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
from dlt.sources import DltResource

from ttb_cola.images.source import image_table_resources
from ttb_cola.merged import merged_table
from ttb_cola.parked.book import PARKED_COLUMNS, PARKED_TABLE
from ttb_cola.records import (
    CRAWL_PARTITION_COLUMNS,
    CRAWL_SEARCH_COLUMNS,
    DETAILS_COLUMNS,
    DETAILS_TABLE,
    FORMS_COLUMNS,
    FORMS_TABLE,
    LABEL_IMAGE_COLUMNS,
    LABEL_IMAGES_TABLE,
    LISTINGS_COLUMNS,
    LISTINGS_TABLE,
    MATERIALIZE,
    SCHEMA_CONTRACT,
    RowOrBatch,
    TableBatch,
    rows_for,
)
from ttb_cola.status_log import STATUS_LOG_TABLE, status_log_resource

#: The tables the ``MATERIALIZE`` event creates, rows or not (the image tables come with their first row).
MATERIALIZED_TABLES = (
    DETAILS_TABLE, FORMS_TABLE, LISTINGS_TABLE, LABEL_IMAGES_TABLE, "crawl_partitions", "crawl_searches",
    PARKED_TABLE, STATUS_LOG_TABLE,
)


def table_resources(parent: DltResource, run_id: str, once: bool = True) -> tuple[DltResource, ...]:
    """The page tables, ``cola_label_images``, the crawl logs and ``cola_status_log`` (its rows tagged with
    ``run_id``), fed by ``parent``'s rows; ``once``: the merged tables drop a key repeated in one load
    (see :mod:`ttb_cola.merged`)."""
    return (
        _page_table(parent, DETAILS_TABLE, DETAILS_COLUMNS, once),
        _page_table(parent, FORMS_TABLE, FORMS_COLUMNS, once),
        merged_table(  # the latest listing wins (listed_at: when the search listed it)
            parent, _rows_of(LISTINGS_TABLE), LISTINGS_TABLE, "ttb_id", LISTINGS_COLUMNS, "listed_at", once=once,
        ),
        merged_table(  # no fetch time of its own: the form's rows come once per load
            parent, _rows_of(LABEL_IMAGES_TABLE), LABEL_IMAGES_TABLE, ("ttb_id", "position"),
            LABEL_IMAGE_COLUMNS, None, merge_key="ttb_id", strategy="delete-insert", once=once,
        ),
        _crawl_log(parent, "crawl_partitions", CRAWL_PARTITION_COLUMNS),
        _crawl_log(parent, "crawl_searches", CRAWL_SEARCH_COLUMNS),
        merged_table(  # the parked COLAs: one row per TTB ID, its latest attempt
            parent, _rows_of(PARKED_TABLE), PARKED_TABLE, "ttb_id", PARKED_COLUMNS, "last_seen", once=once,
        ),
        *image_table_resources(parent, once),
        status_log_resource(parent, run_id, MATERIALIZE),
    )


def _rows_of(table: str) -> Any:
    def rows(event: RowOrBatch) -> Iterator[Any]:
        if not isinstance(event, TableBatch) and event.table == MATERIALIZE:
            yield dlt.mark.materialize_table_schema()
        else:
            yield from rows_for(event, table)

    return rows


def _page_table(parent: DltResource, table: str, columns: Any, once: bool) -> DltResource:
    """A table of one page kind, merged on ``ttb_id``: the latest fetch of that page wins."""
    return merged_table(parent, _rows_of(table), table, "ttb_id", columns, "fetched_at", once=once)


def _crawl_log(parent: DltResource, table: str, columns: Any) -> DltResource:
    """An append-only table of the rows ``parent`` sends for ``table`` (one per partition or day per run)."""
    return dlt.transformer(
        _rows_of(table), data_from=parent, name=table, write_disposition="append", columns=columns,
        schema_contract=SCHEMA_CONTRACT,
    )


__all__ = ["MATERIALIZED_TABLES", "table_resources"]
