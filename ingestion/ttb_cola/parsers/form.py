"""Parser for the printable form page (``viewColaDetails.do?action=publicFormDisplay``).

The page renders TTB F 5100.31 as ``div.label`` / ``div.data`` boxes, sorted in one pass over its divs by
:mod:`ttb_cola.parsers.form_boxes`; this module reads each box's value, the checkboxes by their ``alt`` text
(:mod:`~ttb_cola.parsers.form_checkboxes`) and the label images (:mod:`~ttb_cola.parsers.form_images`). The
page is parsed once; every value is cleaned as :func:`ttb_cola.text.squash` cleans it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from selectolax.lexbor import LexborNode

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.form_boxes import NO_KEY, read_page
from ttb_cola.parsers.form_checkboxes import checkboxes
from ttb_cola.parsers.form_contents import CONTENT_FIELDS, contents_items
from ttb_cola.parsers.form_images import label_images
from ttb_cola.parsers.tags import BR, TEXT
from ttb_cola.parsers.tree import html_tree
from ttb_cola.parsers.warnings import PARSE_WARNINGS, lenient_date
from ttb_cola.text import decode, squash

_DATE_FIELDS = ("date_of_application", "date_issued", "expiration_date")
#: Record field <- label box, for the fields that are a box's cleaned text.
_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("serial_number", "serial_number"),
    ("class_type_description", "class_type_description"),
    ("class_type_code", "ct"),
    ("origin_code", "or"),
    ("brand_name", "brand_name"),
    ("fanciful_name", "fanciful_name"),
    ("grape_varietals", "grape_varietals"),
    ("wine_vintage", "wine_vintage"),
    ("wine_appellation", "wine_appellation"),
    ("formula", "formula"),
    ("phone", "phone"),
    ("email", "email"),
    ("contact_name", "contact_name"),
    ("rep_id", "rep_id"),
)
#: The record's fields in the order :func:`parse_form` returns them (copied blank, then filled as read).
_RECORD_FIELDS = (
    "ttb_id", "status", "vendor_code", "serial_number", "class_type_description", "origin_description",
    "class_type_code", "origin_code", "brand_name", "fanciful_name", "grape_varietals", "wine_vintage",
    "wine_appellation", "formula", "qualifications", "phone", "email", "contact_name", "rep_id",
    "mailing_address", "container_info", *_DATE_FIELDS, "permit_number", "other_permits",
    "company_name", "address_street", "address_city", "address_state", "address_zip", "dba_name",
    "source_of_product", "type_of_product", "type_of_application", "for_sale_in", "total_bottle_capacity",
    "previous_ttb_id", *CONTENT_FIELDS, "label_images", PARSE_WARNINGS,
)
_BLANK_RECORD: dict[str, Any] = dict.fromkeys(_RECORD_FIELDS)

_STATUS = re.compile(r"^THE STATUS IS\s+(.+?)\.?$", re.IGNORECASE)
_USED_ON_LABEL = re.compile(r"\s*\(Used on label\)\s*$", re.IGNORECASE)
_CITY_STATE_ZIP = re.compile(r"^(?:(.*?)\s+)?([A-Z]{2})\s+(\d{5}(?:-?\d{4})?)$")

_CONTAINER_HEADING = re.compile(r"^.*?APPEARING ON LABELS\.\s*", re.IGNORECASE | re.DOTALL)
_HEADING_END = "APPEARING ON LABELS."
#: MM/DD/YYYY -> ISO date, for the dates that read (the same few thousand days recur on every page).
_DATES: dict[str, str] = {}
_DATES_MAX = 8192
#: The qualifications box's lines -> their cleaned text (TTB's few standard wordings, long to clean).
_QUALIFICATIONS: dict[tuple[str, ...], str | None] = {}
_QUALIFICATIONS_MAX = 256
#: Item 15's text -> what follows its heading (most forms print the heading alone).
_CONTAINER_INFO: dict[str, str | None] = {}
_CONTAINER_INFO_MAX = 256
#: Status box text -> status.
_STATUSES: dict[str, str] = {}
_STATUSES_MAX = 256


def parse_form(body: bytes | str) -> dict[str, Any]:
    """Parse a printable form page into record fields (the names of :mod:`ttb_cola.records`).

    Returns every field the form has a box for (None when blank, [] for empty lists), plus
    ``previous_ttb_id``, ``rep_id``, ``mailing_address`` and ``container_info``, which the form
    shows but the record contract does not name. ``vendor_code`` and ``origin_description`` are
    not printed on the form and are always None. A date box that is not MM/DD/YYYY gives None and
    a line in ``parse_warnings`` (a list, empty when every value read).

    Raises:
        ParseError: when the page has no 14-digit TTB ID box (error page, captcha, other page kind).
    """
    # ASCII bytes read the same as their decoded text: lexbor takes them as they are (no copy either way).
    page = read_page(html_tree(body if isinstance(body, bytes) and body.isascii() else decode(body)))
    boxes = page.boxes

    ttb_id = _text(boxes.get("ttb_id"))
    # 14 digits (str.isdecimal: the characters a pattern's \d matches)
    if ttb_id is None or len(ttb_id) != 14 or not ttb_id.isdecimal():
        raise ParseError(f"not a COLA printable form (TTB ID box: {ttb_id!r})")

    record = _BLANK_RECORD.copy()
    record["ttb_id"] = ttb_id
    record["status"] = _status(_text(boxes.get("status")))
    for field, key in _TEXT_FIELDS:
        data = boxes.get(key)
        if data:  # else None, as made
            record[field] = " ".join(data[0].text_lexbor().split()) or None if len(data) == 1 else _text(data)
    record["qualifications"] = _qualifications(boxes.get("qualifications"))
    record["mailing_address"] = _joined_lines(boxes.get("mailing_address"), ", ")
    record["container_info"] = _container_info(page.loose_data)
    warnings: list[str] = []
    for field in _DATE_FIELDS:
        data = boxes.get(field)
        if data:
            record[field] = _date(field, _text(data), warnings)
    _permits(boxes.get("permits"), record)
    _applicant(boxes.get("applicant"), record)
    checkboxes(page.inputs, record)
    # items 12 and 13 of the edition before mid-2016
    net_contents, alcohol_content = boxes.get("net_contents"), boxes.get("alcohol_content")
    if net_contents or alcohol_content:
        record.update(contents_items(_text(net_contents), _text(alcohol_content)))
    record["label_images"] = label_images(page.images)
    record[PARSE_WARNINGS] = warnings
    return record


def _text(data: list[LexborNode] | None) -> str | None:
    """The cleaned text of a box: all its data divs, space-joined; None when blank."""
    if not data:
        return None
    if len(data) == 1:
        return " ".join(data[0].text_lexbor().split()) or None
    return " ".join(" ".join(node.text_lexbor() for node in data).split()) or None


def _status(text: str | None) -> str | None:
    """``THE STATUS IS SURRENDERED.`` -> ``SURRENDERED`` (the detail page's wording); the few statuses are
    cached."""
    if text is None:
        return None
    status = _STATUSES.get(text)
    if status is None:
        match = _STATUS.match(text)
        status = match.group(1) if match else text
        if len(_STATUSES) < _STATUSES_MAX:
            _STATUSES[text] = status
    return status


def _date(field: str, text: str | None, warnings: list[str]) -> str | None:
    """A date box as an ISO date (see :func:`ttb_cola.parsers.warnings.lenient_date`), known dates from
    a cache."""
    if text is None:
        return None
    iso = _DATES.get(text)
    if iso is not None:
        return iso
    iso = lenient_date(field, text, warnings)
    if iso is not None and len(_DATES) < _DATES_MAX:
        _DATES[text] = iso
    return iso


def _lines(data: list[LexborNode] | None) -> list[str]:
    """The raw text of a box split at its ``<br>`` tags (uncleaned, blank lines kept).

    The box's children are walked once: text nodes as they are, ``<br>`` ends a line, any other
    element adds its whole text (a comment adds none)."""
    lines: list[str] = []
    for node in data or ():
        current = ""
        child = node.first_child
        while child is not None:
            tag = child.tag_id
            if tag == TEXT:
                current += child.text_content or ""
            elif tag == BR:
                lines.append(current)
                current = ""
            else:
                current += child.text()
            child = child.next
        lines.append(current)
    return lines


def _nonblank(lines: Iterable[str]) -> list[str]:
    """The non-blank ``lines``, each cleaned as :func:`ttb_cola.text.squash` cleans a value."""
    return [" ".join(words) for line in lines if (words := line.split())]


def _joined_lines(data: list[LexborNode] | None, separator: str) -> str | None:
    """The non-blank ``<br>``-separated lines of a box, cleaned and joined; None when none."""
    if not data:
        return None
    lines = _nonblank(_lines(data))
    return separator.join(lines) if lines else None


def _qualifications(data: list[LexborNode] | None) -> str | None:
    """The qualifications box's lines, cleaned and newline-joined (see :func:`_joined_lines`); the
    standard wordings come from a cache."""
    if not data:
        return None
    lines = tuple(_lines(data))
    text = _QUALIFICATIONS.get(lines, NO_KEY)
    if text is NO_KEY:
        cleaned = _nonblank(lines)
        text = "\n".join(cleaned) if cleaned else None
        if len(_QUALIFICATIONS) < _QUALIFICATIONS_MAX:
            _QUALIFICATIONS[lines] = text
    return text


def _permits(data: list[LexborNode] | None, record: dict[str, Any]) -> None:
    """Item 2: the first permit is the applicant's; any further ones become ``other_permits``."""
    permits = _nonblank(_lines(data)) if data else []
    record["permit_number"] = permits[0] if permits else None
    record["other_permits"] = [
        {
            "permit_number": permit,
            "company_name": None,
            "address_street": None,
            "address_city": None,
            "address_state": None,
            "address_zip": None,
        }
        for permit in permits[1:]
    ]


def _applicant(data: list[LexborNode] | None, record: dict[str, Any]) -> None:
    """Item 8: company, street line(s), ``CITY ST ZIP`` line, then the "(Used on label)" DBA lines.

    City, state and zip sit on separate source lines inside one ``<br>`` line, which is what
    lets multi-word cities split cleanly; a regex on the joined line is the fallback.
    """
    company = street = city = state = zip_code = None
    dba: list[str] = []
    address: list[str] = []
    cleaned: list[str] = []
    for raw in _lines(data):
        line = " ".join(raw.split())  # cleaned as squash cleans it
        if not line:
            continue
        # the note closes the (cleaned) line: a line not ending in ")" is not searched
        used_on_label = _USED_ON_LABEL.search(line) if line[-1] == ")" else None
        if used_on_label is not None:
            name = squash(line[: used_on_label.start()])
            if name:
                dba.append(name)
        else:
            address.append(raw)
            cleaned.append(line)
    if address:
        company = cleaned[0]
        street_lines = cleaned[1:]
        if len(address) > 1:
            city_state_zip = _city_state_zip(address[-1])
            if city_state_zip is not None:
                city, state, zip_code = city_state_zip
                street_lines = cleaned[1:-1]
        street = ", ".join(street_lines) or None
    record["company_name"] = company
    record["address_street"] = street
    record["address_city"] = city
    record["address_state"] = state
    record["address_zip"] = zip_code
    record["dba_name"] = "; ".join(dba) or None


def _city_state_zip(raw: str) -> tuple[str | None, str, str] | None:
    """Split a ``CITY\\nST\\nZIP`` line; None when it does not look like one."""
    parts = _nonblank(raw.splitlines())
    state = parts[1] if len(parts) == 3 else ""
    if len(state) == 2 and state.isascii() and state.isalpha():  # two ASCII letters
        return parts[0], parts[1], parts[2]
    match = _CITY_STATE_ZIP.match(squash(raw) or "")
    if match:
        return match.group(1) or None, match.group(2), match.group(3)
    return None


def _container_info(loose_data: list[LexborNode]) -> str | None:
    """Item 15 (blown/branded/embossed info, translations): the text after the item's heading.

    The heading is the data div's own text, so only the div whose own text holds it is read whole
    (the others can be large: item 14's box holds a table); a text seen before comes from a cache."""
    for node in loose_data:
        if "BLOWN, BRANDED" in node.text(deep=False):
            text = node.text_lexbor()
            info = _CONTAINER_INFO.get(text, NO_KEY)
            if info is NO_KEY:
                info = squash(_after_heading(text))
                if len(_CONTAINER_INFO) < _CONTAINER_INFO_MAX:
                    _CONTAINER_INFO[text] = info
            return info
    return None


def _after_heading(text: str) -> str:
    """``text`` from after item 15's heading ("... APPEARING ON LABELS.") and the spaces after it.

    Found by a plain search where the text is ASCII (an upper-cased copy finds every letter case); the
    pattern does the rest."""
    end = text.find(_HEADING_END)
    if end < 0 or not text.isascii():
        return _CONTAINER_HEADING.sub("", text, count=1)
    end = text.upper().find(_HEADING_END, 0, end + len(_HEADING_END)) + len(_HEADING_END)
    return text[end:].lstrip()
