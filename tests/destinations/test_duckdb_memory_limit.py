"""The pipeline's DuckDB connections run under the configured ``destination.duckdb.memory_limit``, not
DuckDB's default of most of the machine's memory; a value that is not a size is refused."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ttb_cola.destinations.warehouse import make_pipeline
from ttb_cola.errors import InputError


def duckdb_shows(limit: str | None) -> str:
    """``memory_limit`` as DuckDB shows it on a connection of its own set to ``limit`` (None: its default)."""
    with duckdb.connect() as con:
        if limit is not None:
            con.execute(f"set memory_limit = '{limit}'")
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_load_connections_use_the_configured_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DESTINATION__DUCKDB__MEMORY_LIMIT", "100MB")
    pipeline = make_pipeline("duckdb", str(tmp_path / "pipelines"), align=False)
    with pipeline.sql_client() as client:
        shown = client.execute_sql("select current_setting('memory_limit')")[0][0]
    assert shown == duckdb_shows("100MB")
    assert shown != duckdb_shows(None)


def test_a_limit_that_is_not_a_size_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DESTINATION__DUCKDB__MEMORY_LIMIT", "most of it")
    with pytest.raises(InputError, match="memory_limit 'most of it' is not a size"):
        make_pipeline("duckdb", str(tmp_path / "pipelines"), align=False)
    assert not (tmp_path / "warehouse.duckdb").exists()
