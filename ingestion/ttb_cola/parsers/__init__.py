"""Selectolax parsers for registry pages: one module per page kind, chosen by the classifier's kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ttb_cola.parsers.detail import parse_detail
from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.export import parse_export
from ttb_cola.parsers.form import parse_form
from ttb_cola.parsers.search import parse_search_results
from ttb_cola.registry.pages import PageKind


def parse_export_page(body: bytes | str) -> dict[str, Any]:
    """The CSV export as one record: its rows and the rows set aside (with the reason)."""
    rows, quarantined = parse_export(body)
    return {"rows": rows, "quarantined": quarantined}


PARSERS: dict[PageKind, Callable[[bytes | str], dict[str, Any]]] = {
    PageKind.DETAIL: parse_detail,
    PageKind.FORM: parse_form,
    PageKind.SEARCH_RESULTS: parse_search_results,
    PageKind.NO_RESULTS: parse_search_results,
    PageKind.EXPORT: parse_export_page,
}


def parse_page(kind: PageKind, body: bytes | str) -> dict[str, Any] | None:
    """Parse a page of a kind that carries data; kinds without data (not found, captcha...) give None.

    Raises:
        ParseError: when the page has the markers of ``kind`` but not its content.
    """
    parser = PARSERS.get(kind)
    return parser(body) if parser else None


__all__ = ["PARSERS", "ParseError", "parse_page"]
