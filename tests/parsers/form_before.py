"""The printable form parser as it read pages before its speed-up (one node at a time, every
selector and attribute read where needed): the reference the fast parser must match field for field
(tests/parsers/test_parse_form_equivalence.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.form_contents import contents_items
from ttb_cola.parsers.warnings import PARSE_WARNINGS, lenient_date
from ttb_cola.text import decode, squash

# Item 14 checkboxes by their alt text. The alt texts are the registry's own and do not all
# describe their box (box b's alt says "Certificate of label Approval"), hence this table. Names
# a and b follow the detail page's "Type of Application" wording.
_APPLICATION_TYPES: dict[str, tuple[str, str | None]] = {
    "type of application": ("LABEL APPROVAL", None),
    "certificate of label approval": ("EXEMPTION", "for_sale_in"),
    "distinctive liquor bottle approval": ("DISTINCTIVE LIQUOR BOTTLE APPROVAL", "total_bottle_capacity"),
    "previous ttb id": ("RESUBMISSION AFTER REJECTION", "previous_ttb_id"),
}


def checkboxes(inputs: Iterable[LexborNode]) -> dict[str, Any]:
    """Items 3, 5 and 14 from the page's checkbox ``<input>`` elements: ticked boxes (``checked``
    attribute), read by their ``alt`` text.

    Item 14's fill-in values (state, bottle capacity, previous TTB ID) are the ``<strong>`` inside
    each box's row, read whether or not the box is ticked.
    """
    result: dict[str, Any] = {
        "source_of_product": None,
        "type_of_product": None,
        "type_of_application": [],
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "previous_ttb_id": None,
    }
    for box in inputs:
        attributes = box.attributes
        alt = squash(attributes.get("alt")) or ""
        checked = "checked" in attributes
        prefix, _, value = alt.partition(":")
        prefix = prefix.strip().lower()
        if value and prefix in ("source of product", "type of product"):
            field = prefix.replace(" ", "_")
            if checked and result[field] is None:
                result[field] = value.strip()
            continue
        known = _APPLICATION_TYPES.get(alt.lower())
        if known is None:
            continue
        name, fill_in = known
        if checked:
            result["type_of_application"].append(name)
        if fill_in is not None:
            row = _ancestor(box, "tr")
            strong = row.css_first("strong") if row is not None else None
            result[fill_in] = squash(strong.text()) if strong is not None else None
    return result


def _ancestor(node: LexborNode, tag: str) -> LexborNode | None:
    """The nearest enclosing element with this tag."""
    parent = node.parent
    while parent is not None and parent.tag != tag:
        parent = parent.parent
    return parent


_DIMENSIONS = re.compile(r"([\d.]+)\s*inch(?:es)?\s*W\s*X\s*([\d.]+)\s*inch(?:es)?\s*H", re.IGNORECASE)


def label_images(imgs: Iterable[LexborNode]) -> list[dict[str, Any]]:
    """Of the page's ``<img>`` elements, every label attachment image, with the "Image Type" and
    "Actual Dimensions" printed above it.

    Only ``publicViewAttachment.do`` images with ``filetype=l`` count; the signature image
    (``publicViewSignature.do``) is not a label.
    """
    images: list[dict[str, Any]] = []
    for img in imgs:
        attributes = img.attributes
        src = attributes.get("src") or ""
        if "publicViewAttachment.do" not in src:
            continue
        _, found, query = src.partition("filename=")
        if not found:
            continue
        filename, _, filetype = query.rpartition("&filetype=")
        if not filename:
            filename, filetype = query, ""
        if filetype.split("&")[0] not in ("l", ""):
            continue
        image_type, width, height = _caption(img)
        if image_type is None:
            alt = squash(attributes.get("alt")) or ""
            image_type = squash(alt.partition(":")[2]) if alt.lower().startswith("label image") else None
        images.append(
            {"image_type": image_type, "filename": unquote(filename), "width_in": width, "height_in": height}
        )
    return images


def _caption(img: LexborNode) -> tuple[str | None, float | None, float | None]:
    """Walk back from a label ``<img>`` to its ``<p>Image Type:</p>``, reading type and dimensions.

    The texts between are, in page order: the type, "Actual Dimensions: W inches W X H inches H"
    and, for large labels, a "reduced to fit" note.
    """
    texts: list[str] = []
    node = img.prev
    while node is not None and node.tag != "img":
        if node.tag == "p" and (squash(node.text()) or "").lower().startswith("image type"):
            break
        if node.is_text_node:
            text = squash(node.text_content)
            if text:
                texts.append(text)
        node = node.prev
    else:
        return None, None, None
    texts.reverse()
    image_type = texts[0] if texts and not texts[0].lower().startswith("actual dimensions") else None
    width = height = None
    for text in texts:
        match = _DIMENSIONS.search(text)
        if match:
            width, height = float(match.group(1)), float(match.group(2))
            break
    return image_type, width, height


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

_ITEM_NUMBER = re.compile(r"^\d+[a-z]?\.\s*", re.IGNORECASE)
_PARENTHESISED = re.compile(r"\([^()]*(?:\([^()]*\)[^()]*)*\)")
_TTB_ID = re.compile(r"^\d{14}$")
_STATUS = re.compile(r"^THE STATUS IS\s+(.+?)\.?$", re.IGNORECASE)
_USED_ON_LABEL = re.compile(r"\s*\(Used on label\)\s*$", re.IGNORECASE)
_CITY_STATE_ZIP = re.compile(r"^(?:(.*?)\s+)?([A-Z]{2})\s+(\d{5}(?:-?\d{4})?)$")

# Everything the parser reads, in one query: lexbor returns the matches in page order.
_NODES = "div.label, div.boldlabel, div.data, input[type=checkbox], img"
_CONTAINER_HEADING = re.compile(r"^.*?APPEARING ON LABELS\.\s*", re.IGNORECASE | re.DOTALL)


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
    tree = LexborHTMLParser(decode(body))
    page = _read_page(tree)
    boxes = page.boxes

    ttb_id = _text(boxes.get("ttb_id"))
    if ttb_id is None or not _TTB_ID.match(ttb_id):
        raise ParseError(f"not a COLA printable form (TTB ID box: {ttb_id!r})")

    record: dict[str, Any] = {
        "ttb_id": ttb_id,
        "status": _status(_text(boxes.get("status"))),
        "vendor_code": None,
        "serial_number": _text(boxes.get("serial_number")),
        "class_type_description": _text(boxes.get("class_type_description")),
        "origin_description": None,
        "class_type_code": _text(boxes.get("ct")),
        "origin_code": _text(boxes.get("or")),
        "brand_name": _text(boxes.get("brand_name")),
        "fanciful_name": _text(boxes.get("fanciful_name")),
        "grape_varietals": _text(boxes.get("grape_varietals")),
        "wine_vintage": _text(boxes.get("wine_vintage")),
        "wine_appellation": _text(boxes.get("wine_appellation")),
        "formula": _text(boxes.get("formula")),
        "qualifications": _joined_lines(boxes.get("qualifications"), "\n"),
        "phone": _text(boxes.get("phone")),
        "email": _text(boxes.get("email")),
        "contact_name": _text(boxes.get("contact_name")),
        "rep_id": _text(boxes.get("rep_id")),
        "mailing_address": _joined_lines(boxes.get("mailing_address"), ", "),
        "container_info": _container_info(page.loose_data),
    }
    warnings: list[str] = []
    for field in ("date_of_application", "date_issued", "expiration_date"):
        record[field] = lenient_date(field, _text(boxes.get(field)), warnings)
    record.update(_permits(boxes.get("permits")))
    record.update(_applicant(boxes.get("applicant")))
    record.update(checkboxes(page.checkboxes))
    # items 12 and 13 of the edition before mid-2016
    record.update(contents_items(_text(boxes.get("net_contents")), _text(boxes.get("alcohol_content"))))
    record["label_images"] = label_images(page.images)
    record[PARSE_WARNINGS] = warnings
    return record


class _Page(NamedTuple):
    """The elements of a form page the parser reads, gathered by one selector query in page order."""

    boxes: dict[str, list[LexborNode]]
    loose_data: list[LexborNode]
    checkboxes: list[LexborNode]
    images: list[LexborNode]


def _read_page(tree: LexborHTMLParser) -> _Page:
    """Sort the page's labels, data divs, checkboxes and images in one pass.

    A box is a label div and the data divs after it among its siblings, up to the next label
    sibling; the first label of each known box wins. Data divs of no read box are kept apart
    (item 15 has no label of its own).
    """
    boxes: dict[str, list[LexborNode]] = {}
    # The box the latest label of each parent element opened (None: a label we do not read).
    open_box: dict[int, list[LexborNode] | None] = {}
    loose_data: list[LexborNode] = []
    inputs: list[LexborNode] = []
    images: list[LexborNode] = []
    for node in tree.css(_NODES):
        tag = node.tag
        if tag == "input":
            inputs.append(node)
            continue
        if tag == "img":
            images.append(node)
            continue
        classes = node.attributes.get("class") or ""
        parent = node.parent
        parent_id = parent.mem_id if parent is not None else 0
        if classes == "data" or (classes not in ("label", "boldlabel") and _is_data(classes)):
            box = open_box.get(parent_id)
            if box is None:
                loose_data.append(node)
            else:
                box.append(node)
        else:
            key = _box_key(node.text())
            if key is None or key in boxes:
                open_box[parent_id] = None
            else:
                open_box[parent_id] = boxes[key] = []
    return _Page(boxes, loose_data, inputs, images)


def _is_data(classes: str) -> bool:
    """Whether a div of several classes is a data div (a label class wins, as on the page)."""
    names = classes.split()
    return "label" not in names and "boldlabel" not in names


@lru_cache(maxsize=512)
def _box_key(label_text: str) -> str | None:
    """The internal key for a label's text, or None for labels we do not read (cached: the form's
    labels are fixed template text)."""
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
        return squash(data[0].text())
    return squash(" ".join(node.text() for node in data))


def _lines(data: list[LexborNode] | None) -> list[str]:
    """The raw text of a box split at its ``<br>`` tags (uncleaned, blank lines kept)."""
    lines: list[str] = []
    for node in data or ():
        current: list[str] = []
        for child in node.iter(include_text=True):
            if child.tag == "br":
                lines.append("".join(current))
                current = []
            elif child.is_text_node:
                current.append(child.text_content or "")
            else:
                current.append(child.text())
        lines.append("".join(current))
    return lines


def _joined_lines(data: list[LexborNode] | None, separator: str) -> str | None:
    """The non-blank ``<br>``-separated lines of a box, cleaned and joined; None when none."""
    lines = [line for line in map(squash, _lines(data)) if line]
    return separator.join(lines) if lines else None


def _status(text: str | None) -> str | None:
    """``THE STATUS IS SURRENDERED.`` -> ``SURRENDERED`` (the detail page's wording)."""
    if text is None:
        return None
    match = _STATUS.match(text)
    return match.group(1) if match else text


def _permits(data: list[LexborNode] | None) -> dict[str, Any]:
    """Item 2: the first permit is the applicant's; any further ones become ``other_permits``."""
    permits = [line for line in map(squash, _lines(data)) if line]
    others = [
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
    return {"permit_number": permits[0] if permits else None, "other_permits": others}


def _applicant(data: list[LexborNode] | None) -> dict[str, Any]:
    """Item 8: company, street line(s), ``CITY ST ZIP`` line, then the "(Used on label)" DBA lines.

    City, state and zip sit on separate source lines inside one ``<br>`` line, which is what
    lets multi-word cities split cleanly; a regex on the joined line is the fallback.
    """
    result: dict[str, Any] = dict.fromkeys(
        ("company_name", "address_street", "address_city", "address_state", "address_zip", "dba_name")
    )
    dba: list[str] = []
    address: list[str] = []
    for raw in _lines(data):
        line = squash(raw)
        if line is None:
            continue
        if _USED_ON_LABEL.search(line):
            name = squash(_USED_ON_LABEL.sub("", line))
            if name:
                dba.append(name)
        else:
            address.append(raw)
    result["dba_name"] = "; ".join(dba) or None
    if not address:
        return result

    result["company_name"] = squash(address[0])
    street_lines = address[1:]
    if len(address) > 1:
        city_state_zip = _city_state_zip(address[-1])
        if city_state_zip is not None:
            result["address_city"], result["address_state"], result["address_zip"] = city_state_zip
            street_lines = address[1:-1]
    result["address_street"] = ", ".join(filter(None, map(squash, street_lines))) or None
    return result


def _city_state_zip(raw: str) -> tuple[str | None, str, str] | None:
    """Split a ``CITY\\nST\\nZIP`` line; None when it does not look like one."""
    parts = [part for part in map(squash, raw.splitlines()) if part]
    if len(parts) == 3 and re.fullmatch(r"[A-Za-z]{2}", parts[1]):
        return parts[0], parts[1], parts[2]
    match = _CITY_STATE_ZIP.match(squash(raw) or "")
    if match:
        return match.group(1) or None, match.group(2), match.group(3)
    return None


def _container_info(loose_data: list[LexborNode]) -> str | None:
    """Item 15 (blown/branded/embossed info, translations): the text after the item's heading.

    The heading is the data div's own text, so only the div whose own text holds it is read whole
    (the others can be large: item 14's box holds a table)."""
    for node in loose_data:
        if "BLOWN, BRANDED" in node.text(deep=False):
            return squash(_CONTAINER_HEADING.sub("", node.text(), count=1))
    return None
