"""Shared fixtures for the simulator tests: one running simulator per module, a fresh client per test (the
helpers they use are in sim_helpers.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim_helpers import AS_OF, SEED, Client  # noqa: E402
from sim_server import running_simulator  # noqa: E402

from ttb_cola_sim.server import SimulatorServer  # noqa: E402


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    """A simulator (seed 11, as of 2025-06-30) shared by a test module; faults are cleared per use."""
    with running_simulator(seed=SEED, as_of=AS_OF) as server:
        yield server


@pytest.fixture
def client(sim: SimulatorServer) -> Iterator[Client]:
    """A fresh client of the module's simulator (no cookie yet)."""
    c = Client(sim)
    yield c
    c.close()
