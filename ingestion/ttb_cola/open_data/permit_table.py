"""A list file's parsed rows as one Arrow table: dlt writes Arrow straight to its load files, where a
list of 84,000 dicts would be normalised row by row (several times slower on a full week)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pyarrow as pa

from ttb_cola.open_data.permit_csv import COLUMNS

_TEXT_COLUMNS = [name for name in COLUMNS if name != "new_permit_flag"]
_NEVER_NULL = frozenset({"list_date", "fetched_at"})


def permit_table(rows: list[dict[str, Any]], list_name: str, list_date: date, fetched_at: datetime) -> pa.Table:
    """``rows`` (:func:`~ttb_cola.open_data.permit_csv.parse_permit_csv`) with their list name, date and fetch time."""
    count = len(rows)
    columns: dict[str, pa.Array] = {name: pa.array([row[name] for row in rows], pa.string()) for name in _TEXT_COLUMNS}
    columns["new_permit_flag"] = pa.array([row["new_permit_flag"] for row in rows], pa.bool_())
    columns["row_number"] = pa.array([row["row_number"] for row in rows], pa.int64())
    columns["list_name"] = pa.array([list_name] * count, pa.string())
    columns["list_date"] = pa.array([list_date] * count, pa.date32())
    columns["fetched_at"] = pa.array([fetched_at] * count, pa.timestamp("us", tz="UTC"))
    # list_date and fetched_at are never null: the schema says so, as the resource's column hints do
    schema = pa.schema([pa.field(name, array.type, nullable=name not in _NEVER_NULL)
                        for name, array in columns.items()])
    return pa.Table.from_pydict(columns, schema=schema)
