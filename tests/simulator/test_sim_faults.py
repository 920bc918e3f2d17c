"""Fault injection as configured: seeded rates, 429 Retry-After, resets, hangs, truncation, blocking."""

from __future__ import annotations

import http.client
import socket
import time

import pytest
from sim_helpers import Client, detail_path

from ttb_cola.registry.pages import PageKind, classify
from ttb_cola_sim.faults import FaultConfig, FaultInjector
from ttb_cola_sim.server import SimulatorServer

ID = "25092001000001"


@pytest.fixture(autouse=True)
def _clear_faults(sim: SimulatorServer):
    sim.set_faults(None)
    yield
    sim.set_faults(None)


def test_decisions_are_seeded_and_reproducible() -> None:
    config = FaultConfig(error_rate=0.1, rate_limit_rate=0.1, captcha_rate=0.05, seed=5)
    first = [FaultInjector(config).decide().kind for _ in range(1)]
    a, b = FaultInjector(config), FaultInjector(config)
    kinds_a = [a.decide().kind for _ in range(2000)]
    kinds_b = [b.decide().kind for _ in range(2000)]
    assert kinds_a == kinds_b and first[0] == kinds_a[0]
    assert 0.08 <= kinds_a.count("server_error") / 2000 <= 0.12
    assert 0.08 <= kinds_a.count("rate_limit") / 2000 <= 0.12
    assert 0.03 <= kinds_a.count("captcha") / 2000 <= 0.07
    with pytest.raises(ValueError):
        FaultConfig(error_rate=0.7, reset_rate=0.7)


def test_error_and_rate_limit_rates_over_http(sim: SimulatorServer, client: Client) -> None:
    sim.set_faults(error_rate=0.2, rate_limit_rate=0.1, retry_after=7, seed=3)
    statuses = []
    for _ in range(300):
        status, headers, _ = client.request("GET", detail_path(ID))
        statuses.append(status)
        if status == 429:
            assert headers["retry-after"] == "7"
    errors = sum(s >= 500 for s in statuses) / len(statuses)
    limited = statuses.count(429) / len(statuses)
    assert 0.13 <= errors <= 0.27 and 0.05 <= limited <= 0.15


def test_latency(sim: SimulatorServer, client: Client) -> None:
    sim.set_faults(latency_ms=40, jitter_ms=20)
    started = time.monotonic()
    for _ in range(5):
        client.get(detail_path(ID))
    elapsed = (time.monotonic() - started) / 5
    assert elapsed >= 0.04  # no upper bound: a busy machine only makes it slower


def test_reset_closes_the_socket(sim: SimulatorServer) -> None:
    sim.set_faults(reset_rate=1.0)
    conn = http.client.HTTPConnection(sim.host, sim.port, timeout=5)
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine)):
        conn.request("GET", f"/colasonline/{detail_path(ID)}")
        conn.getresponse().read()
    conn.close()


def test_hang_exceeds_client_timeout(sim: SimulatorServer) -> None:
    sim.set_faults(hang_rate=1.0, hang_seconds=2.0)
    conn = http.client.HTTPConnection(sim.host, sim.port, timeout=0.3)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout)):
        conn.request("GET", f"/colasonline/{detail_path(ID)}")
        conn.getresponse().read()
    assert time.monotonic() - started >= 0.3
    conn.close()


def test_truncated_body_is_cut(sim: SimulatorServer) -> None:
    sim.set_faults(truncate_rate=1.0)
    with socket.create_connection((sim.host, sim.port), timeout=5) as sock:
        sock.sendall(f"GET /colasonline/{detail_path(ID)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    length = int(lengths[0])
    assert 0 < len(body) < length
    assert classify(body) == PageKind.UNKNOWN


def test_captcha_session_timeout_and_block_all(sim: SimulatorServer, client: Client) -> None:
    sim.set_faults(captcha_rate=1.0)
    assert classify(client.get(detail_path(ID))) == PageKind.CAPTCHA
    sim.set_faults(session_timeout_rate=1.0)
    assert classify(client.get(detail_path(ID))) == PageKind.SESSION_TIMEOUT
    sim.set_faults(block_all=True)
    for path in (detail_path(ID), "publicSearchColasBasic.do", "publicViewSignature.do?ttbid=1"):
        body = client.get(path)
        assert b"What code is in the image?" in body and b"Your support ID is" in body
    sim.set_faults(None)
    assert classify(client.get(detail_path(ID))) in (PageKind.DETAIL, PageKind.NOT_FOUND)


def test_control_endpoints(sim: SimulatorServer, client: Client) -> None:
    import json

    status, _, body = client.request("POST", "/__sim__/faults", json.dumps({"captcha_rate": 1.0}).encode(),
                                     {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body)["faults"]["captcha_rate"] == 1.0
    assert classify(client.get(detail_path(ID))) == PageKind.CAPTCHA
    client.request("POST", "/__sim__/faults", b"{}", {"Content-Type": "application/json"})
    status, _, body = client.request("POST", "/__sim__/faults", b'{"nope": 1}', {"Content-Type": "application/json"})
    assert status == 400
    clock = sim.registry.as_of
    for bad in (b"", b'{"as_of": 20250601}', b'["2025-06-01"]', b'{"as_of": "June"}'):  # no date, not a date
        status, _, body = client.request("POST", "/__sim__/as_of", bad, {"Content-Type": "application/json"})
        assert status == 400 and "error" in json.loads(body)
    assert sim.registry.as_of == clock
    status, _, body = client.request("GET", "/__sim__/health", b"", {})
    assert status == 200 and json.loads(body)["as_of"] == clock.isoformat()
