"""Benchmark plumbing: the simulator and `ttb-cola ingest` as separate processes, like production.

Separate processes keep the simulator's work off the pipeline's interpreter, so the figures measure
the pipeline, and let us read each ingest's own peak memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from ingest_helpers import add_colas_view  # noqa: E402
from ports import free_port  # noqa: E402


class Simulator:
    """`ttb-cola simulate serve` in a subprocess."""

    def __init__(self, seed: int, as_of: date, *fault_args: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/colasonline"
        self.control = f"http://127.0.0.1:{self.port}/__sim__"
        self.process = subprocess.Popen(
            [str(BIN / "ttb-cola"), "simulate", "serve", "--port", str(self.port), "--seed", str(seed),
             "--as-of", as_of.isoformat(), *fault_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.call("health")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.1)

    def call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET (or POST ``body`` to) a control endpoint."""
        data = json.dumps(body).encode() if body is not None else None
        with urllib.request.urlopen(f"{self.control}/{path}", data=data, timeout=10) as response:
            return json.loads(response.read())

    def page_requests(self) -> int:
        """Detail and form pages served so far."""
        return self.call("stats")["requests"].get("viewColaDetails.do", 0)

    def all_requests(self) -> int:
        """Every registry request served so far (search, export and paging included)."""
        return sum(self.call("stats")["requests"].values())

    def set_as_of(self, day: date) -> None:
        """Move the registry's clock."""
        self.call("as_of", {"as_of": day.isoformat()})

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass
class IngestRun:
    """One `ttb-cola ingest` process: exit status, wall seconds, peak resident memory."""

    status: int
    seconds: float
    peak_mb: float
    stderr: str


def ingest(workdir: Path, base_url: str, start: date, end: date, today: date, *extra: str) -> IngestRun:
    """Run `ttb-cola ingest` into ``workdir`` (its own DuckDB file and pipelines dir)."""
    return run_cli(workdir, base_url, today, "ingest", "--start", start.isoformat(), "--end", end.isoformat(), *extra)


def run_cli(workdir: Path, base_url: str, today: date, command: str, *args: str, **env_vars: str) -> IngestRun:
    """Run a crawling `ttb-cola` command into ``workdir`` (its own DuckDB file and pipelines dir)."""
    env = dict(os.environ, **env_vars)
    env["DESTINATION__DUCKDB__CREDENTIALS"] = str(workdir / "warehouse.duckdb")
    env["RUNTIME__LOG_LEVEL"] = "ERROR"
    cmd = [str(BIN / "ttb-cola"), command, *args, "--today", today.isoformat(), "--base-url", base_url,
           "--pipelines-dir", str(workdir / "pipelines"), "--quiet"]
    started = time.perf_counter()
    # output to files, not pipes: a long run's summary would fill a pipe nobody reads until it ends
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=err, text=True)
        with PeakMemory(process.pid) as peak:
            _, status, _ = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        err.seek(0)
        stderr = err.read()
    return IngestRun(os.waitstatus_to_exitcode(status), seconds, peak.mib, stderr)


def _proc_status(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of a live process, in KiB ({} once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            lines = [line.split(":", 1) for line in status]
    except OSError:
        return {}
    return {key: int(value.split()[0]) for key, value in lines if key in ("VmRSS", "VmHWM")}


def _descendants(pid: int) -> list[int]:
    """The live processes ``pid`` started, and theirs."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            kids = [int(kid) for kid in children.read().split()]
    except OSError:
        return []
    return kids + [grandchild for kid in kids for grandchild in _descendants(kid)]


class PeakMemory:
    """The peak resident memory of a process and the processes it starts, read from ``/proc`` while they run.

    Not the child's ``ru_maxrss``: Linux carries the parent's high-water mark into a child across
    fork and exec, so a bench process holding a simulated registry would be charged to the run it
    starts. ``VmHWM`` is the process's own high-water mark; with processes of its own running, their
    resident sets are summed with its current one at each sample.
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval = pid, interval
        self.kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)

    @property
    def mib(self) -> float:
        """The peak, in MiB."""
        return self.kib / 1024

    def _sample(self) -> None:
        while True:
            own = _proc_status(self.pid)
            if own:
                tree = own.get("VmRSS", 0) + sum(_proc_status(kid).get("VmRSS", 0) for kid in _descendants(self.pid))
                self.kib = max(self.kib, own.get("VmHWM", 0), tree)
            if self._done.wait(self.interval):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def connect(workdir: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse of ``workdir``, read-only, with the temp view ``colas`` (one row per COLA)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{workdir / 'warehouse.duckdb'}' AS wh (READ_ONLY)")
    con.execute("USE wh")
    add_colas_view(con)
    return con


def loaded_statuses(workdir: Path) -> dict[str, tuple[str, date, date | None]]:
    """TTB ID -> (status, receipt date, completed date) of every loaded COLA."""
    with connect(workdir) as con:
        rows = con.sql("select ttb_id, status, receipt_date, completed_date from colas").fetchall()
    return {ttb_id: (status, receipt, completed) for ttb_id, status, receipt, completed in rows}


def loaded_ids(workdir: Path) -> set[str]:
    """TTB IDs of every loaded COLA."""
    with connect(workdir) as con:
        return {row[0] for row in con.sql("select ttb_id from colas").fetchall()}


def crawl_rows(workdir: Path) -> list[dict[str, Any]]:
    """The ``crawl_partitions`` rows."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{workdir / 'warehouse.duckdb'}' AS wh (READ_ONLY)")
    rel = con.sql("select * from wh.ttb_cola.crawl_partitions")
    rows = [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]
    con.close()
    return rows
