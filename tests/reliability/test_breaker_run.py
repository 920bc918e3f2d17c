"""The circuit breaker on whole runs: a hard block stops the run after about K requests (exit 3, the body
kept for diagnosis), a WAF's 403 after a few (``block_forbidden``); ``--on-block wait`` cools down and
finishes the run once the registry is back.

The preflight's search form is spared, so the block starts with the crawl. Times are measured in
tests/bench (block to exit), never asserted.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import date

import pytest
from ingest_helpers import Warehouse, assert_same_records, truth
from sim_server import running_simulator

AS_OF = date(2025, 6, 26)
DAY = date(2025, 6, 14)  # a Saturday: 47 public records, about 300 requests once the block lifts
PREFLIGHT = ["publicSearchColasBasic.do"]
THRESHOLD = 24
FORBIDDEN = 3  # block_forbidden's default
IN_FLIGHT = 4 * 4  # workers x probe_lookahead


@pytest.mark.parametrize("kind", ["forbidden", "maintenance", "server_error"])
def test_hard_block_stops_the_run_after_about_k_requests(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tally: Counter[str], kind: str,
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__BLOCK_THRESHOLD", str(THRESHOLD))
    faults = {"block_all": True, "block_kind": kind, "spare_paths": PREFLIGHT}
    with running_simulator(seed=3, as_of=AS_OF, faults=faults) as sim:
        status = warehouse.ingest(sim.base_url, "--start", "2025-06-09", "--end", "2025-06-15", today=AS_OF)
        sent = sim.faults.counts[kind]
    tally[f"fault:{kind}"] += sent
    _, err = capsys.readouterr()
    assert status == 3
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "circuit breaker open" in lines[0] and "Traceback" not in err
    trips = FORBIDDEN if kind == "forbidden" else THRESHOLD
    assert trips <= sent <= trips + IN_FLIGHT, sent
    saved = sorted((warehouse.root / "quarantine").glob("*.body"))
    assert len(saved) == 1 and str(saved[0]) in lines[0]
    meta = json.loads(saved[0].with_suffix(".json").read_text())
    assert meta["status_code"] in (200, 403, 500, 503) and "viewColaDetails.do" in meta["url"]
    states = warehouse.state()
    assert states and all(s["highest"] == 0 and s["status"] == "failed" for s in states.values())


def test_403_from_the_21st_request_on_stops_the_run_after_a_few(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tally: Counter[str]
) -> None:
    """A WAF that refuses every request with HTTP 403 from the run's 21st request on (the preflight's
    included), default breaker and CAPTCHA settings: exit 3 with one line naming the 403s, after a few
    403s (at most ``block_forbidden`` plus the requests already in flight), not minutes of backoff. The
    time to the exit is measured (printed, and in the reliability counts), not asserted."""
    monkeypatch.setenv("SOURCES__TTB_COLA__CAPTCHA_BACKOFF", "30")  # the default: a 403 must not wait it out
    faults = {"block_from": 21, "block_kind": "forbidden"}
    with running_simulator(seed=3, as_of=AS_OF, faults=faults) as sim:
        started = time.monotonic()
        status = warehouse.ingest(sim.base_url, "--start", "2025-06-09", "--end", "2025-06-15", today=AS_OF)
        seconds = time.monotonic() - started
        after_block = sim.faults.counts["forbidden"]  # every request from the 21st on is a 403
        answered = sim.faults.counts["ok"]
    tally["fault:forbidden"] += after_block
    tally["block403_run_ms"] += round(seconds * 1000)
    _, err = capsys.readouterr()
    with capsys.disabled():
        print(f"\n403 from request 21: {after_block} 403s answered (the first included), run {seconds:.2f} s")
    assert status == 3
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "circuit breaker open" in lines[0] and "HTTP 403" in lines[0], err
    assert answered == 20
    assert FORBIDDEN <= after_block <= FORBIDDEN + IN_FLIGHT, after_block


@pytest.mark.parametrize("threshold", [THRESHOLD, 1_000_000])
def test_an_outage_midway_is_not_parked_cola_by_cola(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, tally: Counter[str], threshold: int
) -> None:
    """Every request answers 5xx from the 61st on: no page is answered while the failing ones retry, so
    none of them counts as one COLA's fault. The breaker stops the run (exit 3); out of its reach
    (a threshold never met) the partitions fail (exit 1). Either way nothing is parked but, at most,
    requests already in flight when the outage began (pages were answered after they started), and
    those are retried first by the next run."""
    monkeypatch.setenv("SOURCES__TTB_COLA__BLOCK_THRESHOLD", str(threshold))
    monkeypatch.setenv("SOURCES__TTB_COLA__MAX_ATTEMPTS", "3")
    faults = {"block_from": 61, "block_kind": "server_error"}
    with running_simulator(seed=3, as_of=AS_OF, faults=faults) as sim:
        status = warehouse.ingest(sim.base_url, "--start", "2025-06-09", "--end", "2025-06-15", today=AS_OF)
        tally["fault:server_error"] += sim.faults.counts["server_error"]
    parked = warehouse.query("select ttb_id from ttb_cola.crawl_parked")
    tally["outage_cola_parked"] += len(parked)
    assert status == (3 if threshold == THRESHOLD else 1)
    # At most the requests of each in-flight slot started before the last page of the registry
    # answered (0 to 12 in trials); parking every failing COLA would park 4 to 5 per partition (28).
    assert len(parked) <= 2 * IN_FLIGHT, len(parked)
    states = warehouse.state()
    assert any(s["status"] == "failed" for s in states.values())


def test_on_block_wait_cools_down_and_finishes_the_run(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, tally: Counter[str]
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__BLOCK_THRESHOLD", str(THRESHOLD))
    monkeypatch.setenv("SOURCES__TTB_COLA__BLOCK_COOLDOWN", "0.5")
    monkeypatch.setenv("SOURCES__TTB_COLA__MAX_ATTEMPTS", "2")  # attempts run out during the block
    faults = {"block_all": True, "block_kind": "forbidden", "spare_paths": PREFLIGHT}
    quarantine = warehouse.root / "quarantine"
    with running_simulator(seed=3, as_of=AS_OF, faults=faults) as sim:
        done = threading.Event()

        def heal() -> None:  # the registry lifts the block once the breaker has tripped
            while not done.is_set() and not list(quarantine.glob("*.body")):
                done.wait(0.02)
            tally["fault:forbidden"] += sim.faults.counts["forbidden"]
            sim.set_faults(None)

        healer = threading.Thread(target=heal, daemon=True)
        healer.start()
        try:
            status = warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), "--on-block", "wait", today=AS_OF)
        finally:
            done.set()
            healer.join(timeout=60)
        expected = truth(sim.registry, [DAY], AS_OF)
    assert status == 0
    assert list(quarantine.glob("*.body"))
    assert_same_records(warehouse.colas(), expected)
    tally["records_lost"] += 0
