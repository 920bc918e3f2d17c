"""Items 12 and 13 of the printable form's edition before mid-2016: net contents and alcohol content.

TTB removed both (and item 15, the wine vintage date, which :mod:`ttb_cola.parsers.form` reads as
``wine_vintage``) from TTB F 5100.31 in 2016, so only older forms carry them. Each box's text is kept
as printed, and its value read with the label-text rules (:mod:`ttb_cola.ocr.extract`): millilitres,
and percent by volume, where the box's own heading stands for the "ALC./VOL." wording a label needs.
"""

from __future__ import annotations

import re
from typing import Any

from ttb_cola.ocr.extract import Line, abv_candidates, net_contents_candidates

_PERCENT = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s*%")
_RANGE = re.compile(r"\d\s*(?:-|TO)\s*\d{1,2}(?:[.,]\d{1,2})?\s*%", re.IGNORECASE)  # "12-14%": no one value

#: Fields this module adds to the form's record.
CONTENT_FIELDS = ("net_contents", "alcohol_content", "net_contents_ml", "abv_percent")


def contents_items(net_contents: str | None, alcohol_content: str | None) -> dict[str, Any]:
    """Items 12 and 13 as printed (None where the form has no such box or it is blank) and their values."""
    return {
        "net_contents": net_contents,
        "alcohol_content": alcohol_content,
        "net_contents_ml": net_contents_ml(net_contents),
        "abv_percent": abv_percent(alcohol_content),
    }


def net_contents_ml(text: str | None) -> float | None:
    """Millilitres of an item 12 text ("750 ML", "1.75 L", "12 FL. OZ."); None unless exactly one volume."""
    values = {float(c.value) for c in net_contents_candidates(Line(text))} if text else set()
    return values.pop() if len(values) == 1 else None


def abv_percent(text: str | None) -> float | None:
    """Percent by volume of an item 13 text ("13.5%", "12.5% ALC/VOL", "80 PROOF"); None unless one value."""
    if not text or _RANGE.search(text):
        return None
    values = {float(c.value) for c in abv_candidates(Line(text))}
    if not values:
        values = {float(m.group(1).replace(",", ".")) for m in _PERCENT.finditer(text)}
    values = {v for v in values if 0.5 <= v <= 95}
    return values.pop() if len(values) == 1 else None
