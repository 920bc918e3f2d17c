"""Pages and rewrites for the simulator's block faults (403/WAF, maintenance) and per-COLA faults."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ttb_cola_sim import render
from ttb_cola_sim.faults import FaultConfig


def forbidden_page(number: int) -> bytes:
    """HTTP 403 bodies: a WAF's "Request Rejected" page (even requests) or a plain server 403 (odd)."""
    if number % 2 == 0:
        return (
            "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. "
            "Please consult with your administrator.<br><br>Your support ID is: "
            f"{9_100_000_000_000_000_000 + number * 104_729}<br><br>"
            "<a href='javascript:history.back();'>[Go Back]</a></body></html>"
        ).encode()
    return (b"<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1>"
            b"<p>You don't have permission to access this resource.</p></body></html>")


def server_error_page(status: int) -> bytes:
    """The application server's own page for HTTP 500 or 503."""
    text = "Service Unavailable" if status == 503 else "Internal Server Error"
    return f"<html><head><title>{status} {text}</title></head><body><h1>{text}</h1></body></html>".encode()


def maintenance_page() -> bytes:
    """The page an application server shows while it is down for maintenance (HTTP 200)."""
    return (b"<html><head><title>COLAs Online - System Maintenance</title></head><body>"
            b"<h1>System Maintenance</h1><p>COLAs Online is currently unavailable due to scheduled "
            b"maintenance. Please try again later.</p></body></html>")


def server_error(config: FaultConfig, action: str | None, ttb_id: str) -> bool:
    """Whether this detail/form request answers HTTP 500 (``server_error_ids``, ``form_server_error_ids``),
    public COLA or not."""
    if action == "publicDisplaySearchBasic":
        return ttb_id in config.server_error_ids
    return action == "publicFormDisplay" and ttb_id in config.form_server_error_ids


def cola_page(config: FaultConfig, action: str | None, ttb_id: str, record: dict[str, Any]) -> bytes | None:
    """The page a per-COLA fault serves for this detail/form request, or None to serve it normally."""
    if ttb_id in config.listed_not_found_ids:
        return render.not_found_page()
    if action == "publicFormDisplay" and ttb_id in config.form_error_ids:
        return render.not_found_page()
    if ttb_id in config.wrong_page_ids:  # the page of the next TTB ID (the sequence plus one)
        other = dict(record, ttb_id=f"{int(ttb_id) + 1:014d}")
        return render.detail_page(other) if action == "publicDisplaySearchBasic" else render.form_page(other)
    if action == "publicDisplaySearchBasic" and ttb_id in config.malformed_date_ids and record["approval_date"]:
        page = render.detail_page(record)
        good = render.us(record["approval_date"]).encode()
        bad = f"{record['approval_date'][5:7]}/{record['approval_date'][8:10]}/{record['approval_date'][2:4]}x"
        return page.replace(good, bad.encode(), 1)
    return None


def listing(config: FaultConfig, results: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """Search results with the duplicated rows of ``duplicate_listing_ids`` (next to the original)."""
    if not config.duplicate_listing_ids:
        return results
    out: list[dict[str, Any]] = []
    for record in results:
        out.append(record)
        if record["ttb_id"] in config.duplicate_listing_ids:
            out.append(record)
    return out
