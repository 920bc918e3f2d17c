"""The MCP tools over the published marts, answered by :mod:`ttb_cola.serve.queries` (as the HTTP API).

Each tool's description tells an assistant what the data is and how to narrow a question; bad
arguments and unknown keys come back as tool errors whose text says what to change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations

from ttb_cola.digest.watchlist import WatchlistEntry
from ttb_cola.serve import filters as check
from ttb_cola.serve import queries
from ttb_cola.serve.database import Database
from ttb_cola.serve.filters import BadInput, NotFound, cola_filters
from ttb_cola.serve.matches import watch_matches

INSTRUCTIONS = """\
Answers questions about US alcohol label approvals (COLAs: Certificates of Label Approval) from the TTB's
public COLA Registry, crawled into a local warehouse. A COLA has a 14-digit TTB ID (YYDDDMMMSSSSSS: the
receipt year and day of year, receipt method, sequence), a permit number of the company that applied
(DSP-KY-123 a distiller, BWN-CA-456 a winery, BR-CO-3854 a brewery, NY-I-2120 an importer), a brand and
fanciful name, a class/type (e.g. BOURBON WHISKY, TABLE RED WINE, TEQUILA) and an origin (a US state or a
country). Start with search_colas; use get_cola for one COLA, company for a permit holder."""

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
_T = TypeVar("_T")


def _answer(call: Callable[[], _T]) -> _T:
    try:
        return call()
    except (BadInput, NotFound) as exc:
        raise ToolError(str(exc)) from None


def create_server(database: Database, entries: list[WatchlistEntry] | None = None) -> MCPServer:
    """The MCP server whose tools read ``database``; ``entries`` is the watchlist the watchlist tool matches."""
    server = MCPServer("ttb-cola", instructions=INSTRUCTIONS, log_level="WARNING")
    watched = entries or []

    @server.tool(annotations=READ_ONLY)
    def search_colas(
        q: str | None = None, permit: str | None = None, brand: str | None = None, company: str | None = None,
        class_type: str | None = None, origin: str | None = None, status: str | None = None,
        approved_from: str | None = None, approved_to: str | None = None, signal: str | None = None,
        limit: int = check.DEFAULT_LIMIT, offset: int = 0,
    ) -> dict[str, Any]:
        """Search label approvals (COLAs), newest first; returns the total and one page.

        Every argument is optional and they combine with AND. q: words searched in brand, fanciful name and
        company names (every word must occur; e.g. "tequila reposado"). permit, brand, company, class_type,
        origin: case-insensitive, % matches any run of characters (class_type "%TEQUILA%", origin "Mexico",
        permit "%-I-%" for importers, "DSP-KY-%" for Kentucky distillers). status: APPROVED, EXPIRED,
        SURRENDERED or REVOKED. approved_from / approved_to: approval dates YYYY-MM-DD. signal: new_company
        (a permit's first COLA), new_brand, new_product, refile, other or unknown. limit 1-500 (default 50),
        offset to page on. Example: new tequila approvals from importers this month = class_type "%TEQUILA%",
        permit "%-I-%", approved_from the month's first day.
        """
        values = {"q": q, "permit": permit, "brand": brand, "company": company, "class_type": class_type,
                  "origin": origin, "status": status, "approved_from": approved_from, "approved_to": approved_to,
                  "signal": signal, "limit": limit, "offset": offset}

        def run() -> dict[str, Any]:
            found = cola_filters(values)
            with database.cursor() as cur:
                return queries.search_colas(cur, found)

        return _answer(run)

    @server.tool(annotations=READ_ONLY)
    def get_cola(ttb_id: str) -> dict[str, Any]:
        """One COLA by its 14-digit TTB ID: every field of its form (brand, fanciful name, class/type, origin,
        company, dates, status, days from receipt to approval), its status history (approved, then expired,
        surrendered or revoked, with when each version was seen) and the barcodes (GTINs) read from its labels."""
        def run() -> dict[str, Any]:
            with database.cursor() as cur:
                return queries.get_cola(cur, ttb_id)

        return _answer(run)

    @server.tool(annotations=READ_ONLY)
    def company(permit: str) -> dict[str, Any]:
        """A company by its permit number (e.g. DSP-KY-123, BWN-CA-456, NY-I-2120): its latest name and address,
        kind of permit (distillery, winery, brewery, importer, wholesaler), how many COLAs it filed by product
        type and by signal, and its 20 newest COLAs. Find permit numbers with search_colas (company=...)."""
        def run() -> dict[str, Any]:
            with database.cursor() as cur:
                return queries.company(cur, permit)

        return _answer(run)

    @server.tool(annotations=READ_ONLY)
    def barcode(gtin: str) -> dict[str, Any]:
        """The COLAs whose label images carry a barcode: a UPC-A (12 digits), EAN-13, EAN-8 or GTIN-14 with a
        valid check digit. Useful to go from a product in hand to its label approvals."""
        def run() -> dict[str, Any]:
            with database.cursor() as cur:
                return queries.barcode(cur, gtin)

        return _answer(run)

    @server.tool(annotations=READ_ONLY)
    def signals(since: str | None = None, signal: str | None = None, limit: int = check.DEFAULT_LIMIT,
                offset: int = 0) -> dict[str, Any]:
        """What is new: COLAs approved on or after `since` (YYYY-MM-DD; default a week before the newest
        approval) that are a company's first COLA (new_company), a company's first of a brand (new_brand) or
        of a brand + fanciful name (new_product). `signal` picks one kind (also refile, other, unknown).
        Newest first; limit 1-500."""
        def run() -> dict[str, Any]:
            with database.cursor() as cur:
                return queries.signals(cur, since, signal, limit, offset)

        return _answer(run)

    @server.tool(annotations=READ_ONLY)
    def processing_times(product_type: str | None = None, since: str | None = None, limit: int = 100) -> dict[str, Any]:
        """How long TTB takes to approve a label: per approval week, product type (Wine, Distilled Spirits, Malt
        Beverage) and receipt method (001 e-filed, 002 mailed, 003 overnight, 000 hand delivered), the median
        and 90th percentile days from receipt to approval and the change on the week before. Newest week
        first; `since` (YYYY-MM-DD) keeps weeks starting on or after it."""
        def run() -> dict[str, Any]:
            with database.cursor() as cur:
                return queries.processing_times(cur, product_type, since, limit)

        return _answer(run)

    @server.tool(annotations=READ_ONLY)
    def watchlist(approved_from: str | None = None, approved_to: str | None = None) -> dict[str, Any]:
        """The COLAs matching the user's watchlist (the entries of their watchlist file: brands, companies,
        permits, class/types and origins they follow), by entry then newest first; optionally only those
        approved between approved_from and approved_to (YYYY-MM-DD)."""
        def run() -> dict[str, Any]:
            start, end = check.day("approved_from", approved_from), check.day("approved_to", approved_to)
            with database.cursor() as cur:
                matches = watch_matches(cur, watched, start, end)
            return {"entries": [entry.name for entry in watched], "total": len(matches), "matches": matches}

        return _answer(run)

    return server
