"""How a value reads in a cell of the Markdown and HTML tables."""

from __future__ import annotations

from datetime import date
from typing import Any


def cell_text(value: Any) -> str:
    """Plain text of a cell: empty for NULL, ISO dates, numbers without a trailing ``.0``, signed changes."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def change_text(value: Any) -> str:
    """A change with its sign (``+3``, ``-0.8``, ``0``)."""
    text = cell_text(value)
    return f"+{text}" if isinstance(value, int | float) and value > 0 else text
