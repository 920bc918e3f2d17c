"""``cola_status_log``: an append-only log of the status every page fetch saw, the data of the status history.

The page tables are merged on ``ttb_id`` and keep only each COLA's latest fetch, so they cannot tell
what a COLA's status was before. This table gets one row per detail page and printable form fetched
(its status, approval and expiration dates) and per search list row (the completed date the registry
lists), with the run that saw it. It is appended on both destinations (a Delta table appended on the
lake), so the history dbt derives from it (``fct_cola_status_history``) lives where the data lives and
is rebuilt on any fresh runner. ``ttb-cola reparse`` appends the archived pages' rows again (the
archive keeps each COLA's latest page of each kind, stamped with the time it was stored), so a log
lost with its warehouse comes back as each COLA's latest state; dbt staging keeps one row per COLA,
page kind and ``fetched_at``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.sources import DltResource

from ttb_cola.arrow_batches import arrow_batch, with_row_ids
from ttb_cola.records import DETAILS_TABLE, FORMS_TABLE, LISTINGS_TABLE, SCHEMA_CONTRACT, Spec, TableBatch, columns

STATUS_LOG_TABLE = "cola_status_log"
#: The page kind of a log row, by the table its page went to.
PAGE_KINDS = {DETAILS_TABLE: "detail", FORMS_TABLE: "form", LISTINGS_TABLE: "listing"}
STATUS_LOG_SPECS: dict[str, Spec] = {
    "ttb_id": ("text", False),
    "page_kind": ("text", False),
    "status": ("text", True),
    "approval_date": ("date", True),
    "expiration_date": ("date", True),
    "completed_date": ("date", True),
    "fetched_at": ("timestamp", True),
    "run_id": ("text", False),
}
STATUS_LOG_COLUMNS = columns(STATUS_LOG_SPECS)


def status_log_row(table: str, row: dict[str, Any], run_id: str) -> dict[str, Any] | None:
    """The log row of one page row of ``table``; None for the tables that carry no status."""
    kind = PAGE_KINDS.get(table)
    if kind is None:
        return None
    return {
        "ttb_id": row["ttb_id"],
        "page_kind": kind,
        "status": row.get("status"),
        # the form states no approval date: its date issued stands for it (as in dbt staging)
        "approval_date": row.get("approval_date") or row.get("date_issued"),
        "expiration_date": row.get("expiration_date"),
        "completed_date": row.get("completed_date"),
        "fetched_at": row.get("listed_at") if kind == "listing" else row.get("fetched_at"),
        "run_id": run_id,
    }


def status_log_table(batch: TableBatch, run_id: str) -> pa.Table | None:
    """The log rows of a batch's page tables (Arrow tables, see :func:`ttb_cola.arrow_batches.page_tables`),
    as :func:`status_log_row` makes them, in one Arrow table with its row ids; None when the batch holds no page
    row."""
    empty = arrow_batch([], STATUS_LOG_COLUMNS)
    parts = []
    for table, kind in PAGE_KINDS.items():
        pages = batch.get(table)
        if not isinstance(pages, pa.Table) or not pages.num_rows:
            continue

        def column(name: str, pages: pa.Table = pages) -> pa.ChunkedArray:
            if name in pages.column_names:
                return pages[name]
            return pa.chunked_array([pa.nulls(pages.num_rows, empty.schema.field(name).type)])

        approval = column("approval_date")
        if "date_issued" in pages.column_names:  # the form's date issued stands for its approval date
            approval = pc.coalesce(approval, pages["date_issued"])
        values = {
            "ttb_id": pages["ttb_id"],
            "page_kind": pa.chunked_array([pa.repeat(pa.scalar(kind, pa.string()), pages.num_rows)]),
            "status": column("status"),
            "approval_date": approval,
            "expiration_date": column("expiration_date"),
            "completed_date": column("completed_date"),
            "fetched_at": column("listed_at" if kind == "listing" else "fetched_at"),
            "run_id": pa.chunked_array([pa.repeat(pa.scalar(run_id, pa.string()), pages.num_rows)]),
        }
        parts.append(pa.Table.from_arrays([values[name] for name in empty.column_names], schema=empty.schema))
    return with_row_ids(pa.concat_tables(parts)) if parts else None


def status_log_resource(parent: DltResource, run_id: str, materialize: str) -> DltResource:
    """The ``cola_status_log`` transformer over ``parent``'s events, its rows tagged with ``run_id``.

    ``materialize`` is the parent's event that creates every table before its first row.
    """

    def rows(event: Any) -> Iterator[Any]:
        if isinstance(event, TableBatch):
            table = status_log_table(event, run_id)
            if table is not None:
                yield table
            return
        if event.table == materialize:
            yield dlt.mark.materialize_table_schema()
            return
        row = status_log_row(event.table, event.data, run_id)
        if row is not None:
            yield row

    return dlt.transformer(
        rows, data_from=parent, name=STATUS_LOG_TABLE, write_disposition="append", columns=STATUS_LOG_COLUMNS,
        schema_contract=SCHEMA_CONTRACT,
    )


__all__ = ["STATUS_LOG_COLUMNS", "STATUS_LOG_TABLE", "status_log_resource", "status_log_row", "status_log_table"]
