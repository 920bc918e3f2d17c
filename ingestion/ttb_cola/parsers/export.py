"""Parse the registry's CSV export (``publicSaveSearchResultsToFile.do``).

The export has the results table's 10 columns, each TTB ID wrapped in apostrophes, and no quoting:
a comma in a name adds a field and a newline in a name splits the row over two lines. A record
always starts a line with ``'<14 digits>',``, so lines are first grouped into records; a record
with more than 10 fields is repaired when exactly one way of giving the extra fields to the
free-text columns leaves every coded column (origin code, class/type code) well formed. Anything
else is quarantined with its raw text, never guessed.
"""

from __future__ import annotations

import re

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.search import COLUMNS
from ttb_cola.text import decode, squash, us_date

HEADER = list(COLUMNS)
KEYS = list(COLUMNS.values())
N_COLUMNS = len(KEYS)
# Beyond this many extra commas a record is not worth placing (and the search would grow quickly).
MAX_EXTRA_FIELDS = 12

_RECORD_START = re.compile(r"^'\d{14}',")
_TTB_ID = re.compile(r"^'(\d{14})'$")
_PERMIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_SERIAL = re.compile(r"^[^\n]*$")
_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
# Codes may be blank (allowing it can only add candidate splits, never hide the true one).
_ORIGIN_CODE = re.compile(r"^(?:[0-9A-Z]{2})?$")
_CLASS_CODE = re.compile(r"^(?:\d{1,4}[A-Z]?)?$")
# Free-text columns after the four fixed leading ones, in file order; None marks a coded column.
_TAIL = ("fanciful_name", "brand_name", None, "origin_description", None, "class_type_description")
_FREE = [key for key in _TAIL if key]


def parse_export(body: bytes | str) -> tuple[list[dict], list[dict]]:
    """Read an export into rows (the search parser's keys) and quarantined records.

    Returns:
        ``(rows, quarantined)``; each quarantined item is ``{"line_number", "raw", "reason"}`` with
        the 1-based line the record starts on (the header is line 1) and its raw text.

    Raises:
        ParseError: the body is not an export (missing or different header).
    """
    text = decode(body).removeprefix("\xef\xbb\xbf").lstrip("\ufeff")  # a BOM, as Latin-1 or text
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or [name.strip() for name in lines[0].split(",")] != HEADER:
        raise ParseError(f"not a registry CSV export: header {lines[0][:200] if lines else ''!r}")

    rows: list[dict] = []
    quarantined: list[dict] = []
    for line_number, raw in _records(lines):
        row, reason = _parse_record(raw)
        if row is None:
            quarantined.append({"line_number": line_number, "raw": raw, "reason": reason})
        else:
            rows.append(row)
    return rows, quarantined


def _records(lines: list[str]) -> list[tuple[int, str]]:
    """Group physical lines into records: a line not starting with a quoted ID continues the last one."""
    records: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines[1:], start=2):
        if _RECORD_START.match(line) or not records:
            records.append((number, [line]))
        else:
            records[-1][1].append(line)
    return [(number, "\n".join(parts)) for number, parts in records]


def _parse_record(raw: str) -> tuple[dict | None, str]:
    """Give one record's fields to the columns; (row, "") or (None, why not)."""
    fields = raw.split(",")
    if len(fields) < N_COLUMNS:
        return None, f"too few fields: {len(fields)} of {N_COLUMNS} (a line may be cut or misjoined)"
    ttb_id, permit, serial, completed = fields[:4]
    id_match = _TTB_ID.match(ttb_id)
    if not id_match:
        return None, f"bad TTB ID {ttb_id!r}"
    if not _PERMIT.match(permit):
        return None, f"bad permit number {permit!r}"
    if not _SERIAL.match(serial):
        return None, f"bad serial number {serial!r}"
    if not _DATE.match(completed):
        return None, f"bad completed date {completed!r}"
    try:
        completed_date = us_date(completed)
    except ValueError:
        return None, f"bad completed date {completed!r}"

    if len(fields) > N_COLUMNS + MAX_EXTRA_FIELDS:
        return None, f"too many fields: {len(fields)} (more than {MAX_EXTRA_FIELDS} extra commas)"
    tail = fields[4:]
    fits = _assignments(tail, strict=len(fields) > N_COLUMNS)
    if not fits:
        return None, (
            f"{len(fields)} fields and no way to place them: origin code and class/type code must be "
            f"two characters and digits (with an optional letter)"
        )
    if len(fits) > 1:
        owners = [key for key in KEYS if key in fits[0] and len({fit[key] for fit in fits}) > 1]
        return None, (
            f"ambiguous: the {len(fields) - N_COLUMNS} extra comma(s) fit {len(fits)} ways "
            f"(splits differ in {', '.join(owners)})"
        )
    values = fits[0]
    row = {
        "ttb_id": id_match.group(1),
        "permit_number": permit,
        "serial_number": _plain(serial),
        "completed_date": completed_date,
    }
    row.update({key: _plain(value) for key, value in values.items()})
    return {key: row[key] for key in KEYS}, ""


def _assignments(tail: list[str], strict: bool) -> list[dict[str, str]]:
    """Every way to split ``tail`` into the six trailing columns with well-formed codes.

    With extra fields (``strict``), a free-text value may not start or end with a space, nor (when
    made of several fields) with a comma: registry values are trimmed, so such a split is the wrong
    one ("A, B" splits as "A" + " B").
    """
    extra = len(tail) - len(_TAIL)
    fits = []
    for widths in _compositions(extra, len(_FREE)):
        width = dict(zip(_FREE, widths, strict=True))
        values: dict[str, str] = {}
        codes: list[str] = []
        pos = 0
        for key in _TAIL:
            if key is None:
                codes.append(tail[pos])
                pos += 1
                continue
            parts = tail[pos : pos + width[key] + 1]
            pos += width[key] + 1
            if strict and not _plausible(parts):
                break
            values[key] = ",".join(parts)
        else:
            if _ORIGIN_CODE.match(codes[0]) and _CLASS_CODE.match(codes[1]):
                values["origin_code"], values["class_type_code"] = codes
                fits.append(values)
    return fits


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    """Every way to write ``total`` as an ordered sum of ``parts`` non-negative integers."""
    if parts == 1:
        return [(total,)]
    return [(head, *rest) for head in range(total + 1) for rest in _compositions(total - head, parts - 1)]


def _plausible(parts: list[str]) -> bool:
    """A free-text value has no edge space and, when made of several parts, no edge comma."""
    joined = ",".join(parts)
    if joined != joined.strip(" "):
        return False
    return len(parts) == 1 or (bool(parts[0]) and bool(parts[-1]))


def _plain(value: str) -> str | None:
    """Collapse whitespace and trim without decoding entities: the CSV is plain text, and a name
    like "M&GT" must not become "M>T"."""
    return squash(value)
