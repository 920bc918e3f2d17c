"""`dbt <args>` on a test's warehouse file that reuses the session's parse of transform/ (dbt's partial parse).

dbt parses the whole project (some 3 s of CPU) on every invocation whose target folder holds no
``partial_parse.msgpack`` saved under the same profile, `--vars` and project. Here dbt runs in the
warehouse file's folder with ``TTB_COLA_DUCKDB`` set to the file's bare name, so every test's profile
reads the same; the first run of the session saves its ``partial_parse.msgpack`` in the session's shared
folder and later runs start from a copy. dbt itself checks that the copy still fits (profile, vars,
environment, every file's checksum) and parses in full when it does not, so a stale copy costs time only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from digest_helpers import DBT, ROOT
from shared_builds import shared_root

SAVED = "partial_parse.msgpack"


def dbt_reusing_parse(factory: pytest.TempPathFactory, db: Path, work: Path, *args: str,
                      dbt_vars: str | None = None) -> str:
    """`dbt <args>` (``dbt_vars`` as `--vars`) on transform/ over ``db``, artifacts under ``work``, as
    digest_helpers.dbt_command runs it but from the session's saved parse; returns the log, asserts success."""
    key = hashlib.sha256(f"{db.name}\0{dbt_vars}".encode()).hexdigest()[:16]
    cache = shared_root(factory) / "dbt-parse" / key / SAVED
    target = work / "target"
    target.mkdir(parents=True, exist_ok=True)
    if cache.exists() and not (target / SAVED).exists():
        shutil.copy2(cache, target / SAVED)
    env = {
        **os.environ,
        "TTB_COLA_DUCKDB": db.name,
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    for var in ("DBT_PROFILES_DIR", "DBT_TARGET"):
        env.pop(var, None)
    exe = str(DBT) if DBT.exists() else shutil.which("dbt")
    assert exe, "dbt is not installed"
    command = [exe, *args, *(["--vars", dbt_vars] if dbt_vars else []), "--project-dir", str(ROOT / "transform"),
               "--profiles-dir", str(ROOT)]
    done = subprocess.run(command, cwd=db.parent, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    if not cache.exists() and (target / SAVED).exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{SAVED}.{os.getpid()}")
        shutil.copy2(target / SAVED, partial)
        os.replace(partial, cache)  # whole or not at all: another worker may be reading it
    return done.stdout
