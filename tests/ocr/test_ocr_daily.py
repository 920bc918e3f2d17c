"""bin/ttb-cola-daily calls `ttb-cola ocr --if-configured` (same destination) after a committed crawl and
before the build; `--if-configured` does nothing unless sources.ttb_cola.ocr is true."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ttb_cola.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("crawl", "called"), [(0, True), (75, True), (2, False)])
def test_daily_calls_ocr_after_a_committed_crawl(tmp_path: Path, crawl: int, called: bool) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    (venv / "bin" / "ttb-cola").write_text(
        f"#!/bin/sh\necho \"$@\" >> {calls}\n[ \"$1\" = daily ] && exit {crawl}\nexit 0\n")
    (venv / "bin" / "dbt").write_text("#!/bin/sh\nexit 0\n")
    for program in ("ttb-cola", "dbt"):
        (venv / "bin" / program).chmod(0o755)
    (venv / ".installed").touch()
    subprocess.run(["bin/ttb-cola-daily", "--destination", "filesystem", "--max-minutes", "5"], cwd=REPO,
                   env={"PATH": "/usr/bin:/bin", "VENV": str(venv)}, capture_output=True, text=True, timeout=120,
                   check=False)
    lines = calls.read_text().splitlines()
    assert lines[0] == "daily --destination filesystem --max-minutes 5"
    assert ("ocr --if-configured --destination filesystem" in lines) == called
    if called:
        assert lines.index("ocr --if-configured --destination filesystem") < lines.index("publish --check --duckdb "
                                                                                       f"{REPO}/data/warehouse.duckdb")


def test_if_configured_does_nothing_when_ocr_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__OCR", "false")
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "warehouse.duckdb"))
    assert main(["ocr", "--if-configured", "--pipelines-dir", str(tmp_path / "p")]) == 0
    assert capsys.readouterr().out == "" and not (tmp_path / "warehouse.duckdb").exists()
