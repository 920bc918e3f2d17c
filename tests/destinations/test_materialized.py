"""The crawl's empty tables are created by the first load only: later loads on a DuckDB file that holds
them carry no empty job, unless a declared column was just added; every table stays in the file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import dlt
import duckdb
from dlt.sources import DltResource

from ttb_cola.destinations.materialized import skip_materialized
from ttb_cola.records import DETAIL_FIELDS, DETAILS_TABLE, MATERIALIZE, TableRow, page_row
from ttb_cola.source import MATERIALIZED_TABLES, table_resources
from ttb_cola.status_log import STATUS_LOG_TABLE

FIRST, SECOND = "25171002000002", "25171002000003"


@dlt.source(name="ttb_cola", max_table_nesting=0)
def crawl(rows: list[TableRow]) -> Sequence[DltResource]:
    """One crawl load: the table-creating event, then ``rows``, through the crawl's table resources."""

    @dlt.resource(name="partitions", selected=False)
    def partitions() -> Iterator[TableRow]:
        yield TableRow(MATERIALIZE, {})
        yield from rows

    return (partitions, *table_resources(partitions, "run-1"))


def detail(ttb_id: str) -> TableRow:
    return TableRow(DETAILS_TABLE, page_row(DETAIL_FIELDS, {"ttb_id": ttb_id, "status": "APPROVED"},
                                            source_url="u", fetched_at="2025-06-26T10:00:00+00:00",
                                            page_sha256=ttb_id))


def loaded_tables(info: dlt.common.pipeline.LoadInfo) -> set[str]:
    """The tables that the load's jobs loaded into."""
    return {job.job_file_info.table_name for package in info.load_packages
            for job in package.jobs["completed_jobs"]}


def test_only_the_first_load_creates_the_empty_tables_and_an_added_column_brings_them_back(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    pipeline = dlt.pipeline("materialized", destination=dlt.destinations.duckdb(str(db)), dataset_name="ttb_cola",
                            pipelines_dir=str(tmp_path / "p"))
    first = crawl([detail(FIRST)])
    assert skip_materialized(pipeline, first, MATERIALIZED_TABLES, []) is False  # nothing stored yet
    assert set(MATERIALIZED_TABLES) <= loaded_tables(pipeline.run(first, loader_file_format="parquet"))

    second = crawl([detail(SECOND)])
    assert skip_materialized(pipeline, second, MATERIALIZED_TABLES, []) is True
    assert loaded_tables(pipeline.run(second, loader_file_format="parquet")) & set(MATERIALIZED_TABLES) == {
        DETAILS_TABLE, STATUS_LOG_TABLE}  # the tables with rows: a detail page and its status

    added = crawl([])  # a column newly declared on a table: every table gets its (empty) job again
    assert skip_materialized(pipeline, added, MATERIALIZED_TABLES, [f"{DETAILS_TABLE}.status"]) is False
    assert set(MATERIALIZED_TABLES) <= loaded_tables(pipeline.run(added, loader_file_format="parquet"))

    with duckdb.connect(str(db), read_only=True) as con:
        tables = {t for (t,) in con.sql("select table_name from information_schema.tables "
                                        "where table_schema = 'ttb_cola'").fetchall()}
        ids = con.sql(f"select ttb_id from ttb_cola.{DETAILS_TABLE} order by 1").fetchall()
    assert set(MATERIALIZED_TABLES) <= tables
    assert ids == [(FIRST,), (SECOND,)]


def test_a_stored_schema_without_one_of_the_tables_keeps_the_event(tmp_path: Path) -> None:
    pipeline = dlt.pipeline("partial", destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
                            dataset_name="ttb_cola", pipelines_dir=str(tmp_path / "p"))
    pipeline.run(crawl([detail(FIRST)]), loader_file_format="parquet")
    assert skip_materialized(pipeline, crawl([]), (*MATERIALIZED_TABLES, "a_table_never_created"), []) is False
