"""The boxes of the printable form page: its label divs, each with the data divs after it, sorted in one pass.

A box is found by its label's text without the item number (older form editions number the items differently)
and every parenthesised note; its value is read by :mod:`ttb_cola.parsers.form`. The divs, checkboxes and
images come from lexbor's tag lists (no selector engine).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ttb_cola.text import squash

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

# The divs the parser reads (see read_page).
_DIVS = "div.label, div.boldlabel, div.data"
_READ_CLASSES = ("label", "boldlabel", "data")
#: What the form parser's caches give for a text not seen yet (compared by identity: no cached value is blank).
NO_KEY = ""
#: Label text -> box key (None: a label not read); the labels are fixed template text, so this stays small.
_LABEL_KEYS: dict[str, str | None] = {}
_LABEL_KEYS_MAX = 512


class FormPage(NamedTuple):
    """The elements of a form page the parser reads, in page order."""

    boxes: dict[str, list[LexborNode]]
    loose_data: list[LexborNode]
    inputs: list[LexborNode]
    images: list[LexborNode]


class _CaseVariant(Exception):
    """A div whose class names the parser's classes in other letter case (see :func:`_div_role`)."""


def read_page(tree: LexborHTMLParser) -> FormPage:
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
) -> FormPage:
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
        key = keys.get(text, NO_KEY)
        if key is NO_KEY:
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
    return FormPage(boxes, loose_data, tree.tags("input"), tree.tags("img"))


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


__all__ = ["NO_KEY", "FormPage", "read_page"]
