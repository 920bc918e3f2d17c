"""lexbor's tag ids of the elements the parsers compare: an int compare costs less than the tag name
(a new string per node). Read from lexbor itself, so they follow the library's numbering."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser


def _tag_ids() -> dict[str, int]:
    tree = LexborHTMLParser("<div><p>text<br><img><input><strong></strong></p><table><tr><td></td></tr></table></div>")
    ids = {name: node.tag_id for name in ("div", "p", "br", "img", "input", "tr", "strong")
           if (node := tree.css_first(name)) is not None}
    text = tree.css_first("p")
    assert text is not None and text.first_child is not None
    ids["-text"] = text.first_child.tag_id
    return ids


_IDS = _tag_ids()
DIV = _IDS["div"]
P = _IDS["p"]
BR = _IDS["br"]
IMG = _IDS["img"]
INPUT = _IDS["input"]
TR = _IDS["tr"]
STRONG = _IDS["strong"]
#: The id of every text node.
TEXT = _IDS["-text"]

__all__ = ["BR", "DIV", "IMG", "INPUT", "P", "STRONG", "TEXT", "TR"]
