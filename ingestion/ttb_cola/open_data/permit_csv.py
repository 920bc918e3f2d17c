"""Parse one List of Permittees CSV into rows, or refuse it.

Read with the ``csv`` module over the whole text (``newline=""``), so CRLF, LF and bare CR line ends,
quoted commas and doubled quotes all parse; every value stays a string (ZIP codes keep their leading
zeros). The "issued since" file has been reported with all its records on one physical line after the
header: a row that is a whole multiple of the header's width is cut into records.

Refused (:class:`FileRefused`): an empty file, a header other than TTB's, a row that is cut short (or
whose width is no multiple of the header's), an unterminated quote, a row without a permit number, a
``New_Permit_Flag`` other than 0/1.
"""

from __future__ import annotations

import re
from typing import Any

from ttb_cola.open_data.refused import FileRefused, csv_rows

#: TTB's header (seen in the 2025 importer list and the 2026 lists).
HEADER = (
    "Permit_Number", "Owner_Name", "Operating_Name", "Street", "City", "State", "Prem_Zip", "Prem_County",
    "Industry_Type", "New_Permit_Flag",
)
#: Our column for each of TTB's.
COLUMNS = (
    "permit_number", "owner_name", "operating_name", "street", "city", "state", "premises_zip",
    "premises_county", "industry_type", "new_permit_flag",
)
#: ``ST-T-serial``, the shape of every permit number seen.
PERMIT_NUMBER = re.compile(r"[A-Z]{2}-[A-Z]-\d{1,7}")


def parse_permit_csv(data: bytes, file_name: str, *, all_new: bool = False) -> list[dict[str, Any]]:
    """The file's rows as dicts of :data:`COLUMNS` (blank values None, the flag a bool); ``all_new``: the
    "issued since" file, whose rows are new permits (a 9-column header without the flag is accepted)."""
    rows = csv_rows(data, file_name)
    header = tuple(cell.strip() for cell in rows[0])
    width = len(HEADER)
    if header != HEADER and not (all_new and header == HEADER[:-1]):
        raise FileRefused(file_name, f"unexpected header {','.join(header)[:120]!r}")
    width = len(header)
    records: list[list[str]] = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) == width:
            records.append(row)
        elif len(row) > width and len(row) % width == 0:
            records.extend(row[i:i + width] for i in range(0, len(row), width))
        else:
            raise FileRefused(file_name, f"record {line} has {len(row)} fields, the header {width} (cut file?)")
    if not records and not all_new:  # a week may issue no permit; a list is never empty
        raise FileRefused(file_name, "no records after the header (cut file?)")
    return [_record(values, file_name, index, all_new) for index, values in enumerate(records, start=1)]


def _record(values: list[str], file_name: str, index: int, all_new: bool) -> dict[str, Any]:
    cells = [value.strip() or None for value in values]
    if len(cells) == len(HEADER) - 1:
        cells.append("1")
    row: dict[str, Any] = dict(zip(COLUMNS, cells, strict=True))
    number = row["permit_number"]
    if number is None or not PERMIT_NUMBER.fullmatch(number):
        raise FileRefused(file_name, f"record {index}: {number!r} is not a permit number (fields shifted?)")
    flag = row["new_permit_flag"]
    if flag not in ("0", "1"):
        raise FileRefused(file_name, f"record {index}: New_Permit_Flag {flag!r} is neither 0 nor 1")
    row["new_permit_flag"] = flag == "1" or all_new
    row["row_number"] = index
    return row
