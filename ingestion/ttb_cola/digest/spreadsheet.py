"""The digest as an .xlsx workbook: a sheet per section, every row, TTB IDs and permits kept as text.

Text is always written as a string cell (so ``24011001000462`` is not turned into 2.4E+13 and a
value starting with ``=`` is never a formula); TTB IDs link to the registry's detail page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter

from ttb_cola.digest.model import Digest, detail_url

_SHEET_NAME_MAX = 31
#: Column widths in characters: each column fits its longest cell (a date: 10), within these bounds.
_WIDTH_MIN, _WIDTH_MAX = 8, 60


def _shown_length(value: object) -> int:
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:.1f}")
    return len(str(value)) if value is not None else 0


def column_widths(columns: list[str], rows: list[tuple[object, ...]]) -> list[int]:
    """The width of each column: its header or longest value, plus a margin, within bounds."""
    widths = [len(name) for name in columns]
    for row in rows:
        for col, value in enumerate(row):
            widths[col] = max(widths[col], _shown_length(value))
    return [min(max(w + 2, _WIDTH_MIN), _WIDTH_MAX) for w in widths]


def write_spreadsheet(digest: Digest, path: Path) -> Path:
    """Write the workbook to ``path``; returns it."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    link = workbook.add_format({"font_color": "blue", "underline": 1})
    try:
        about = workbook.add_worksheet("About")
        about.write_string(0, 0, digest.title, bold)
        about.write_string(1, 0, digest.coverage_note)
        about.write_string(2, 0, f"Previous period: {digest.previous.label}")
        about.set_column(0, 0, 100)
        for section in digest.sections:
            sheet = workbook.add_worksheet(section.title[:_SHEET_NAME_MAX].replace(":", " "))
            for col, name in enumerate(section.columns):
                sheet.write_string(0, col, name, bold)
            for r, row in enumerate(section.rows, start=1):
                for col, (name, value) in enumerate(zip(section.columns, row, strict=True)):
                    if value is None:
                        continue
                    if name == "ttb_id":
                        sheet.write_url(r, col, detail_url(str(value)), link, string=str(value))
                    elif isinstance(value, bool):
                        sheet.write_boolean(r, col, value)
                    elif isinstance(value, int | float):
                        sheet.write_number(r, col, value)
                    elif isinstance(value, date):
                        sheet.write_datetime(r, col, value, day)
                    else:
                        sheet.write_string(r, col, str(value))
            sheet.freeze_panes(1, 0)
            for col, width in enumerate(column_widths(section.columns, section.rows)):
                sheet.set_column(col, col, width)
            sheet.autofilter(0, 0, len(section.rows), len(section.columns) - 1)
    finally:
        workbook.close()
    return path
