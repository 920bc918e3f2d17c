"""Parser for the printable form page (``viewColaDetails.do?action=publicFormDisplay``).

The page renders TTB F 5100.31 as ``div.label`` / ``div.data`` boxes. Boxes are found by their label
text without the item number (older form editions number the items differently), checkboxes by
their ``alt`` text, and the label images by walking back from each attachment ``<img>`` to its
"Image Type" / "Actual Dimensions" lines. The page is parsed once and read from lexbor's tag lists
(one pass over its divs); every value is cleaned as :func:`ttb_cola.text.squash` cleans it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.form_checkboxes import checkboxes
from ttb_cola.parsers.form_contents import CONTENT_FIELDS, contents_items
from ttb_cola.parsers.form_images import label_images
from ttb_cola.parsers.tags import BR, TEXT
from ttb_cola.parsers.tree import html_tree
from ttb_cola.parsers.warnings import PARSE_WARNINGS, lenient_date
from ttb_cola.text import decode, squash

# Label text -> internal box key. Labels are matched after dropping the item number and every
# parenthesised note, e.g. "10. GRAPE VARIETAL(S) (Wine Only)" -> "GRAPE VARIETAL(S)".
_BOXES: tuple[tuple[str, str], ...] = (
    ("TTB ID", "ttb_id"),
    ("CT", "ct"),
    ("OR", "or"),
    ("REP. ID. NO.", "rep_id"),
    ("PLANT REGISTRY", "permits"),
    ("NAME AND ADDRESS OF APPLICANT", "applicant"),
    ("SERIAL NUMBER", "serial_number"),
    ("BRAND NAME", "brand_name"),
    ("MAILING ADDRESS", "mailing_address"),
    ("FANCIFUL NAME", "fanciful_name"),
    ("FORMULA", "formula"),
    ("GRAPE VARIETAL", "grape_varietals"),
    ("WINE VINTAGE", "wine_vintage"),
    ("WINE APPELLATION", "wine_appellation"),
    ("PHONE NUMBER", "phone"),
    ("EMAIL ADDRESS", "email"),
    ("E-MAIL ADDRESS", "email"),
    ("DATE OF APPLICATION", "date_of_application"),
    ("PRINT NAME OF APPLICANT", "contact_name"),
    ("DATE ISSUED", "date_issued"),
    ("QUALIFICATIONS", "qualifications"),
    ("STATUS", "status"),
    ("CLASS/TYPE DESCRIPTION", "class_type_description"),
    ("EXPIRATION DATE", "expiration_date"),
    ("NET CONTENTS", "net_contents"),
    ("ALCOHOL CONTENT", "alcohol_content"),
)
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

_ITEM_NUMBER = re.compile(r"^\d+[a-z]?\.\s*", re.IGNORECASE)
_PARENTHESISED = re.compile(r"\([^()]*(?:\([^()]*\)[^()]*)*\)")
_STATUS = re.compile(r"^THE STATUS IS\s+(.+?)\.?$", re.IGNORECASE)
_USED_ON_LABEL = re.compile(r"\s*\(Used on label\)\s*$", re.IGNORECASE)
_CITY_STATE_ZIP = re.compile(r"^(?:(.*?)\s+)?([A-Z]{2})\s+(\d{5}(?:-?\d{4})?)$")

# The divs the parser reads (see _read_page).
_DIVS = "div.label, div.boldlabel, div.data"
_READ_CLASSES = ("label", "boldlabel", "data")
_CONTAINER_HEADING = re.compile(r"^.*?APPEARING ON LABELS\.\s*", re.IGNORECASE | re.DOTALL)
_HEADING_END = "APPEARING ON LABELS."
#: What the caches below give for a text not seen yet (compared by identity: no cached value is blank).
_NO_KEY = ""
#: Label text -> box key (None: a label not read); the labels are fixed template text, so this stays small.
_LABEL_KEYS: dict[str, str | None] = {}
_LABEL_KEYS_MAX = 512
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
    page = _read_page(html_tree(body if isinstance(body, bytes) and body.isascii() else decode(body)))
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


class _Page(NamedTuple):
    """The elements of a form page the parser reads, in page order."""

    boxes: dict[str, list[LexborNode]]
    loose_data: list[LexborNode]
    inputs: list[LexborNode]
    images: list[LexborNode]


class _CaseVariant(Exception):
    """A div whose class names the parser's classes in other letter case (see :func:`_div_role`)."""


def _read_page(tree: LexborHTMLParser) -> _Page:
    """Sort the page's labels, data divs, checkboxes and images in one pass.

    A box is a label div and the data divs after it among its siblings, up to the next label
    sibling; the first label of each known box wins. Data divs of no read box are kept apart
    (item 15 has no label of its own).

    The divs, checkboxes and images come from lexbor's tag lists (no selector engine). A class in
    other letter case ("DATA") matches a class selector only in some documents (quirks mode): such a
    page is read through the selector itself.
    """
    try:
        return _sorted_nodes(tree, tree.tags("div"), _div_role)
    except _CaseVariant:
        return _sorted_nodes(tree, tree.css(_DIVS), _selected_role)


def _sorted_nodes(
    tree: LexborHTMLParser, divs: list[LexborNode], role: Callable[[str], tuple[bool, int] | None]
) -> _Page:
    """The page's boxes, loose data divs, checkboxes and images, from its ``divs`` in page order
    (``role``: what a div of a class attribute other than the three plain ones is, see :func:`_div_role`)."""
    boxes: dict[str, list[LexborNode]] = {}
    loose_data: list[LexborNode] = []
    # Where the data divs after the latest label of each parent element go: that label's box, or the loose
    # data divs after a label we do not read.
    open_box: dict[int, list[LexborNode]] = {}
    keys = _LABEL_KEYS
    for node in divs:
        classes = node.attributes.get("class")
        if classes == "data":  # most divs: a box's value
            parent = node.parent
            open_box.get(parent.mem_id if parent is not None else 0, loose_data).append(node)
            continue
        if classes == "label" or classes == "boldlabel":
            times = 1
        elif classes is None or (read := role(classes)) is None:
            continue
        else:
            is_data, times = read
            if is_data:
                parent = node.parent
                open_box.get(parent.mem_id if parent is not None else 0, loose_data).extend([node] * times)
                continue
        text = node.text_lexbor()
        key = keys.get(text, _NO_KEY)
        if key is _NO_KEY:
            key = _box_key(text)
            if len(keys) < _LABEL_KEYS_MAX:
                keys[text] = key
        parent = node.parent
        parent_id = parent.mem_id if parent is not None else 0
        if key is None or key in boxes:
            open_box[parent_id] = loose_data
        elif times == 1:
            open_box[parent_id] = boxes[key] = []
        else:  # read again at once: the box is made, and closed by its own second reading
            boxes[key] = []
            open_box[parent_id] = loose_data
    return _Page(boxes, loose_data, tree.tags("input"), tree.tags("img"))


@lru_cache(maxsize=256)
def _div_role(classes: str) -> tuple[bool, int] | None:
    """For a div of this class attribute: (whether it is a data div, how many times it is read), or None
    for a div not read.

    A div is read once for each of ``label``, ``boldlabel`` and ``data`` among its classes (split at
    ASCII whitespace, as selectors do): the selector list the page was first read with matches it once
    per selector. It is a data div unless a label class is among them (see :func:`_is_data`).

    Raises:
        _CaseVariant: when a class is one of those in other letter case.
    """
    names = {name for name in re.split(r"[ \t\n\f\r]+", classes) if name}
    times = len(names.intersection(_READ_CLASSES))
    if not times:
        if any(name.isascii() and name.lower() in _READ_CLASSES for name in names):
            raise _CaseVariant(classes)
        return None
    return _is_data(classes), times


def _selected_role(classes: str) -> tuple[bool, int]:
    """The role of a div the selector list itself returned (as often as it matches)."""
    return _is_data(classes), 1


def _is_data(classes: str) -> bool:
    """Whether a div read for its class is a data div (a label class wins, as on the page)."""
    if classes == "data":
        return True
    if classes in ("label", "boldlabel"):
        return False
    names = classes.split()
    return "label" not in names and "boldlabel" not in names


def _box_key(label_text: str) -> str | None:
    """The internal key for a label's text, or None for labels we do not read."""
    text = squash(_PARENTHESISED.sub(" ", _ITEM_NUMBER.sub("", squash(label_text) or "")))
    if text is None:
        return None
    text = text.upper()
    for prefix, key in _BOXES:
        # "OR"/"CT" and "STATUS" must match whole; the long labels by their start.
        if text == prefix or (len(prefix) > 6 and text.startswith(prefix)):
            return key
    return None


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
    text = _QUALIFICATIONS.get(lines, _NO_KEY)
    if text is _NO_KEY:
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
            info = _CONTAINER_INFO.get(text, _NO_KEY)
            if info is _NO_KEY:
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
