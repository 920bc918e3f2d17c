"""Helpers of the label-image tests (importable; fixtures live in conftest.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ttb_cola_sim.server import SimulatorServer

SEED = 5
DAY = date(2025, 6, 16)


def raw_records(sim: SimulatorServer, day: date = DAY, method: str = "001") -> list[dict[str, Any]]:
    """The simulator's internal records of one partition (with their label images)."""
    return [sim.registry.raw(r["ttb_id"]) for r in sim.registry.partition_records(day, method)]


def attachment_requests(sim: SimulatorServer) -> int:
    """Image servlet requests the simulator answered so far."""
    return sim.requests.get("publicViewAttachment.do", 0)


def form_requests(sim: SimulatorServer) -> int:
    """Printable form (and detail) requests the simulator answered so far."""
    return sim.requests.get("viewColaDetails.do", 0)
