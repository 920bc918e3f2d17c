"""What one alert says about a match: the fields a reader needs and the registry's page of the COLA."""

from __future__ import annotations

from typing import Any

from ttb_cola.digest.model import DETAIL_URL

FIELDS = ("entry_name", "ttb_id", "approval_date", "status", "permit_number", "company_name", "brand_name",
          "fanciful_name", "class_type_description", "origin_description", "product_type", "signal_type")


def alert_payload(match: dict[str, Any]) -> dict[str, Any]:
    """The alert of one watchlist match (a row of :func:`ttb_cola.serve.matches.watch_matches`)."""
    out = {name: match.get(name) for name in FIELDS}
    out["registry_url"] = DETAIL_URL.format(ttb_id=match["ttb_id"])
    return out


def title(match: dict[str, Any]) -> str:
    """A one-line title: the brand, the company and the entry it matched."""
    brand = " ".join(part for part in (match.get("brand_name"), match.get("fanciful_name")) if part) or "(no brand)"
    return f"{brand} ({match.get('company_name') or match.get('permit_number') or 'unknown company'}), " \
           f"TTB ID {match['ttb_id']}: {match['entry_name']}"
