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
            sheet.set_column(0, max(len(section.columns) - 1, 0), 16)
    finally:
        workbook.close()
    return path
