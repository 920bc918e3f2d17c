"""Text helpers shared by every parser: decoding, whitespace/entity cleanup and US dates.

The registry serves ISO-8859-1 pages whose values are padded with ``&nbsp;`` runs, newlines and
numeric character references; every parsed value goes through :func:`clean` so that records
compare equal however the page happened to be laid out.
"""

from __future__ import annotations

import html
import re
from datetime import date

REGISTRY_ENCODING = "iso-8859-1"

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def decode(body: bytes | str) -> str:
    """Decode a registry response body (ISO-8859-1, never fails) or pass text through."""
    if isinstance(body, str):
        return body
    return body.decode(REGISTRY_ENCODING)


def clean(value: str | None) -> str | None:
    """Unescape entities, collapse whitespace and ``&nbsp;`` runs, trim; blank becomes None.

    For raw markup. Text a parser already decoded (selectolax's ``.text()``) goes through
    :func:`squash` instead: unescaping twice would turn a served ``&amp;notes`` into ``¬es``.
    """
    if value is None:
        return None
    return squash(html.unescape(value))


def squash(value: str | None) -> str | None:
    """Collapse whitespace and no-break-space runs of decoded text, trim; blank becomes None."""
    if value is None:
        return None
    # str.split() splits at exactly the characters regex \s matches (no-break space included).
    return " ".join(value.split()) or None


def us_date(value: str | None) -> str | None:
    """Turn ``MM/DD/YYYY`` into an ISO date string; blank becomes None.

    Raises:
        ValueError: when the value is not blank and not a valid US date.
    """
    text = clean(value)
    if text is None:
        return None
    match = _US_DATE.match(text)
    if not match:
        raise ValueError(f"not a MM/DD/YYYY date: {text!r}")
    month, day, year = (int(g) for g in match.groups())
    return date(year, month, day).isoformat()
