"""A command resolves each setting once: every chunk and step of one run sees the same value."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import dlt
import pytest

from ttb_cola.cli import main
from ttb_cola.settings import configured, settings_once


def test_a_setting_is_resolved_once_within_a_run_and_again_in_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__FILL_MAX", "5")
    with settings_once():
        assert configured("fill_max") == "5"
        monkeypatch.setenv("SOURCES__TTB_COLA__FILL_MAX", "7")
        with settings_once():  # a step run inside the command shares its values
            assert configured("fill_max") == "5"
        assert configured("fill_max") == "5"
        assert configured("no_such_setting", "fallback") == "fallback"
    assert configured("fill_max") == "7"  # the next run resolves it again


def test_outside_a_run_every_read_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__FILL_MAX", "5")
    assert configured("fill_max") == "5"
    monkeypatch.setenv("SOURCES__TTB_COLA__FILL_MAX", "6")
    assert configured("fill_max") == "6"


@pytest.mark.parametrize("command", ["status", "ocr"])
def test_a_command_asks_dlt_for_each_setting_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
                                                   ) -> None:
    """``status`` and ``ocr`` read the DuckDB file's setting in several steps (the pipeline, the dataset, the
    file's checks): through the command line dlt resolves it once."""
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "data" / "warehouse.duckdb"))
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    resolved: Counter[str] = Counter()
    resolve = dlt.config.get

    def counted(key: str, *args: Any, **kwargs: Any) -> Any:
        resolved[key] += 1
        return resolve(key, *args, **kwargs)

    monkeypatch.setattr(dlt.config, "get", counted)
    assert main([command, "--pipelines-dir", str(tmp_path / "pipelines")]) == 0
    assert resolved["destination.duckdb.credentials"] == 1, resolved
    assert max(resolved.values()) == 1, resolved
