"""The ``ttb-cola`` console script: the command's exit code, its objects left frozen for the process's exit."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import pytest

from ttb_cola.cli import run

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize(("page", "code"), [("detail_23223001000234.html", 0), ("no_such_page.html", 2)])
def test_the_console_script_returns_the_commands_code_and_freezes_what_is_left(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], page: str, code: int
) -> None:
    monkeypatch.setattr(sys, "argv", ["ttb-cola", "parse", str(FIXTURES / page)])
    gc.unfreeze()
    try:
        assert run() == code
        out = capsys.readouterr().out
        assert [json.loads(line).get("kind") for line in out.splitlines()] == (["detail"] if code == 0 else [])
        assert gc.get_freeze_count() > 0  # the interpreter's exit leaves them alone
    finally:
        gc.unfreeze()
