"""Parse TTB's daily processing-time files, or refuse them.

``cola_stats.xml`` (label applications): repeated ``FOR_XML2`` elements anywhere in the document, each
with ``commodity``, ``Turnaround_Time_Median`` (days), ``month``/``day``/``year`` (the date TTB says it
is processing applications received on) and ``now_time``; values may be padded. ``form_stats.csv``
(formulas): columns ``application_type, processing_time, processing_new, creation_date``, dates in a
format nobody has documented (kept as text, parsed when ISO or MM/DD/YYYY). Anything else is refused
with one line: these shapes are known only from the element and column names.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree

from ttb_cola.open_data.refused import FileRefused, csv_rows

LABEL_ELEMENT = "FOR_XML2"
LABEL_FIELDS = ("commodity", "Turnaround_Time_Median", "month", "day", "year")
FORMULA_HEADER = ("application_type", "processing_time", "processing_new", "creation_date")
_INTEGER = re.compile(r"\d{1,4}")


def parse_label_times(data: bytes, file_name: str = "cola_stats.xml") -> list[dict[str, Any]]:
    """One row per commodity: ``commodity``, ``median_days``, ``processing_received_date``, ``generated_at_text``."""
    if not data.strip():
        raise FileRefused(file_name, "empty file")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise FileRefused(file_name, f"not well-formed XML ({exc}); cut file?") from None
    elements = root.iter(LABEL_ELEMENT)
    rows = []
    for index, element in enumerate(elements, start=1):
        values = {child.tag: (child.text or "").strip() for child in element}
        missing = [name for name in LABEL_FIELDS if not values.get(name)]
        if missing:
            raise FileRefused(file_name, f"{LABEL_ELEMENT} {index} lacks {', '.join(missing)}")
        median = values["Turnaround_Time_Median"]
        if not _INTEGER.fullmatch(median):
            raise FileRefused(file_name, f"{LABEL_ELEMENT} {index}: Turnaround_Time_Median {median!r} is not days")
        try:
            received = date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            raise FileRefused(file_name, f"{LABEL_ELEMENT} {index}: no valid date in month/day/year") from None
        rows.append({
            "commodity": values["commodity"],
            "median_days": int(median),
            "processing_received_date": received,
            "generated_at_text": values.get("now_time") or None,
        })
    if not rows:
        raise FileRefused(file_name, f"no {LABEL_ELEMENT} element (root <{root.tag}>): unknown shape")
    if len({row["commodity"] for row in rows}) != len(rows):
        raise FileRefused(file_name, "a commodity appears twice")
    return rows


def parse_formula_times(data: bytes, file_name: str = "form_stats.csv") -> list[dict[str, Any]]:
    """One row per application type: ``application_type``, ``processing_days``, ``processing_new_text``,
    ``processing_new_date``, ``created_text``, ``created_date``."""
    rows = csv_rows(data, file_name)
    header = tuple(cell.strip().strip('"').lower() for cell in rows[0])
    if header != FORMULA_HEADER:
        raise FileRefused(file_name, f"unexpected header {','.join(header)[:120]!r}")
    parsed = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(FORMULA_HEADER):
            raise FileRefused(file_name, f"line {line} has {len(row)} fields, the header {len(FORMULA_HEADER)}")
        kind, days, new, created = (cell.strip() for cell in row)
        if not kind or not _INTEGER.fullmatch(days):
            raise FileRefused(file_name, f"line {line}: {kind!r} with processing_time {days!r} is not a row we know")
        parsed.append({
            "application_type": kind,
            "processing_days": int(days),
            "processing_new_text": new or None,
            "processing_new_date": _date(new),
            "created_text": created or None,
            "created_date": _date(created),
        })
    if not parsed:
        raise FileRefused(file_name, "no rows after the header (cut file?)")
    return parsed


def _date(text: str) -> date | None:
    """An ISO date/timestamp or MM/DD/YYYY (a time after it ignored); None otherwise."""
    head = text.strip().split(" ")[0].split("T")[0]
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(head, pattern).date()
        except ValueError:
            continue
    return None
