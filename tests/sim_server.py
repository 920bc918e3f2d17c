"""Start the local registry simulator for a test: ``with running_simulator(seed=1) as sim: sim.base_url``.

The server runs in-process, in a daemon thread, on a free loopback port, and is stopped (socket
closed, hanging responses released) when the block exits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from ttb_cola_sim.faults import FaultConfig
from ttb_cola_sim.registry import DEFAULT_START, Registry
from ttb_cola_sim.search import EXPORT_CAP
from ttb_cola_sim.server import SimulatorServer

DEFAULT_AS_OF = date(2025, 6, 30)


@contextmanager
def running_simulator(
    seed: int = 1,
    as_of: date | str | None = DEFAULT_AS_OF,
    faults: FaultConfig | dict[str, Any] | None = None,
    start: date = DEFAULT_START,
    session_ttl: float = 1800.0,
    export_cap: int = EXPORT_CAP,
) -> Iterator[SimulatorServer]:
    """Run a simulator for the duration of the block.

    Yields:
        The running :class:`SimulatorServer`: ``.base_url`` (``http://127.0.0.1:PORT/colasonline``),
        ``.registry`` (the truth: ``.record(id)``, ``.partition_records(day, method)``...),
        ``.set_as_of(date)``, ``.set_faults(config_or_dict_or_None, **fields)``. ``export_cap``: the rows
        its CSV export holds at most (a small cap makes a small registry's days overflow the export).
    """
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    registry = Registry(seed=seed, as_of=as_of, start=start)
    server = SimulatorServer(registry, faults=faults, session_ttl=session_ttl, export_cap=export_cap)
    server.start()
    try:
        yield server
    finally:
        server.stop()
