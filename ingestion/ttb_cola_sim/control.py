"""The simulator's controls: its clock, its fault settings, its sessions and its counts.

Tests call them in process; a separate process (``ttb-cola simulate serve``) is driven through the
JSON endpoints under ``/__sim__`` (never faulted): ``/health``, ``/as_of`` (GET; POST ``?date=YYYY-MM-DD``
or a JSON body ``{"as_of": ...}``), ``/faults`` (GET; POST a JSON object of
:class:`~ttb_cola_sim.faults.FaultConfig` fields, ``{}`` clears), ``/sessions/expire`` (POST), ``/stats``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from ttb_cola_sim.accounting import RequestCounts
from ttb_cola_sim.faults import FaultConfig, FaultInjector
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.responses import Response
from ttb_cola_sim.search import Sessions


def fault_config(faults: FaultConfig | dict[str, Any] | None) -> FaultConfig:
    """Fault settings from a :class:`FaultConfig`, a dict of its fields, or None (no faults)."""
    if isinstance(faults, FaultConfig):
        return faults
    return FaultConfig.from_dict(faults)


class Controls:
    """What a test may change or read while the simulator serves."""

    def __init__(self, registry: Registry, faults: FaultInjector, sessions: Sessions,
                 requests: RequestCounts) -> None:
        self.registry = registry
        self.faults = faults
        self.sessions = sessions
        self.requests = requests

    def set_as_of(self, as_of: date | str) -> None:
        """Move the registry clock."""
        self.registry.set_as_of(date.fromisoformat(as_of) if isinstance(as_of, str) else as_of)

    def set_faults(self, faults: FaultConfig | dict[str, Any] | None = None, **settings: Any) -> None:
        """Replace the fault settings (``set_faults()`` clears them; keywords are FaultConfig fields)."""
        config = fault_config(faults)
        if settings:
            config = FaultConfig.from_dict({**config.to_dict(), **settings})
        self.faults.configure(config)

    def answer(self, method: str, path: str, query: str, body: bytes) -> Response:
        """Answer a request to a ``/__sim__`` endpoint (JSON)."""
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            return _json({"error": "body is not JSON"}, 400)
        if not isinstance(payload, dict):
            return _json({"error": "body is not a JSON object"}, 400)
        try:
            if path == "/health":
                return _json({"ok": True, "seed": self.registry.seed, "as_of": self.registry.as_of.isoformat()})
            if path == "/as_of":
                if method == "POST":
                    as_of = params.get("date") or payload.get("as_of") or payload.get("date")
                    if not isinstance(as_of, str):  # refused before the clock moves: a bad one would stay
                        raise ValueError("as_of needs a date: ?date=YYYY-MM-DD or {\"as_of\": \"YYYY-MM-DD\"}")
                    self.set_as_of(as_of)
                return _json({"as_of": self.registry.as_of.isoformat()})
            if path == "/faults":
                if method == "POST":
                    self.set_faults(FaultConfig.from_dict(payload))
                return _json({"faults": self.faults.config.to_dict(), "counts": dict(self.faults.counts)})
            if path == "/sessions/expire" and method == "POST":
                self.sessions.expire_all()
                return _json({"ok": True})
            if path == "/stats":
                return _json({"requests": self.requests.snapshot(), "faults": dict(self.faults.counts)})
        except (TypeError, ValueError) as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"error": f"unknown control path {path}"}, 404)


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data).encode(), status, "application/json")
