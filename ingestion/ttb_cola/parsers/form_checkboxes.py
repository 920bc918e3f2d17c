"""Items 3, 5 and 14 of the printable form: the ticked boxes and item 14's fill-in values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from selectolax.lexbor import LexborNode

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
