"""The DuckDB destination's client configuration is resolved from the config providers once, when the
destination is opened: its clients get the values configured then, and the pipeline still binds its own
dataset and working folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttb_cola.destinations.warehouse import make_pipeline


def test_clients_use_the_configuration_resolved_when_the_destination_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DESTINATION__DUCKDB__STAGING_DATASET_NAME_LAYOUT", "%s_scratch")
    monkeypatch.setenv("DESTINATION__DUCKDB__INFO_TABLES_QUERY_THRESHOLD", "7")
    pipeline = make_pipeline("duckdb", str(tmp_path / "pipelines"), align=False)
    monkeypatch.setenv("DESTINATION__DUCKDB__INFO_TABLES_QUERY_THRESHOLD", "9")  # read once: not seen
    with pipeline.destination_client() as client:
        config = client.config
        assert config.staging_dataset_name_layout == "%s_scratch"
        assert config.info_tables_query_threshold == 7
        assert config.dataset_name == pipeline.dataset_name == "ttb_cola"
        assert config.pipeline_name == pipeline.pipeline_name
        assert Path(config.credentials.database) == (tmp_path / "warehouse.duckdb").resolve()


def test_the_next_opening_resolves_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DESTINATION__DUCKDB__INFO_TABLES_QUERY_THRESHOLD", "7")
    make_pipeline("duckdb", str(tmp_path / "pipelines"), align=False)
    monkeypatch.setenv("DESTINATION__DUCKDB__INFO_TABLES_QUERY_THRESHOLD", "9")
    pipeline = make_pipeline("duckdb", str(tmp_path / "pipelines"), align=False)
    with pipeline.destination_client() as client:
        assert client.config.info_tables_query_threshold == 9


def test_lake_clients_use_the_configuration_resolved_when_the_lake_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lake").mkdir()
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", (tmp_path / "lake").as_uri())
    monkeypatch.setenv("DESTINATION__FILESYSTEM__MAX_STATE_FILES", "7")
    pipeline = make_pipeline("filesystem", str(tmp_path / "pipelines"), align=False)
    monkeypatch.setenv("DESTINATION__FILESYSTEM__MAX_STATE_FILES", "9")  # read once: not seen
    with pipeline.destination_client() as client:
        config = client.config
        assert config.max_state_files == 7
        assert config.dataset_name == pipeline.dataset_name == "ttb_cola"
        assert config.bucket_url == (tmp_path / "lake").as_uri()
        assert not config.as_staging_destination
