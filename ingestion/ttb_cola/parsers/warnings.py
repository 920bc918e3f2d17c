"""Values that do not parse: NULL plus a warning kept with the record, never a failed COLA.

A page of the right kind whose TTB ID reads fine is the COLA's page even when one of its values is
malformed (a date that is not MM/DD/YYYY); failing the COLA for it would lose every other field.
Such a value becomes None and a line in the record's ``parse_warnings`` (the page tables keep it).
"""

from __future__ import annotations

from ttb_cola.text import us_date

#: The record key holding the warnings of one page (a list of ``"field: what was wrong"`` lines).
PARSE_WARNINGS = "parse_warnings"


def lenient_date(field: str, raw: str | None, warnings: list[str]) -> str | None:
    """``raw`` (MM/DD/YYYY) as an ISO date; None plus a line in ``warnings`` when it is not one."""
    try:
        return us_date(raw)
    except ValueError as exc:
        warnings.append(f"{field}: {exc}")
        return None
