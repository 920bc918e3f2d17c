"""A batch of page rows as one Arrow table: the columns of the table's contract, typed, in order."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import dlt
import pyarrow as pa

from ttb_cola.archive import DETAIL_PATH
from ttb_cola.arrow_batches import arrow_batch, arrow_loads
from ttb_cola.parsers.form import parse_form
from ttb_cola.records import FORM_FIELDS, FORMS_COLUMNS, LABEL_IMAGE_COLUMNS, page_row

FIXTURES = Path(__file__).parent / "fixtures"


def form_rows() -> list[dict]:
    rows = []
    for path in sorted(FIXTURES.glob("form_*.html")):
        parsed = parse_form(path.read_bytes())
        rows.append(page_row(FORM_FIELDS, parsed, source_url=f"https://x/{DETAIL_PATH}",
                             fetched_at="2026-01-02T03:04:05.123456+00:00", page_sha256="ab"))
    return rows


def test_form_rows_as_arrow() -> None:
    rows = form_rows()
    table = arrow_batch(rows, FORMS_COLUMNS)
    assert table.column_names == list(FORMS_COLUMNS)
    assert table.num_rows == len(rows)
    assert table.schema.field("ttb_id").nullable is False and table.schema.field("brand_name").nullable
    assert table.schema.field("date_issued").type == pa.date32()
    assert table.schema.field("fetched_at").type == pa.timestamp("us", "UTC")
    assert table.schema.field("sequence").type == pa.int64()
    first = table.slice(0, 1).to_pylist()[0]
    assert first["ttb_id"] == rows[0]["ttb_id"] and first["brand_name"] == rows[0]["brand_name"]
    assert first["date_issued"] == date.fromisoformat(rows[0]["date_issued"])
    assert first["fetched_at"] == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
    # json columns as dlt's parquet writer stores them: compact JSON text
    assert first["type_of_application"] == '["LABEL APPROVAL"]'
    assert first["other_permits"] == "[]"


def test_a_row_key_that_is_no_column_is_left_out() -> None:
    table = arrow_batch([{"ttb_id": "1", "position": 1, "image_type": "Back", "stray": 1}], LABEL_IMAGE_COLUMNS)
    assert table.column_names == list(LABEL_IMAGE_COLUMNS)
    assert table.to_pylist()[0]["filename"] is None


def test_arrow_loads_sets_dlt_columns_for_the_run_only() -> None:
    name = "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID"
    before = os.environ.get(name)
    with arrow_loads():
        assert os.environ[name] == "true"
    assert os.environ.get(name) == before


def test_arrow_loads_writes_each_batch_before_the_next_is_made(tmp_path: Path) -> None:
    """The reparse's resource makes its next batch (its workers parse it) while the last one is written."""
    seen_by_table: list[int] = []
    seen_when_asked: list[list[int]] = []

    @dlt.resource(selected=False)
    def batches() -> Iterator[pa.Table]:
        for number in range(3):
            seen_when_asked.append(list(seen_by_table))
            yield pa.table({"batch": [number] * 10})

    @dlt.transformer(data_from=batches)
    def rows(table: pa.Table) -> Iterator[pa.Table]:
        seen_by_table.append(table["batch"][0].as_py())
        yield table

    pipeline = dlt.pipeline("arrow_order", pipelines_dir=str(tmp_path), destination="duckdb")
    with arrow_loads():
        pipeline.extract([batches, rows])
    assert seen_when_asked == [[], [0], [0, 1]]
    assert seen_by_table == [0, 1, 2]
