"""A registry answering every request with a CAPTCHA stops the run, with few requests sent.

(tests/runs/test_ingest.py checks that state does not advance after a good run; here: a first run and a
multi-day run, and the requests made while blocked. The preflight's search form is spared, so the
block starts with the crawl; the last test blocks the preflight too. Times are measured in
tests/bench, never asserted here.)
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from ingest_helpers import Warehouse
from sim_server import running_simulator

AS_OF = date(2025, 6, 26)
ATTEMPTS = 3
CAPTCHA_BACKOFF = 0.2
LOOKAHEAD = 4  # sequences of one partition in flight at once (probe_lookahead)
PREFLIGHT = ["publicSearchColasBasic.do"]


def test_blocked_from_the_start_stops_fast_with_exit_3_and_nothing_advances(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tally: Counter[str]
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__MAX_ATTEMPTS", str(ATTEMPTS))
    monkeypatch.setenv("SOURCES__TTB_COLA__CAPTCHA_BACKOFF", str(CAPTCHA_BACKOFF))
    with running_simulator(seed=3, as_of=AS_OF, faults={"block_all": True, "spare_paths": PREFLIGHT}) as sim:
        status = warehouse.ingest(sim.base_url, "--start", "2025-06-09", "--end", "2025-06-15", today=AS_OF)
        pages = sim.requests.get("viewColaDetails.do", 0)
        captchas = sim.faults.counts["captcha"]
    tally["fault:captcha"] += captchas
    out, err = capsys.readouterr()
    assert status == 3
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "the registry is blocking us" in lines[0] and "Traceback" not in err
    # Stopped: the registry never served a page, and the client did not hammer it: at most one first
    # request and its retries per in-flight sequence of each worker before the stop (28 partitions planned, 4 workers).
    assert pages == 0
    assert captchas <= 1 + 4 * LOOKAHEAD * ATTEMPTS, captchas
    states = warehouse.state()
    assert len(states) == 28
    assert all(s["highest"] == 0 and s["holes"] == [] and s["last_checked"] is None for s in states.values())
    assert all(s["status"] == "failed" for s in states.values())
    if warehouse.db.exists():
        assert warehouse.query("select count(*) from colas") == [(0,)]
    assert "blocking" in out or "failed" in out  # the summary names the failed partitions


def test_blocking_midway_keeps_confirmed_progress_only(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, tally: Counter[str]
) -> None:
    """Blocked after a first good run: no partition's confirmed state moves, nothing is lost."""
    monkeypatch.setenv("SOURCES__TTB_COLA__MAX_ATTEMPTS", str(ATTEMPTS))
    monkeypatch.setenv("SOURCES__TTB_COLA__CAPTCHA_BACKOFF", str(CAPTCHA_BACKOFF))
    # a weekend's e-filed partitions (the one receipt method with public records on those days)
    args = ("--start", "2025-06-14", "--end", "2025-06-15", "--methods", "001")
    with running_simulator(seed=3, as_of=AS_OF) as sim:
        assert warehouse.ingest(sim.base_url, *args, today=AS_OF) == 0
        before, loaded = warehouse.state(), warehouse.colas()
        sim.set_faults(block_all=True, spare_paths=PREFLIGHT)
        assert warehouse.ingest(sim.base_url, *args, "--reprobe", today=AS_OF) == 3
        tally["fault:captcha"] += sim.faults.counts["captcha"]
    after = warehouse.state()
    for key, old in before.items():
        assert (after[key]["highest"], after[key]["holes"], after[key]["last_checked"]) == (
            old["highest"], old["holes"], old["last_checked"])
    assert warehouse.colas() == loaded


def test_blocked_preflight_exits_3_and_writes_nothing(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str], tally: Counter[str]
) -> None:
    with running_simulator(seed=3, as_of=AS_OF, faults={"block_all": True}) as sim:
        status = warehouse.ingest(sim.base_url, "--date", "2025-06-16", today=AS_OF)
        sent = sim.faults.counts["captcha"]
    tally["fault:captcha"] += sent
    _, err = capsys.readouterr()
    assert status == 3 and "is blocking us" in err and err.count("\n") == 1
    assert sent <= 3  # the preflight's attempts, nothing after
    assert not warehouse.db.exists()
