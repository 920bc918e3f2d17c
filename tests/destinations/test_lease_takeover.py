"""After `kill -9` of a lake ingest, the rerun takes over its lease at once: the holder was on this
machine and is no longer running (here a zombie, never reaped, as under an init that does not reap),
so nobody waits for the 15-minute lease to run out. A real process is killed, on moto's S3."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import fsspec
import pytest
from ingest_helpers import assert_same_records, truth
from lake_helpers import lake_colas, read_lake
from moto_server import MotoS3, no_machine_aws_credentials
from sim_server import running_simulator

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

DAY = date(2025, 6, 14)  # a Saturday: about 50 COLAs (seed 3), where a Monday has close to 400
AS_OF = date(2025, 6, 26)


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]


def test_the_rerun_takes_over_the_lease_of_a_killed_lake_ingest_at_once(
    s3: MotoS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to see the killed process")
    no_machine_aws_credentials(monkeypatch, tmp_path)
    lake = s3.new_bucket()
    env = {**os.environ, **lake.env(f"{lake.bucket_url}/lake"), "DLT_DATA_DIR": str(tmp_path / "dlt"),
           "SOURCES__TTB_COLA__PAGES": "both", "SOURCES__TTB_COLA__REQUEST_TIMEOUT": "20"}
    fs = fsspec.filesystem("s3", **lake.storage_options())
    lock = f"{lake.bucket}/lake/ttb_cola.lock"
    with running_simulator(seed=3, as_of=AS_OF, faults={"latency_ms": 40}) as sim:
        cmd = [str(BIN / "ttb-cola"), "ingest", "--date", DAY.isoformat(), "--today", AS_OF.isoformat(),
               "--base-url", sim.base_url, "--requests-per-second", "0", "--destination", "filesystem",
               "--pipelines-dir", str(tmp_path / "pipelines"), "--quiet"]
        process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 180
            while not fs.exists(lock) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
                fs.invalidate_cache()
            assert json.loads(fs.cat_file(lock))["pid"] == process.pid  # the run holds the lease
            os.kill(process.pid, signal.SIGKILL)  # not reaped: it stays a zombie until we wait for it
            while _state(process.pid) != "Z":
                time.sleep(0.05)
            sim.set_faults(None)  # the latency only kept the killed run inside its lease; the rerun needs none
            rerun = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
            assert rerun.returncode == 0, rerun.stderr[-3000:]
            assert "another run holds" not in rerun.stderr
        finally:
            process.kill()
            process.wait(timeout=60)
        expected = truth(sim.registry, [DAY], AS_OF)
    assert not fs.exists(lock)  # released by the rerun
    assert_same_records(lake_colas(read_lake(fs, f"{lake.bucket}/lake")), expected)
