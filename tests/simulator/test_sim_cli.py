"""The command line: truth export as JSONL, serve in a subprocess, the clock endpoint."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import urllib.request
from datetime import date
from pathlib import Path

from ttb_cola_sim.cli import run
from ttb_cola_sim.registry import Registry

ROOT = Path(__file__).resolve().parents[2]


def test_truth_jsonl_via_cli(tmp_path: Path) -> None:
    out = tmp_path / "truth.jsonl"
    assert run(["truth", "--seed", "4", "--as-of", "2025-06-30", "--start", "2025-05-05", "--end", "2025-05-06",
                "--output", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    expected = list(Registry(seed=4, as_of=date(2025, 6, 30)).records(date(2025, 5, 5), date(2025, 5, 6)))
    assert lines == expected and len(lines) > 1000
    assert {"ttb_id", "status", "label_images", "completed_date", "receipt_method"} <= set(lines[0])


def test_truth_to_stdout(capsys) -> None:  # noqa: ANN001 - pytest fixture
    assert run(["truth", "--seed", "4", "--as-of", "2025-06-30", "--start", "2025-05-10", "--end", "2025-05-10",
                "--methods", "001"]) == 0
    records = [json.loads(line) for line in io.StringIO(capsys.readouterr().out)]
    assert records and all(r["receipt_method"] == "001" for r in records)


def test_serve_subprocess_and_clock(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ingestion"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ttb_cola_sim.cli", "serve", "--port", "0", "--seed", "4",
         "--as-of", "2025-05-12"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stderr.readline()
        base_url = line.strip().rsplit(" ", 1)[-1]
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/colasonline")
        control = base_url.replace("/colasonline", "/__sim__")
        receipt = date(2025, 5, 9)
        registry = Registry(seed=4, as_of=date(2025, 5, 12))
        later = Registry(seed=4, as_of=date(2025, 8, 30))
        pending = [s for s in range(1, registry.stats(receipt, "001")["received"] + 1)
                   if registry.record(f"25129001{s:06d}") is None and later.record(f"25129001{s:06d}") is not None]
        url = f"{base_url}/viewColaDetails.do?action=publicDisplaySearchBasic&ttbid=25129001{pending[0]:06d}"
        assert b"Unable to process request" in urllib.request.urlopen(url, timeout=5).read()
        request = urllib.request.Request(f"{control}/as_of?date=2025-08-30", method="POST", data=b"")
        assert json.loads(urllib.request.urlopen(request, timeout=5).read())["as_of"] == "2025-08-30"
        assert b"COLA Detail" in urllib.request.urlopen(url, timeout=5).read()
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
