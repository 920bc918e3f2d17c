"""The simulator stays quiet when a client goes away mid-request (a killed crawl), and still reports other
failures."""

from __future__ import annotations

import socket
import struct
import time
from urllib.parse import urlsplit

import pytest
from sim_server import running_simulator

from ttb_cola_sim import handler


def _reset_mid_request(base_url: str) -> None:
    """Send half a request line, then close with a reset (SO_LINGER 0), as a killed client's socket does."""
    parts = urlsplit(base_url)
    client = socket.create_connection((parts.hostname, parts.port))
    client.sendall(b"GET /colasonline/public")
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


def _wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_client_reset_mid_request_prints_nothing_and_other_errors_still_do(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handled: list[BaseException | None] = []
    original = handler.SimHTTPServer.handle_error

    def recording(self, request, client_address) -> None:  # noqa: ANN001
        import sys

        handled.append(sys.exc_info()[1])
        original(self, request, client_address)

    monkeypatch.setattr(handler.SimHTTPServer, "handle_error", recording)
    with running_simulator(seed=3) as sim:
        capfd.readouterr()
        for _ in range(5):
            _reset_mid_request(sim.base_url)
        _wait_for(lambda: len(handled) >= 5)
        assert len(handled) >= 5 and all(isinstance(e, ConnectionResetError) for e in handled), handled
        assert "Traceback" not in capfd.readouterr().err
        # any other failure is still reported with its traceback
        try:
            raise ValueError("not a disconnect")
        except ValueError:
            original(sim._httpd, None, ("127.0.0.1", 1))
        assert "ValueError: not a disconnect" in capfd.readouterr().err
