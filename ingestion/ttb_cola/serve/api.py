"""The read-only HTTP API over the published marts (FastAPI): COLAs, companies, barcodes, signals,
processing times and the watchlist's matches, as JSON.

Every route is a GET. Bad input (a malformed ID, a non-number limit, an unknown filter or value) is
answered 400 with ``{"detail": "..."}``, an unknown key 404; no browser origin is allowed (no CORS
headers). ``/openapi.json`` and ``/docs`` come from FastAPI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ttb_cola.digest.watchlist import WatchlistEntry
from ttb_cola.serve import filters as check
from ttb_cola.serve import queries
from ttb_cola.serve.database import Database
from ttb_cola.serve.filters import FILTER_NAMES, BadInput, NotFound, cola_filters
from ttb_cola.serve.matches import watch_matches

PATTERN = "case-insensitive; % matches any run of characters"


def _only(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query parameters, refusing a name the route does not take."""
    params = dict(request.query_params)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise BadInput(f"unknown parameter {unknown[0]!r} (this route takes: {', '.join(allowed) or 'none'})")
    return params


def create_app(path: Path, entries: list[WatchlistEntry] | None = None) -> FastAPI:
    """The API over the published file at ``path``; ``entries`` is the watchlist ``/watchlist`` matches."""
    database = Database(path)
    watchlist = entries or []
    app = FastAPI(title="ttb-cola", summary="Read-only JSON over the published COLA Registry marts",
                  version="1")
    app.state.path = path

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
        return JSONResponse({"detail": f"{where}: {first.get('msg', 'invalid')}"}, status_code=400)

    def answer(request: Request, allowed: tuple[str, ...], query: Callable[..., dict[str, Any]],
               *values: Any) -> dict[str, Any]:
        """``query`` of ``values`` on one cursor, once the request's parameters are all ``allowed``."""
        _only(request, allowed)
        with database.cursor() as cur:
            return query(cur, *values)

    @app.get("/colas/{ttb_id}", summary="One COLA with its status history, label images and barcodes")
    def get_cola(ttb_id: str, request: Request) -> dict[str, Any]:
        return answer(request, (), queries.get_cola, ttb_id)

    @app.get("/colas", summary="Search COLAs, newest first: the total and one page")
    def search_colas(
        request: Request,
        q: str | None = Query(None, description="full text: brand, fanciful name, company names (every word)"),
        permit: str | None = Query(None, description=f"permit number, e.g. DSP-KY-123 ({PATTERN})"),
        brand: str | None = Query(None, description=f"brand name ({PATTERN})"),
        company: str | None = Query(None, description=f"company or permittee name ({PATTERN})"),
        class_type: str | None = Query(None, description=f"class/type code or description ({PATTERN})"),
        origin: str | None = Query(None, description=f"origin code or description ({PATTERN})"),
        status: str | None = Query(None, description=", ".join(check.STATUSES)),
        approved_from: str | None = Query(None, description="approved on or after, YYYY-MM-DD"),
        approved_to: str | None = Query(None, description="approved on or before, YYYY-MM-DD"),
        signal: str | None = Query(None, description=", ".join(check.SIGNALS)),
        limit: str | None = Query(None, description=f"page size, 1-{check.MAX_LIMIT} (default {check.DEFAULT_LIMIT})"),
        offset: str | None = Query(None, description="COLAs skipped (default 0)"),
    ) -> dict[str, Any]:
        found = cola_filters(_only(request, FILTER_NAMES))
        with database.cursor() as cur:
            return queries.search_colas(cur, found)

    @app.get("/companies/{permit}", summary="A permit holder, its COLA counts and newest COLAs")
    def get_company(permit: str, request: Request) -> dict[str, Any]:
        return answer(request, (), queries.company, permit)

    @app.get("/barcodes/{gtin}", summary="The COLAs whose labels carry a GTIN (UPC/EAN)")
    def get_barcode(gtin: str, request: Request) -> dict[str, Any]:
        return answer(request, (), queries.barcode, gtin)

    @app.get("/signals", summary="New companies, brands and products approved since a date")
    def get_signals(
        request: Request,
        since: str | None = Query(None, description="approved on or after, YYYY-MM-DD (default: a week "
                                                    "before the newest approval)"),
        signal: str | None = Query(None, description=f"one signal ({', '.join(check.SIGNALS)}); default the new ones"),
        limit: str | None = Query(None, description=f"page size, 1-{check.MAX_LIMIT}"),
        offset: str | None = Query(None, description="COLAs skipped"),
    ) -> dict[str, Any]:
        return answer(request, ("since", "signal", "limit", "offset"), queries.signals, since, signal, limit, offset)

    @app.get("/processing-times", summary="Days from receipt to approval per week, product type, method")
    def get_processing_times(
        request: Request,
        product_type: str | None = Query(None, description=", ".join(check.PRODUCT_TYPES)),
        since: str | None = Query(None, description="weeks starting on or after, YYYY-MM-DD"),
        limit: str | None = Query(None, description=f"rows, 1-{check.MAX_LIMIT} (default 100)"),
    ) -> dict[str, Any]:
        return answer(request, ("product_type", "since", "limit"), queries.processing_times, product_type, since, limit)

    @app.get("/watchlist", summary="The matches of the watchlist file the server was started with")
    def get_watchlist(
        request: Request,
        approved_from: str | None = Query(None, description="approved on or after, YYYY-MM-DD"),
        approved_to: str | None = Query(None, description="approved on or before, YYYY-MM-DD"),
    ) -> dict[str, Any]:
        _only(request, ("approved_from", "approved_to"))
        start, end = check.day("approved_from", approved_from), check.day("approved_to", approved_to)
        with database.cursor() as cur:
            matches = watch_matches(cur, watchlist, start, end)
        return {"entries": [entry.name for entry in watchlist], "total": len(matches), "matches": matches}

    return app
