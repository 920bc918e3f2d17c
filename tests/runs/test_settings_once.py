"""A command resolves each setting once: every chunk and step of one run sees the same value."""

from __future__ import annotations

import pytest

from ttb_cola.runs.inputs import configured, settings_once


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
