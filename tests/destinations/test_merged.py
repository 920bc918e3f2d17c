"""One row per key per load: the merged tables' resources given two rows for one key in one load, on a
DuckDB file and on a Delta lake (a local folder: the same Delta upsert as on a bucket)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
from dlt.common.schema.typing import MERGE_DISPOSITION_HINTS
from dlt.sources import DltResource

from ttb_cola.arrow_batches import arrow_batch, arrow_loads, with_row_ids
from ttb_cola.destinations.lake_tables import as_lake_tables
from ttb_cola.records import (
    DETAIL_FIELDS,
    DETAILS_COLUMNS,
    DETAILS_TABLE,
    LABEL_IMAGES_TABLE,
    TableBatch,
    TableRow,
    page_row,
)
from ttb_cola.source import table_resources

ID = "25171002000002"
EARLY, LATE = "2025-06-26T10:00:00+00:00", "2025-06-26T11:00:00+00:00"


def fetch(status: str, fetched_at: str) -> list[TableRow]:
    """One fetch of ``ID``: its detail page and one label image."""
    detail = page_row(DETAIL_FIELDS, {"ttb_id": ID, "status": status}, source_url="u", fetched_at=fetched_at,
                      page_sha256=status)
    image = {"ttb_id": ID, "position": 1, "image_type": "Brand (front)", "filename": f"{status}.jpg"}
    return [TableRow(DETAILS_TABLE, detail), TableRow(LABEL_IMAGES_TABLE, image)]


@dlt.source(name="ttb_cola", max_table_nesting=0)
def rows_source(rows: list[TableRow] | list[TableBatch], once: bool = True) -> Sequence[DltResource]:
    """``rows`` through the crawl's table resources, as one load."""

    @dlt.resource(name="partitions", selected=False)
    def partitions() -> Iterator[TableRow | TableBatch]:
        yield from rows

    return (partitions, *table_resources(partitions, "run-1", once=once))


def loaded(con: duckdb.DuckDBPyConnection, prefix: str = "") -> list[tuple[Any, ...]]:
    """The kept detail status and label image file of ``ID``, one row per key."""
    details = con.sql(f"select status from {prefix}cola_details where ttb_id = '{ID}'").fetchall()
    images = con.sql(f"select filename from {prefix}cola_label_images where ttb_id = '{ID}'").fetchall()
    return details + images


def test_two_rows_for_one_key_in_one_load_keep_the_first_on_both_destinations(tmp_path: Path) -> None:
    """The earlier fetch first: each merged table keeps it, one row per key, on DuckDB and on the lake,
    also when the key is already stored (where a Delta MERGE of two source rows fails)."""
    from deltalake import DeltaTable

    duck = dlt.pipeline("merged_duck", destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
                        dataset_name="ttb_cola", pipelines_dir=str(tmp_path / "p"))
    lake = dlt.pipeline("merged_lake", destination=dlt.destinations.filesystem(str(tmp_path / "lake")),
                        dataset_name="ttb_cola", pipelines_dir=str(tmp_path / "p"))
    for load in (fetch("stored", EARLY), fetch("Approved", EARLY) + fetch("Surrendered", LATE)):
        duck.run(rows_source(load), loader_file_format="parquet")
        lake.run(as_lake_tables(rows_source(load)), loader_file_format="parquet")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert loaded(con, "ttb_cola.") == [("Approved",), ("Approved.jpg",)]
    with duckdb.connect() as con:
        for table in (DETAILS_TABLE, LABEL_IMAGES_TABLE):
            con.register(table, DeltaTable(str(tmp_path / "lake" / "ttb_cola" / table)).to_pyarrow_table())
        assert loaded(con) == [("Approved",), ("Approved.jpg",)]


@pytest.mark.parametrize("order", ["late first", "early first"])
def test_duckdb_keeps_the_latest_fetch_of_a_key_repeated_after_a_load_declared_deduplicated(
    tmp_path: Path, order: str
) -> None:
    """The archive reparse (``once=False``) declares its rows deduplicated (each key once by construction), so
    dlt's merge does not number them; the declaration does not stay with the table: a later load of the crawl's
    resources with two rows for one key (in an Arrow batch, which the per-row guard lets through) has them
    deduplicated by DuckDB, the latest ``fetched_at`` (``dedup_sort``) kept whatever their order."""
    duck = dlt.pipeline("merged_sort", destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
                        dataset_name="ttb_cola", pipelines_dir=str(tmp_path / "p"))
    duck.run(rows_source(fetch("Approved", EARLY)[:1], once=False), loader_file_format="parquet")
    assert duck.default_schema.tables[DETAILS_TABLE][MERGE_DISPOSITION_HINTS["deduplicated"]] is True
    rows = [fetch("Approved", EARLY)[0].data, fetch("Surrendered", LATE)[0].data]
    table = arrow_batch(rows[::-1] if order == "late first" else rows, DETAILS_COLUMNS)
    batch = TableBatch({DETAILS_TABLE: with_row_ids(table)})
    with arrow_loads():
        duck.run(rows_source([batch]), loader_file_format="parquet")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.sql("select status from ttb_cola.cola_details").fetchall() == [("Surrendered",)]
