"""Shared fixtures of the reliability suite: fast-backoff warehouses, a tally of what was tried.

The tally (faults injected by kind, crash trials survived, bad inputs tried, records lost) is printed
at the end of the run, so CI logs carry the counts.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest_helpers import Warehouse  # noqa: E402

TALLY: Counter[str] = Counter()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    """A fresh DuckDB warehouse with tiny backoffs (see :class:`ingest_helpers.Warehouse`)."""
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    return Warehouse(tmp_path, monkeypatch)


@pytest.fixture
def tally() -> Counter[str]:
    """The session's counters: ``fault:<kind>``, ``crash_trials``, ``bad_inputs``, ``records_lost``..."""
    return TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the reliability counts, when any reliability test ran."""
    if not TALLY:
        return
    faults = {k.split(":", 1)[1]: v for k, v in sorted(TALLY.items()) if k.startswith("fault:")}
    others = {k: v for k, v in sorted(TALLY.items()) if not k.startswith("fault:")}
    terminalreporter.section("reliability counts")
    terminalreporter.write_line(f"faults injected: {sum(faults.values())} {faults}")
    for key, value in others.items():
        terminalreporter.write_line(f"{key}: {value}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``soak`` tests unless a marker expression was given (``make soak`` passes ``-m soak``)."""
    if config.option.markexpr:
        return
    skip = pytest.mark.skip(reason="soak variant: run with `make soak` (pytest -m soak)")
    for item in items:
        if item.get_closest_marker("soak"):
            item.add_marker(skip)
