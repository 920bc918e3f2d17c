"""The filters a COLA search takes, checked once for the API, the MCP server and saved searches.

Every value arrives as text (a query string, a tool argument, a file cell) and leaves as a typed value
or a :class:`BadInput` naming the filter. Patterns follow the watchlist: case-insensitive, ``%`` matches
any run of characters, everything else is literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

STATUSES = ("APPROVED", "EXPIRED", "SURRENDERED", "REVOKED")
SIGNALS = ("new_company", "new_brand", "new_product", "refile", "other", "unknown")
#: The signals ``/signals`` lists by default: what is new.
NEW_SIGNALS = ("new_company", "new_brand", "new_product")
PRODUCT_TYPES = ("Wine", "Distilled Spirits", "Malt Beverage", "Unknown")
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_TEXT = 200
_TTB_ID = re.compile(r"^[0-9]{14}$")
_PERMIT = re.compile(r"^[A-Za-z0-9%-]{2,40}$")
_GTIN = re.compile(r"^[0-9]{8,14}$")


class BadInput(ValueError):
    """A filter or argument that cannot be used; the message names it (answered as HTTP 400)."""


class NotFound(LookupError):
    """Nothing holds the key asked for (answered as HTTP 404)."""


@dataclass(frozen=True)
class ColaFilters:
    """A checked COLA search: every filter optional, combined with AND."""

    q: str | None = None
    permit: str | None = None
    brand: str | None = None
    company: str | None = None
    class_type: str | None = None
    origin: str | None = None
    status: str | None = None
    approved_from: date | None = None
    approved_to: date | None = None
    signal: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0


#: The filter names a search accepts (query parameters, tool arguments, saved-search columns).
FILTER_NAMES = tuple(field.name for field in fields(ColaFilters))


def ttb_id(value: Any) -> str:
    """A 14-digit TTB ID."""
    text = str(value).strip()
    if not _TTB_ID.match(text):
        raise BadInput(f"ttb_id must be 14 digits, got {_shown(text)}")
    return text


def permit(value: Any, pattern: bool = False) -> str:
    """A permit number (e.g. ``DSP-KY-123``), upper case; ``%`` allowed when ``pattern``."""
    text = str(value).strip().upper()
    if not _PERMIT.match(text) or (not pattern and "%" in text):
        raise BadInput(f"permit must look like DSP-KY-123 (letters, digits, dashes), got {_shown(text)}")
    if text.strip("%") == "":
        raise BadInput(f"permit {text!r} matches everything")
    return text


def gtin(value: Any) -> str:
    """A GTIN-8/12/13/14 with a valid check digit, as the 14 digits the marts hold."""
    text = str(value).strip()
    if not _GTIN.match(text):
        raise BadInput(f"gtin must be 8 to 14 digits, got {_shown(text)}")
    digits = text.zfill(14)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13]))
    if (10 - total % 10) % 10 != int(digits[13]):
        raise BadInput(f"gtin {text} has a wrong check digit")
    return digits


def day(name: str, value: Any) -> date | None:
    """An ISO date ``YYYY-MM-DD`` (None when empty)."""
    if value is None or str(value).strip() == "":
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(f"{name} must be a date YYYY-MM-DD, got {_shown(str(value))}") from None


def whole(name: str, value: Any, default: int, low: int, high: int | None = None) -> int:
    """A whole number between ``low`` and ``high``."""
    if value is None or str(value).strip() == "":
        return default
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]+", text):
        raise BadInput(f"{name} must be a whole number, got {_shown(text)}")
    number = int(text)
    if number < low or (high is not None and number > high):
        raise BadInput(f"{name} must be between {low} and {high}, got {number}" if high is not None
                       else f"{name} must be at least {low}, got {number}")
    return number


def choice(name: str, value: Any, allowed: tuple[str, ...]) -> str | None:
    """One of ``allowed`` (matched case-insensitively), None when empty."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    for option in allowed:
        if option.lower() == text.lower():
            return option
    raise BadInput(f"{name} must be one of {', '.join(allowed)}; got {_shown(text)}")


def text_filter(name: str, value: Any) -> str | None:
    """A free-text value or pattern: trimmed, no control characters, at most 200 characters."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise BadInput(f"{name} is longer than {MAX_TEXT} characters")
    if any(ord(char) < 32 for char in text):
        raise BadInput(f"{name} holds a control character")
    if text.strip("%") == "":
        raise BadInput(f"{name} {text!r} matches everything")
    return text


def cola_filters(values: dict[str, Any]) -> ColaFilters:
    """The checked filters of ``values`` (names as :data:`FILTER_NAMES`); an unknown name is bad input."""
    unknown = sorted(set(values) - set(FILTER_NAMES))
    if unknown:
        raise BadInput(f"unknown filter {unknown[0]!r} (filters: {', '.join(FILTER_NAMES)})")
    permit_value = values.get("permit")
    filters = ColaFilters(
        q=text_filter("q", values.get("q")),
        permit=permit(permit_value, pattern=True) if permit_value not in (None, "") else None,
        brand=text_filter("brand", values.get("brand")),
        company=text_filter("company", values.get("company")),
        class_type=text_filter("class_type", values.get("class_type")),
        origin=text_filter("origin", values.get("origin")),
        status=choice("status", values.get("status"), STATUSES),
        approved_from=day("approved_from", values.get("approved_from")),
        approved_to=day("approved_to", values.get("approved_to")),
        signal=choice("signal", values.get("signal"), SIGNALS),
        limit=whole("limit", values.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=whole("offset", values.get("offset"), 0, 0),
    )
    if filters.approved_from and filters.approved_to and filters.approved_from > filters.approved_to:
        raise BadInput("approved_from is after approved_to")
    return filters


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")
