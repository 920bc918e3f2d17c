"""A warehouse loaded before a column was declared takes the new column (the frozen column contract
would refuse every row otherwise), on a runner that kept its pipeline and on a fresh one."""

from __future__ import annotations

import shutil
from pathlib import Path

import dlt
import duckdb
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ttb_cola.destinations.schema_upgrade import add_declared_columns
from ttb_cola.records import SCHEMA_CONTRACT

OLD = {"ttb_id": {"data_type": "text", "nullable": False}, "status": {"data_type": "text", "nullable": True}}
NEW = {**OLD, "parse_warnings": {"data_type": "json", "nullable": True}}


def source(columns: dict, rows: list[dict]) -> dlt.sources.DltSource:
    @dlt.source(name="ttb_cola")
    def ttb_cola():
        @dlt.resource(name="cola_details", write_disposition="merge", primary_key="ttb_id", columns=columns,
                      schema_contract=SCHEMA_CONTRACT)
        def details():
            yield from rows

        return details

    return ttb_cola()


def pipeline(tmp_path: Path) -> dlt.Pipeline:
    return dlt.pipeline("upgrade", destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
                        dataset_name="ttb_cola", pipelines_dir=str(tmp_path / "pipelines"))


@pytest.mark.parametrize("fresh_runner", [False, True])
def test_a_newly_declared_column_is_added_to_an_old_warehouse(tmp_path: Path, fresh_runner: bool) -> None:
    pipeline(tmp_path).run(source(OLD, [{"ttb_id": "1", "status": "APPROVED"}]))
    if fresh_runner:
        shutil.rmtree(tmp_path / "pipelines")
    rows = [{"ttb_id": "2", "status": "APPROVED", "parse_warnings": ["approval_date: not a date"]}]
    with pytest.raises(PipelineStepFailed, match="frozen"):  # what an upgrade met without the helper
        pipeline(tmp_path).run(source(NEW, rows))
    if fresh_runner:
        shutil.rmtree(tmp_path / "pipelines")
    upgraded = pipeline(tmp_path)
    new = source(NEW, rows)
    assert add_declared_columns(upgraded, new) == ["cola_details.parse_warnings"]
    upgraded.run(new)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        got = con.sql("select ttb_id, parse_warnings from ttb_cola.cola_details order by 1").fetchall()
    assert got == [("1", None), ("2", '["approval_date: not a date"]')]
    assert add_declared_columns(pipeline(tmp_path), source(NEW, rows)) == []
