"""The fixed cost of an ingest: CPU of in-process ingests (one day; eight one-day chunks) against the
simulator, and the dlt configuration resolutions each makes (how many, and their share of the CPU)."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from harness import Simulator

SEED = 11
AS_OF = date(2025, 6, 30)
REPO = Path(__file__).resolve().parents[2]
RUNS = 3


@contextlib.contextmanager
def counted_resolutions() -> Iterator[list[float]]:
    """[count, seconds] of dlt's configuration resolutions (outermost calls) while the block runs."""
    import dlt.common.configuration.resolve as resolve

    original: Callable[..., Any] = resolve._resolve_configuration
    totals = [0.0, 0.0]
    depth = [0]

    def counting(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                totals[0] += 1
                totals[1] += time.perf_counter() - start

    resolve._resolve_configuration = counting
    try:
        yield totals
    finally:
        resolve._resolve_configuration = original


def _ingest(base_url: str, days: int) -> tuple[float, float, float]:
    """CPU seconds, resolutions and their seconds of one in-process ingest of ``days`` one-day chunks."""
    from ttb_cola.cli import main

    work = Path(tempfile.mkdtemp(prefix="run-cost-"))
    os.environ.update({
        "DESTINATION__DUCKDB__CREDENTIALS": str(work / "data" / "warehouse.duckdb"),
        "DLT_DATA_DIR": str(work / "dlt"), "RUNTIME__LOG_LEVEL": "WARNING",
        "SOURCES__TTB_COLA__PAGES": "both",
    })
    end = AS_OF - timedelta(days=10)
    start = end - timedelta(days=days - 1)
    argv = ["ingest", "--start", start.isoformat(), "--end", end.isoformat(), "--today", AS_OF.isoformat(),
            "--base-url", base_url, "--requests-per-second", "0", "--pipelines-dir", str(work / "pipelines"),
            "--quiet", "--chunk-days", "1"]
    with counted_resolutions() as resolutions, contextlib.redirect_stdout(io.StringIO()):
        cpu = time.process_time()
        status = main(argv)
        cpu = time.process_time() - cpu
    if status != 0:
        raise SystemExit(f"the {days}-day ingest failed with exit {status}")
    return cpu, resolutions[0], resolutions[1]


def run_cost() -> None:
    """Best of three in-process ingests: one day, and eight days in one-day chunks."""
    os.chdir(REPO)
    with Simulator(SEED, AS_OF) as sim:
        _ingest(sim.base_url, 1)  # imports and dlt's set-up are not a run's cost
        for days in (1, 8):
            runs = [_ingest(sim.base_url, days) for _ in range(RUNS)]
            cpu, count, seconds = min(runs)
            print(f"in-process ingest, {days} one-day chunk(s): {cpu:.2f} s CPU (best of {RUNS}); "
                  f"{count:.0f} dlt config resolutions, {seconds:.2f} s ({seconds / cpu:.0%} of the CPU)")


BENCHES = {"run_cost": run_cost}
