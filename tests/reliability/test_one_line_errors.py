"""A newcomer's mistakes and accidents end in one line and a documented exit status, never a traceback:
a truncated warehouse (ingest, status, digest), digest/report/publish into a read-only folder, `make
build` before any ingest or with a malformed watchlist line, and `ttb-cola --help` describing every
command with its exit statuses. Real processes over a copy of the session's dbt-built dev warehouse
(tests/shared_builds.py); each command's own help is read in this process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from reliability_helpers import BIN, REPO, ingest_command
from shared_builds import dev_warehouse
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.runs.exit_codes import MEANINGS

DAY = date(2025, 6, 20)
AS_OF = date(2025, 6, 26)
DAMAGED = "the file is damaged; restore it from a backup or move it aside"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with loaded tables and dbt's marts: a copy of the session's dev warehouse (built once
    for every test that reads it)."""
    db, _, _ = dev_warehouse(tmp_path_factory, tmp_path_factory.mktemp("ingested"))
    return db


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "ttb-cola"), *args], cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=300, check=False)


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err[-3000:]
    return lines[0]


def test_a_truncated_warehouse_is_called_damaged_by_ingest_status_and_digest(ingested: Path, tmp_path: Path) -> None:
    db = tmp_path / "data" / "warehouse.duckdb"
    db.parent.mkdir()
    whole = ingested.read_bytes()
    assert len(whole) > 600_000
    db.write_bytes(whole[:300_000])  # cut short, as by a full disk or an interrupted copy
    env = {"DESTINATION__DUCKDB__CREDENTIALS": str(db), "DLT_DATA_DIR": str(tmp_path / "dlt")}
    with running_simulator(seed=3, as_of=AS_OF) as sim:
        ingest = _run(*ingest_command(tmp_path, sim.base_url, DAY, DAY, AS_OF)[1:], cwd=tmp_path, env=env)
    status = _run("status", cwd=tmp_path, env=env)
    digest = _run("digest", "--duckdb", str(db), "--out", str(tmp_path / "digest"), cwd=tmp_path, env=env)
    for name, done in (("ingest", ingest), ("status", status), ("digest", digest)):
        line = _one_line(done.stderr)
        assert done.returncode == 2 and line.startswith(f"ttb-cola {name}: {db}") and DAMAGED in line, line
        assert "credentials" not in line
    assert db.read_bytes() == whole[:300_000]
    assert not (tmp_path / "digest").exists()


@contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """``folder`` unwritable, even by root (an immutable folder), for the block."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode:
            pytest.skip("root cannot make a folder read-only here (no chattr +i)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


@pytest.mark.parametrize("command", ["digest", "report", "publish"])
def test_writing_into_a_read_only_data_folder_is_one_line(ingested: Path, tmp_path: Path, command: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "warehouse.duckdb"
    shutil.copyfile(ingested, db)
    args = {"digest": ["--since", "2025-06-01", "--until", "2025-06-30"],
            "report": ["--since", "2025-06-01", "--until", "2025-06-30"], "publish": []}[command]
    with _read_only(data):
        done = _run(command, "--duckdb", str(db), *args, cwd=tmp_path)
    line = _one_line(done.stderr)
    assert done.returncode == 2, line
    assert line.startswith(f"ttb-cola {command}: cannot write ") and "writable" in line, line
    named = line.split("cannot write ", 1)[1].split(":", 1)[0]
    assert (tmp_path / named).resolve() in (data, data / command), line
    assert sorted(p.name for p in data.iterdir()) == ["warehouse.duckdb"]


def _make_build(workdir: Path) -> subprocess.CompletedProcess[str]:
    """`make build` of the repository's Makefile in ``workdir`` (its own data/ and transform/seeds/), the
    virtualenv taken as installed."""
    (workdir / ".venv").symlink_to(REPO / ".venv")
    return subprocess.run(["make", "-f", str(REPO / "Makefile"), "-o", "setup", "-o", ".venv/.installed", "build"],
                          cwd=workdir, capture_output=True, text=True, timeout=300, check=False,
                          env={k: v for k, v in os.environ.items() if k not in ("TTB_COLA_DUCKDB", "DBT_TARGET")})


def test_make_build_before_any_ingest_says_ingest_first_and_creates_nothing(tmp_path: Path) -> None:
    done = _make_build(tmp_path)
    assert done.returncode != 0
    [line] = [line for line in done.stderr.splitlines() if line.startswith("ttb-cola")]
    assert "ingest first" in line and str(tmp_path / "data" / "warehouse.duckdb") in line, done.stderr
    assert "dbt" not in done.stdout.lower() and "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()


def test_make_build_names_a_malformed_watchlist_line_before_dbt(ingested: Path, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    db = tmp_path / "data" / "warehouse.duckdb"
    shutil.copyfile(ingested, db)
    seeds = tmp_path / "transform" / "seeds"
    seeds.mkdir(parents=True)
    lines = (REPO / "transform" / "seeds" / "watchlist.csv").read_text(encoding="utf-8").splitlines()
    (seeds / "watchlist.csv").write_text("\n".join([*lines[:3], "Kentucky bourbon,%BOURBON%", *lines[3:]]) + "\n",
                                         encoding="utf-8")
    before = db.read_bytes()
    done = _make_build(tmp_path)
    assert done.returncode != 0
    [line] = [line for line in done.stderr.splitlines() if line.startswith("ttb-cola")]
    assert "watchlist.csv line 4: 2 fields, expected 6" in line, done.stderr
    assert "sniff" not in (done.stdout + done.stderr).lower() and "Traceback" not in done.stderr
    assert db.read_bytes() == before  # dbt never ran


def _help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """What ``ttb-cola <args> --help`` prints, run in this process (80 columns, as in a pipe)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code in (0, None), f"{args}: exit {done.value.code}"
    return capsys.readouterr().out


def test_help_describes_every_command_and_its_exit_statuses(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    top = _run("--help", cwd=REPO)
    assert top.returncode == 0
    description = top.stdout.split("\n\n")[1]
    assert description.rstrip().endswith(".") and "``" not in description
    for code, meaning in MEANINGS.items():
        assert f"{code:>3}  {meaning}" in top.stdout
    commands = top.stdout.split("COMMAND\n", 2)[-1].split("\n\noptions:")[0]
    names = [line.split()[0] for line in commands.splitlines() if line[:5] == "    " + line[4:5].strip()]
    assert len(names) >= 14
    monkeypatch.setenv("COLUMNS", "80")
    for name in names:
        if name in ("simulate", "lake"):
            continue
        sub = _help(capsys, name)
        assert sub.split("\n\n")[1].strip(), f"{name}: no description"
        statuses = sub.split("exit status:\n", 1)[-1]
        assert "    0  done\n" in statuses and "    2  bad input" in statuses, f"{name}: no exit statuses"
    assert "exit status:" in _help(capsys, "lake", "publish")


def test_the_package_metadata_builds_without_a_deprecation_warning(tmp_path: Path) -> None:
    """The license as an SPDX expression: setuptools prints no deprecation box on install."""
    done = subprocess.run(
        [str(BIN / "python"), "-W", "error", "-c",
         f"from setuptools import build_meta; build_meta.prepare_metadata_for_build_wheel({str(tmp_path)!r})"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [metadata] = tmp_path.glob("*.dist-info/METADATA")
    assert "License-Expression: Apache-2.0" in metadata.read_text(encoding="utf-8")
