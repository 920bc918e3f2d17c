"""Helpers for the digest and report tests: run `dbt build` on a test's warehouse file, read an .xlsx."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")


def dbt_command(db: Path, work: Path, *args: str) -> str:
    """`dbt <args>` on transform/ over ``db`` (artifacts under ``work``); returns the log, asserts success."""
    env = {
        **os.environ,
        "TTB_COLA_DUCKDB": str(db),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    for var in ("DBT_PROFILES_DIR", "DBT_TARGET"):
        env.pop(var, None)
    exe = str(DBT) if DBT.exists() else shutil.which("dbt")
    assert exe, "dbt is not installed"
    done = subprocess.run([exe, *args, "--project-dir", "transform"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return done.stdout


def dbt_build(db: Path, work: Path, dbt_vars: str | None = None) -> str:
    """`dbt build` of transform/ into ``db`` (artifacts under ``work``, ``dbt_vars`` as ``--vars``); returns
    the log, asserts success."""
    return dbt_command(db, work, "build", *(["--vars", dbt_vars] if dbt_vars else []))


def sheet_rows(path: Path, title: str) -> list[dict[str, Any]]:
    """The rows of one sheet of an .xlsx file, as dicts keyed by the header row."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book[title].iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]
