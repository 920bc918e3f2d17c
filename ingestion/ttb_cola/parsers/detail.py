"""Parser for the COLA detail page (``viewColaDetails.do?action=publicDisplaySearchBasic&ttbid=...``).

The page holds two ``div.box`` blocks:

- the first is a column of ``<strong>Label: </strong>`` + help icon + value cells, then a nested table
  with one qualification per cell;
- the second has header rows (``<strong>`` cells) for the principal plant, the "(Other)" plants and
  the contact, each followed by plain one-line rows: permit number, company, street and
  "City,&nbsp;ST&nbsp;ZIP" for a plant; name, "Phone Number: ...", email for the contact.

Fields are found by their label, never by position, so rows that come and go (Grape Varietal(s) on
wine, Wine Vintage on older pages) shift nothing.
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborNode

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.tree import html_tree
from ttb_cola.parsers.warnings import PARSE_WARNINGS, lenient_date
from ttb_cola.text import decode, squash

# Page label (trailing colon and spaces removed) -> record field.
_LABEL_FIELDS = {
    "TTB ID": "ttb_id",
    "Status": "status",
    "Vendor Code": "vendor_code",
    "Serial #": "serial_number",
    "Class/Type Code": "class_type_description",
    "Origin Code": "origin_description",
    "Brand Name": "brand_name",
    "Fanciful Name": "fanciful_name",
    "Type of Application": "type_of_application",
    "For Sale In": "for_sale_in",
    "Total Bottle Capacity": "total_bottle_capacity",
    "Grape Varietal(s)": "grape_varietals",
    "Wine Vintage": "wine_vintage",
    "Formula": "formula",
    "Formula/SOP No.": "formula",
    "Approval Date": "approval_date",
}
_TTB_ID = re.compile(r"^\d{14}$")
# The last line of a plant block: "City, ST ZIP" (the comma is always printed, even when blank).
_CITY_LINE = re.compile(r"^(?P<city>.*),\s*(?P<state>[A-Z]{2})?\s*(?P<zip>\d{5}(?:-?\d{4})?)?$")
_APPLICATION_TYPE_SEP = re.compile(r"[\r\n,]+")
_PHONE = "Phone Number:"
_FAX = "Fax Number:"
_BOXES_START = '<div class="box">'
_BOXES_END = '<div class="actionbox">'
_BOXES_START_BYTES = _BOXES_START.encode("ascii")
_BOXES_END_BYTES = _BOXES_END.encode("ascii")


def _label(strong: LexborNode) -> str:
    """A ``<strong>`` label without its colon: ``"Formula : "`` -> ``"Formula"``."""
    return strong.text().strip().rstrip(" :")


def _value_text(strong: LexborNode) -> str:
    """Raw text of what follows the label in its cell, one line per node so ``<br>`` splits lines."""
    parts = []
    node = strong.next
    while node is not None:
        parts.append(node.text())
        node = node.next
    return "\n".join(parts)


def _plant(lines: list[str]) -> dict[str, str | None]:
    """One plant block (permit, company, street line(s), "City, ST ZIP") as a permit dict."""
    rest = lines[2:]
    city = state = zip_code = None
    if rest and (match := _CITY_LINE.match(rest[-1])):
        rest = rest[:-1]
        city = match["city"].strip() or None
        state, zip_code = match["state"], match["zip"]
    return {
        "permit_number": lines[0] if lines else None,
        "company_name": lines[1] if len(lines) > 1 else None,
        "address_street": ", ".join(rest) or None,
        "address_city": city,
        "address_state": state,
        "address_zip": zip_code,
    }


def _plant_blocks(lines: list[str | None]) -> list[list[str]]:
    """Split a section's rows into plant blocks at blank rows and after each "City, ST ZIP" line."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line is not None:
            blocks[-1].append(line)
        # Only a line with a zip ends a block: "PIER 50, SHED B" style street lines must not.
        if line is None or (len(blocks[-1]) >= 3 and (match := _CITY_LINE.match(line)) and match["zip"]):
            blocks.append([])
    return [block for block in blocks if block]


def _first_box(box: LexborNode, record: dict[str, Any]) -> None:
    """Labelled fields and qualifications of the first box, into ``record``."""
    for strong in box.css("td > strong"):
        field = _LABEL_FIELDS.get(_label(strong))
        if field is None or record.get(field):
            continue
        raw = _value_text(strong)
        if field == "type_of_application":
            # One value per line or comma: no application type name contains either.
            parts = (squash(part) for part in _APPLICATION_TYPE_SEP.split(raw))
            record[field] = [part for part in parts if part]
        elif field == "approval_date":
            record[field] = lenient_date(field, squash(raw), record[PARSE_WARNINGS])
        else:
            record[field] = squash(raw)
    # The qualifications are the one nested table, a cell each.
    qualifications = [
        text for table in box.css("td > table") for td in table.css("td") if (text := squash(td.text()))
    ]
    record["qualifications"] = "\n".join(qualifications) or None


def _second_box(box: LexborNode, record: dict[str, Any]) -> None:
    """Principal plant, other plants and contact of the second box, into ``record``."""
    sections: dict[str, list[str | None]] = {"principal": [], "other": [], "contact": []}
    labels = {parent.mem_id: _label(strong) for strong in box.css("td > strong") if (parent := strong.parent)}
    rows: list[str | None] | None = None
    for td in box.css("td"):
        label = labels.get(td.mem_id)
        if label is not None:
            if label.startswith("Plant Registry"):
                rows = sections["other" if "(Other)" in label else "principal"]
            elif label.startswith("Contact Information"):
                rows = sections["contact"]
            else:
                rows = None
        elif rows is not None:
            rows.append(squash(td.text()))

    principal = _plant_blocks(sections["principal"])
    plant = _plant(principal[0] if principal else [])
    record.update(plant)
    record["other_permits"] = [_plant(block) for block in _plant_blocks(sections["other"])]

    for line in sections["contact"]:
        if line is None or line.startswith(_FAX):
            continue
        if line.startswith(_PHONE):
            record["phone"] = line[len(_PHONE) :].strip() or None
        elif "@" in line:
            record["email"] = next(word for word in line.split() if "@" in word)
        elif record["contact_name"] is None:
            record["contact_name"] = line


def parse_detail(body: bytes | str) -> dict[str, Any]:
    """Parse a COLA detail page into the record fields it shows (the names of :mod:`ttb_cola.records`).

    Blank fields are None, ``type_of_application`` and ``other_permits`` are lists (maybe empty),
    ``approval_date`` is ISO (None, with a line in ``parse_warnings``, when it is not a date),
    several qualifications are joined with newlines.

    Raises:
        ParseError: when the page is not a detail page (no detail boxes, no 14-digit TTB ID).
    """
    # Parsing only the boxes halves the parse time; the markers are fixed template text, and without
    # them the whole page is parsed, so a layout change costs speed, never fields. Bytes are cut before
    # they are decoded (ISO-8859-1: one byte, one character), and ASCII bytes go to lexbor as they are.
    if isinstance(body, bytes):
        start = body.find(_BOXES_START_BYTES)
        end = body.find(_BOXES_END_BYTES, start)
        if start >= 0 and end > start:
            body = body[start:end]
        page: bytes | str = body if body.isascii() else decode(body)
    else:
        start = body.find(_BOXES_START)
        end = body.find(_BOXES_END, start)
        page = body[start:end] if start >= 0 and end > start else body
    boxes = html_tree(page).css("div.box")
    record: dict[str, Any] = {
        "ttb_id": None,
        "status": None,
        "vendor_code": None,
        "serial_number": None,
        "class_type_description": None,
        "origin_description": None,
        "brand_name": None,
        "fanciful_name": None,
        "type_of_application": [],
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": None,
        "approval_date": None,
        "qualifications": None,
        "permit_number": None,
        "company_name": None,
        "address_street": None,
        "address_city": None,
        "address_state": None,
        "address_zip": None,
        "other_permits": [],
        "contact_name": None,
        "phone": None,
        "email": None,
        PARSE_WARNINGS: [],
    }
    if not boxes:
        raise ParseError("not a COLA detail page: no detail boxes")
    _first_box(boxes[0], record)
    ttb_id = record["ttb_id"]
    if ttb_id is None or not _TTB_ID.match(ttb_id):
        raise ParseError(f"not a COLA detail page: TTB ID is {ttb_id!r}")
    if len(boxes) > 1:
        _second_box(boxes[1], record)
    return record
