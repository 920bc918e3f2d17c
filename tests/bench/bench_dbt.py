"""dbt build time on 1M simulated COLAs : generated in DuckDB, no HTTP."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import tempfile
import time
from pathlib import Path

from harness import BIN, REPO

ROWS = 1_000_000


def build_1m() -> None:
    """Generate 1M COLAs in the dlt tables' exact shape, then time `dbt build` on them."""
    spec = importlib.util.spec_from_file_location("make_dev_data", REPO / "transform" / "scripts" / "make_dev_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        started = time.perf_counter()
        module.make_dev_data(db, rows=ROWS)
        generated = time.perf_counter() - started
        env = dict(os.environ, TTB_COLA_DUCKDB=str(db), DBT_TARGET_PATH=f"{tmp}/target", DBT_LOG_PATH=f"{tmp}/logs")
        started = time.perf_counter()
        done = subprocess.run([str(BIN / "dbt"), "build", "--project-dir", "transform", "--quiet"], cwd=REPO,
                              env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"dbt build failed:\n{done.stdout[-3000:]}")
    print(f"dbt build on {ROWS:,} COLAs: {seconds:.1f} s wall (target <= 60 s: {seconds / 60:.2f}x); "
          f"data generated in {generated:.1f} s")


BENCHES = {"dbt": build_1m}
