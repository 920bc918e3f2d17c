"""Shared fixtures for the label-image tests: a simulator per module, a fast client, a store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from image_helpers import SEED  # noqa: E402
from sim_server import running_simulator  # noqa: E402

from ttb_cola.images.store import ImageStore  # noqa: E402
from ttb_cola.registry.client import RegistryClient, RetryPolicy  # noqa: E402
from ttb_cola_sim.attachments import AttachmentConfig  # noqa: E402
from ttb_cola_sim.server import SimulatorServer  # noqa: E402

FAST = RetryPolicy(max_attempts=3, initial_wait=0.0, max_wait=0.01, jitter=0.0, captcha_wait=0.0,
                   captcha_max_wait=0.01)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    """A simulator (seed 5) shared by a module; the servlet's misbehaviour is reset per test."""
    with running_simulator(seed=SEED) as server:
        yield server


@pytest.fixture(autouse=True)
def _reset_servlet(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sim" in request.fixturenames:
        servlet = request.getfixturevalue("sim").attachments
        servlet.config, servlet.fail_next = AttachmentConfig(), 0


@pytest.fixture
def client(sim: SimulatorServer) -> Iterator[RegistryClient]:
    """A client of the simulator, unlimited rate, tiny backoff."""
    with RegistryClient(sim.base_url, requests_per_second=0, retry_policy=FAST) as c:
        yield c


@pytest.fixture
def store(tmp_path: Path) -> ImageStore:
    """An empty local image store."""
    return ImageStore(str(tmp_path / "images"))
