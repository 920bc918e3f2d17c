"""Fixtures the run tests share."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import Warehouse


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    """A warehouse and dlt data folder in ``tmp_path``, with the request timeout a first search of a day
    on the simulator needs (it is slow); a test module may define its own."""
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    warehouse = Warehouse(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__REQUEST_TIMEOUT", "60")
    return warehouse
