"""`make daily` (and `bin/ttb-cola-daily`, the entry point for cron and CI) runs the dbt build whenever
the crawl committed something, parked COLAs included (exit 0, 1, 3, 5, 75), never after bad input or an
outage (2, 4), and still fails afterwards; the script exits with the crawl's own status (make with 2), or 7
when the build failed after a crawl that succeeded. `make build` checks no process holds the warehouse,
builds, then publishes the marts for analysts.

The target and the script are run for real, with stand-ins for the two programs they call: a ``ttb-cola``
that exits with a given status and a ``dbt`` that notes it was called (and exits with a given status).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("crawl", "built"), [(0, True), (1, True), (3, True), (5, True), (75, True),
                                              (2, False), (4, False)])
def test_daily_builds_after_a_committed_crawl_and_keeps_its_status(tmp_path: Path, crawl: int, built: bool) -> None:
    venv, marker = _stand_ins(tmp_path, crawl)
    result = subprocess.run(
        ["make", "--no-print-directory", "daily", f"VENV={os.path.relpath(venv, REPO)}"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert marker.exists() == built, result.stderr
    if built:
        assert marker.read_text().startswith("build --project-dir transform")
    assert (result.returncode == 0) == (crawl == 0), result.stderr
    if crawl:
        assert f"Error {crawl}" in result.stderr


def _stand_ins(tmp_path: Path, crawl: int, dbt: int = 0) -> tuple[Path, Path]:
    """A virtualenv whose ``ttb-cola daily`` exits ``crawl`` (its publish steps succeed) and whose ``dbt``
    notes its arguments and exits ``dbt``; the venv and the note file."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    marker = tmp_path / "dbt-called"
    (venv / "bin" / "ttb-cola").write_text(f"#!/bin/sh\n[ \"$1\" = daily ] && exit {crawl}\nexit 0\n")
    (venv / "bin" / "dbt").write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\nexit {dbt}\n")
    for program in ("ttb-cola", "dbt"):
        (venv / "bin" / program).chmod(0o755)
    (venv / ".installed").touch()  # newer than pyproject.toml: `setup` has nothing to do
    return venv, marker


@pytest.mark.parametrize(("crawl", "dbt", "built", "status"), [
    (0, 0, True, 0), (1, 0, True, 1), (3, 0, True, 3), (5, 0, True, 5), (75, 0, True, 75),
    (2, 0, False, 2), (4, 0, False, 4), (6, 0, False, 6), (130, 0, False, 130),
    (0, 1, True, 7), (75, 1, True, 7), (5, 1, True, 5),
])
def test_the_cron_entry_point_keeps_the_crawls_own_exit_status(
    tmp_path: Path, crawl: int, dbt: int, built: bool, status: int
) -> None:
    venv, marker = _stand_ins(tmp_path, crawl, dbt)
    env = {k: v for k, v in os.environ.items() if k != "DBT_TARGET"}
    result = subprocess.run(
        [str(REPO / "bin" / "ttb-cola-daily"), "--max-minutes", "5"],
        cwd=tmp_path, env={**env, "VENV": os.path.relpath(venv, REPO)},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert marker.exists() == built, result.stderr
    assert result.returncode == status, result.stderr
    if status == 7:
        assert "the dbt build or publish failed" in result.stderr


@pytest.mark.parametrize("held", [False, True])
def test_build_checks_the_warehouse_is_free_then_builds_then_publishes(tmp_path: Path, held: bool) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    # The check (`publish --check`) exits 6 when the warehouse is held; every call is noted in order.
    (venv / "bin" / "ttb-cola").write_text(
        f"#!/bin/sh\necho \"ttb-cola $1 $2\" >> {calls}\n[ \"$2\" = --check ] && exit {6 if held else 0}\nexit 0\n")
    (venv / "bin" / "dbt").write_text(f"#!/bin/sh\necho \"dbt $1\" >> {calls}\n")
    for program in ("ttb-cola", "dbt"):
        (venv / "bin" / program).chmod(0o755)
    (venv / ".installed").touch()
    env = {k: v for k, v in os.environ.items() if k != "DBT_TARGET"}
    result = subprocess.run(
        ["make", "--no-print-directory", "build", f"VENV={os.path.relpath(venv, REPO)}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    if held:
        assert calls.read_text().splitlines() == ["ttb-cola publish --check"]
        assert result.returncode != 0 and "Error 6" in result.stderr
    else:
        assert calls.read_text().splitlines() == ["ttb-cola publish --check", "dbt build", "ttb-cola publish "]
        assert result.returncode == 0, result.stderr
