"""`ttb-cola digest` and `ttb-cola report` times on 1M COLAs: dev data, dbt build, then each command."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb
from harness import BIN, REPO

ROWS = 1_000_000
TARGET_SECONDS = 30


def _timed(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "ttb-cola"), *args], cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"ttb-cola {args[0]} failed:\n{done.stderr[-3000:]}")
    return seconds


def digest_and_report_1m() -> None:
    """Build the marts of 1M generated COLAs, then time the digest and the report of the busiest recent week."""
    spec = importlib.util.spec_from_file_location("make_dev_data", REPO / "transform" / "scripts" / "make_dev_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        module.make_dev_data(db, rows=ROWS)
        env = dict(os.environ, TTB_COLA_DUCKDB=str(db), DBT_TARGET_PATH=f"{tmp}/target", DBT_LOG_PATH=f"{tmp}/logs")
        started = time.perf_counter()
        done = subprocess.run([str(BIN / "dbt"), "build", "--project-dir", "transform", "--quiet"], cwd=REPO,
                              env=env, capture_output=True, text=True, check=False)
        built = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"dbt build failed:\n{done.stdout[-3000:]}")
        with duckdb.connect(str(db), read_only=True) as con:
            [(approved,)] = con.execute("select count(*) from marts.fct_cola_approvals").fetchall()
            [(monday, in_week)] = con.execute(
                "select date_trunc('week', approval_date)::date, count(*) from marts.fct_cola_approvals"
                " where approval_date is not null group by 1 order by 2 desc limit 1").fetchall()
        week = monday.isoformat()
        digest = _timed("digest", "--duckdb", str(db), "--week", week, "--out", f"{tmp}/digest")
        report = _timed("report", "--duckdb", str(db), "--week", week, "--out", f"{tmp}/report")
        size = Path(f"{tmp}/report/index.html").stat().st_size
    print(f"digest on {approved:,} COLAs (busiest week, of {week}: {in_week:,} approvals): {digest:.1f} s wall, "
          f"process start included "
          f"(target <= {TARGET_SECONDS} s: {digest / TARGET_SECONDS:.2f}x)")
    print(f"report on {approved:,} COLAs: {report:.1f} s wall, index.html {size / 1e6:.1f} MB "
          f"(target <= {TARGET_SECONDS} s: {report / TARGET_SECONDS:.2f}x); dbt build before them {built:.1f} s")


BENCHES = {"digest": digest_and_report_1m}
