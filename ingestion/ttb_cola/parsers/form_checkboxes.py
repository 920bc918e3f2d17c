"""Items 3, 5 and 14 of the printable form: the ticked boxes and item 14's fill-in values."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from selectolax.lexbor import LexborNode

from ttb_cola.parsers.tags import STRONG, TR
from ttb_cola.text import squash

# Item 14 checkboxes by their alt text. The alt texts are the registry's own and do not all
# describe their box (box b's alt says "Certificate of label Approval"), hence this table. Names
# a and b follow the detail page's "Type of Application" wording.
_APPLICATION_TYPES: dict[str, tuple[str, str | None]] = {
    "type of application": ("LABEL APPROVAL", None),
    "certificate of label approval": ("EXEMPTION", "for_sale_in"),
    "distinctive liquor bottle approval": ("DISTINCTIVE LIQUOR BOTTLE APPROVAL", "total_bottle_capacity"),
    "previous ttb id": ("RESUBMISSION AFTER REJECTION", "previous_ttb_id"),
}
_APPLICATION = "type_of_application"


def checkboxes(inputs: Iterable[LexborNode], record: dict[str, Any]) -> None:
    """Items 3, 5 and 14 into ``record``, from the page's ``<input>`` elements: ticked checkboxes
    (``checked`` attribute), read by their ``alt`` text.

    Item 14's fill-in values (state, bottle capacity, previous TTB ID) are the ``<strong>`` inside
    each box's row, read whether or not the box is ticked.
    """
    record["source_of_product"] = None
    record["type_of_product"] = None
    record[_APPLICATION] = applications = []
    record["for_sale_in"] = None
    record["total_bottle_capacity"] = None
    record["previous_ttb_id"] = None
    for box in inputs:
        attributes = box.attributes
        meaning = _meaning(attributes.get("alt"))
        if meaning is None:
            continue
        kind = attributes.get("type")
        if kind != "checkbox" and not _is_checkbox(kind):
            continue
        field, value, fill_in = meaning
        checked = "checked" in attributes
        if field != _APPLICATION:
            if checked and record[field] is None:
                record[field] = value
            continue
        if checked:
            applications.append(value)
        if fill_in is not None:
            record[fill_in] = _fill_in(box)


def _is_checkbox(kind: str | None) -> bool:
    """Whether an ``<input>`` of this ``type`` is a checkbox (ASCII letters in any case, as selectors
    compare ``type``)."""
    return kind == "checkbox" or (kind is not None and kind.isascii() and kind.lower() == "checkbox")


@lru_cache(maxsize=256)
def _meaning(alt: str | None) -> tuple[str, str, str | None] | None:
    """What a checkbox's alt text stands for: (field, value when ticked, fill-in field), or None for a box
    not read (cached: the alt texts are fixed template text)."""
    text = squash(alt) or ""
    prefix, _, value = text.partition(":")
    prefix = prefix.strip().lower()
    if value and prefix in ("source of product", "type of product"):
        return prefix.replace(" ", "_"), value.strip(), None
    known = _APPLICATION_TYPES.get(text.lower())
    if known is None:
        return None
    return _APPLICATION, known[0], known[1]


def _fill_in(box: LexborNode) -> str | None:
    """The text of the first ``<strong>`` in the checkbox's row (the nearest enclosing ``<tr>``), in page
    order; None when there is none."""
    row = box.parent
    while row is not None and row.tag_id != TR:
        row = row.parent
    if row is None:
        return None
    for element in row.traverse():  # the row's few elements, walked by lexbor
        if element.tag_id == STRONG:
            return squash(element.text_lexbor())
    return None
