"""`dbt <args>` on a test's warehouse file, reusing the session's parse of transform/ (dbt's partial parse).

dbt parses the whole project (some 3 s of CPU) on every invocation whose target folder holds no
``partial_parse.msgpack`` saved under the same profile, `--vars` and project, and the profile holds the
warehouse file's path. Here dbt runs in the warehouse file's folder with the path set to the file's bare
name, so every test's profile reads the same; the first run of the session for a file name, target and
`--vars` saves its ``partial_parse.msgpack`` in the session's folder (:func:`keep_parses_in`, set by
tests/conftest.py) and later runs start from a copy. dbt itself checks that the copy still fits (profile,
vars, environment, every file's checksum) and parses in full when it does not, so a stale copy costs time
only. Without a session folder (the benchmarks) every run parses in full.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")
SAVED = "partial_parse.msgpack"
_FOLDER: list[Path] = []


def keep_parses_in(folder: Path) -> None:
    """Keep the session's saved parses in ``folder`` (shared by the session's xdist workers)."""
    _FOLDER[:] = [folder]


def run_dbt(db: Path, work: Path, *args: str, env: dict[str, str] | None = None, db_var: str = "TTB_COLA_DUCKDB",
            timeout: float = 900, file_log: bool = False) -> subprocess.CompletedProcess[str]:
    """`dbt <args> --project-dir transform` over the DuckDB file ``db``, which ``db_var`` names
    (``TTB_COLA_LAKE_DUCKDB`` for the s3 target), artifacts under ``work``, ``env`` over this process's
    environment (no DBT_PROFILES_DIR; DBT_TARGET only when ``env`` sets it); not checked. dbt's debug log
    file (``work/logs/dbt.log``, some 20,000 lines a build and a tenth of its CPU) is written only with
    ``file_log``: the output returned holds the build's lines."""
    run_env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    for var in ("DBT_PROFILES_DIR", "DBT_TARGET", "DBT_LOG_LEVEL_FILE"):
        run_env.pop(var, None)
    if not file_log:
        run_env["DBT_LOG_LEVEL_FILE"] = "none"
    run_env.update(env or {})
    run_env.update({db_var: db.name, "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")})
    saved = work / "target" / SAVED
    kept = _kept(db, _arg(args, "--target") or run_env.get("DBT_TARGET", "dev"), args)
    if kept is not None and kept.exists() and not saved.exists():
        saved.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(kept, saved)
    exe = str(DBT) if DBT.exists() else shutil.which("dbt")
    assert exe, "dbt is not installed"
    command = [exe, *args, "--project-dir", str(ROOT / "transform"), "--profiles-dir", str(ROOT)]
    done = subprocess.run(command, cwd=db.parent, env=run_env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if done.returncode == 0 and kept is not None and not kept.exists() and saved.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f"{SAVED}.{os.getpid()}")
        shutil.copy2(saved, partial)
        os.replace(partial, kept)  # whole or not at all: another worker may be reading it
    return done


def _kept(db: Path, target: str, args: tuple[str, ...]) -> Path | None:
    """Where the session keeps the parse of runs on a file named like ``db``, of ``target`` and these --vars."""
    if not _FOLDER:
        return None
    key = hashlib.sha256(f"{db.name}\0{target}\0{_arg(args, '--vars')}".encode()).hexdigest()[:16]
    return _FOLDER[0] / key / SAVED


def _arg(args: tuple[str, ...], option: str) -> str:
    """The value ``args`` give ``option`` ("" when none)."""
    return args[args.index(option) + 1] if option in args[:-1] else ""
