"""Helpers of the reliability suite: truth checks on state, subprocess ingests, lake readers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import METHODS, Warehouse

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# The fault mix the reliability tests run under: 10% 5xx, 2% resets, 2% hangs, 2% truncated pages, 1% CAPTCHA,
# 1% session timeouts.
FAULT_MIX: dict[str, Any] = {
    "error_rate": 0.10,
    "reset_rate": 0.02,
    "hang_rate": 0.02,
    "truncate_rate": 0.02,
    "captcha_rate": 0.01,
    "session_timeout_rate": 0.01,
    "hang_seconds": 5.0,  # longer than the request timeout the tests set (2 s): a hang is a timeout
}
INJECTED_KINDS = ("server_error", "reset", "hang", "truncate", "captcha", "session_timeout")
# Small waits so retries and CAPTCHA backoff cost milliseconds; dlt reads these as source settings.
FAST_ENV = {
    "SOURCES__TTB_COLA__BACKOFF_INITIAL": "0.01",
    "SOURCES__TTB_COLA__BACKOFF_MAX": "0.05",
    "SOURCES__TTB_COLA__CAPTCHA_BACKOFF": "0.01",
    "SOURCES__TTB_COLA__REQUEST_TIMEOUT": "2",
    # every field, vendor_code included, is compared with the truth: both pages of each COLA
    "SOURCES__TTB_COLA__PAGES": "both",
}


#: The request timeout of a run in the test's own process (seconds), beside the simulator's threads.
IN_PROCESS_REQUEST_TIMEOUT = "20"


def days(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def method_truth(registry: Any, receipt_days: Iterable[date], as_of: date, methods: Iterable[str] = METHODS
                 ) -> dict[str, dict[str, Any]]:
    """The simulator's public records of ``receipt_days`` x ``methods`` as of ``as_of``, by TTB ID."""
    return {r["ttb_id"]: r for day in receipt_days for method in methods
            for r in registry.partition_records(day, method, as_of)}


def assert_state_never_denies_a_public_record(
    states: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]
) -> int:
    """No public sequence is a hole, and every open or settled partition reaches its highest public sequence.

    Returns:
        How many public records the state counted as not found (0 when the assertion holds).
    """
    public: dict[str, set[int]] = {}
    for record in expected.values():
        public.setdefault(f"{record['receipt_date']}|{record['receipt_method']}", set()).add(int(record["sequence"]))
    denied = 0
    for key, state in states.items():
        seqs = public.get(key, set())
        wrong = seqs & set(state["holes"])
        denied += len(wrong)
        assert not wrong, f"{key}: public sequences {sorted(wrong)[:5]} recorded as holes"
        if state["status"] != "failed" and seqs:
            assert state["highest"] >= max(seqs), f"{key}: frontier stopped at {state['highest']} < {max(seqs)}"
    return denied


def assert_subset_of_truth(loaded: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> None:
    """Nothing invented: every loaded record exists in the truth with equal compared fields."""
    from ingest_helpers import assert_same_records

    extra = loaded.keys() - expected.keys()
    assert not extra, f"invented records {sorted(extra)[:5]}"
    assert_same_records(loaded, {k: expected[k] for k in loaded})


def ingest_command(workdir: Path, base_url: str, start: date, end: date, today: date, *extra: str) -> list[str]:
    """`ttb-cola ingest` as a subprocess command line, writing under ``workdir``."""
    return [str(BIN / "ttb-cola"), "ingest", "--start", start.isoformat(), "--end", end.isoformat(),
            "--today", today.isoformat(), "--base-url", base_url, "--requests-per-second", "0",
            "--pipelines-dir", str(workdir / "pipelines"), "--quiet", *extra]


def subprocess_env(workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of a subprocess ingest: its own DuckDB file and dlt data dir, fast backoff."""
    env = dict(os.environ)
    env.update(FAST_ENV)
    env["DESTINATION__DUCKDB__CREDENTIALS"] = str(workdir / "data" / "warehouse.duckdb")
    env["DLT_DATA_DIR"] = str(workdir / "dlt")
    env["RUNTIME__LOG_LEVEL"] = "WARNING"
    env.update(extra)
    return env


def run_ingest(cmd: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run an ingest subprocess to its end."""
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def ingest_in_process(cmd: list[str], env: dict[str, str], capfd: pytest.CaptureFixture[str] | None = None
                      ) -> tuple[int, str]:
    """Run the ``ttb-cola`` command line ``cmd`` in this process, with ``env``'s variables and the repository
    as working directory, as :func:`run_ingest` would in a subprocess but without a new interpreter's start-up
    (imports, dlt set-up). For reruns whose process is not what is tested (a killed run's is). The request
    timeout is the in-process tests' generous one (see ``ingest_helpers.Warehouse``): the simulator answers
    from a thread of this same process, so on a busy machine its answers wait for the crawl's threads.

    Returns:
        Its exit status and what it wrote to stderr (``capfd`` given: Python's and the file descriptor's).
        The simulator's server threads share that stderr: while the run lasts, what they report of a
        failed request (a killed run's connection) is written after it, outside what is returned, as a
        subprocess's stderr never held it.
    """
    import socketserver
    import traceback

    from ttb_cola.cli import main

    reports: list[str] = []

    def handle_error(server: socketserver.BaseServer, request: Any, client_address: Any) -> None:
        reports.append(f"simulator: a request from {client_address} failed:\n{traceback.format_exc()}")

    env = {**env, "SOURCES__TTB_COLA__REQUEST_TIMEOUT": IN_PROCESS_REQUEST_TIMEOUT}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socketserver.BaseServer, "handle_error", handle_error)
        for name, value in env.items():
            if os.environ.get(name) != value:
                patch.setenv(name, value)
        patch.chdir(REPO)
        if capfd is not None:
            capfd.readouterr()
        status = main(cmd[1:])
        err = capfd.readouterr().err if capfd is not None else ""
    sys.stderr.write("".join(reports))
    return status, err


def duplicate_count(warehouse: Warehouse) -> int:
    """Rows of ``colas`` beyond one per TTB ID."""
    [(dupes,)] = warehouse.query("select count(*) - count(distinct ttb_id) from ttb_cola.cola_details")
    return int(dupes)
