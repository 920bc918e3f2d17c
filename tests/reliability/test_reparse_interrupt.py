"""Ctrl-C during `ttb-cola reparse`, sent to its whole process group as a terminal sends it (its fork server
and parse workers included): exit 130 in one line, no traceback of the command or of a worker, and the next
reparse rebuilds every archived COLA without a warning."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import date, timedelta
from itertools import islice
from pathlib import Path

import duckdb
from reliability_helpers import BIN, REPO, subprocess_env

from ttb_cola.archive import RawArchive
from ttb_cola.registry.pages import PageKind
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.render import form_page

#: Enough forms that the reparse is still extracting, normalizing or loading when the signal comes.
ARCHIVED = 2000


def _archive(root: Path) -> set[str]:
    """``ARCHIVED`` simulated forms archived at ``root``; their TTB IDs."""
    registry = Registry(seed=5, as_of=date(2026, 1, 1))
    archive = RawArchive.at(str(root))
    ids: set[str] = set()
    day = date(2022, 1, 3)
    while len(ids) < ARCHIVED:
        for record in islice(registry.records(day, day, ["001"]), ARCHIVED - len(ids)):
            raw = registry.raw(record["ttb_id"])
            assert raw is not None
            archive.put(record["ttb_id"], PageKind.FORM, form_page(raw))
            ids.add(record["ttb_id"])
        day += timedelta(days=1)
    return ids


def _forms(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [row[0] for row in con.sql("select ttb_id from ttb_cola.cola_forms").fetchall()]


def test_ctrl_c_stops_a_reparse_in_one_line_and_the_next_one_rebuilds_every_cola(tmp_path: Path) -> None:
    ids = _archive(tmp_path / "raw")
    cmd = [str(BIN / "ttb-cola"), "reparse", "--archive-url", str(tmp_path / "raw"),
           "--pipelines-dir", str(tmp_path / "pipelines")]
    env = subprocess_env(tmp_path, SOURCES__TTB_COLA__PARSE_WORKERS="2")
    process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            if any((tmp_path / "pipelines").glob("*/normalize/*/*")):  # dlt's extract folder: its steps run
                break
            time.sleep(0.01)
        assert process.poll() is None, "the reparse ended before its extract step"
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the command, its fork server and workers
        _, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert process.returncode == 130, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "step failed" not in err, err[-3000:]
    assert "interrupted" in [line for line in err.splitlines() if line.strip()][-1]

    rerun = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert rerun.stderr.strip() == "", rerun.stderr[-3000:]  # no warning either (dlt's included)
    forms = _forms(tmp_path / "data" / "warehouse.duckdb")
    assert len(forms) == len(ids) and set(forms) == ids
