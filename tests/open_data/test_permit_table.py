"""A list file's Arrow table agrees with the column hints of the resource that loads it.

dlt keeps the resource's hints and warns ("several column hints were different") on every load when the
Arrow schema says otherwise, for example a nullable ``list_date`` that the hints declare never null.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from dlt.common.libs.pyarrow import py_arrow_to_table_schema_columns

from ttb_cola.open_data import PERMIT_COLUMNS
from ttb_cola.open_data.permit_csv import COLUMNS
from ttb_cola.open_data.permit_table import permit_table


def test_the_arrow_schema_matches_the_resource_hints() -> None:
    row = {name: "x" for name in COLUMNS} | {"new_permit_flag": True, "row_number": 1}
    table = permit_table([row], "importers", date(2025, 1, 6), datetime(2025, 1, 6, 12, tzinfo=UTC))
    arrow = py_arrow_to_table_schema_columns(table.schema)
    assert set(arrow) == set(PERMIT_COLUMNS)
    differing = {(name, hint): (value, PERMIT_COLUMNS[name].get(hint)) for name, column in arrow.items()
                 for hint, value in column.items() if PERMIT_COLUMNS[name].get(hint, value) != value}
    assert differing == {}
    assert table.column("list_date").to_pylist() == [date(2025, 1, 6)]
