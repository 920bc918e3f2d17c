"""Signals from the completed-date index alone equal those from full pages, on the same COLAs.

One ingest over loopback HTTP against the registry simulator (strategy `search`, pages `form`)
searches every completed date of a window and fetches each listed COLA's form; `dbt build` of the
models gives fct_cola_signals with pages. A copy of that warehouse then keeps only what a
listing-only crawl writes (`cola_listings`, `crawl_searches`, the status log's listing rows and
dlt's own tables): every page row, label image and receipt-partition row is deleted, so the only
coverage left is the completed-date index. Built again (the whole `dbt build`, its data tests
passing), every COLA has the same signal, and COLAs received inside the index are judged (new
company, brand, product) rather than unknown.

The simulator's dates lie in the past of the wall clock that stamps each search's finished_at, so
the index's currency check is relaxed (dbt var index_max_lag_days) for both builds.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from digest_helpers import dbt_build, dbt_command
from ingest_helpers import Warehouse
from sim_server import running_simulator

from ttb_cola.digest.queries import REQUIRED_MARTS

LAG = "{index_max_lag_days: 100000}"  # the index counts as current however late its dates were searched
START = date(2025, 6, 18)  # Wed..Fri: about 2,000 COLAs completed, some received in the window
TODAY = date(2025, 6, 21)
#: What a listing-only crawl never writes: page rows, label images, receipt partitions, parked COLAs.
PAGE_TABLES = ("cola_details", "cola_forms", "cola_label_images", "crawl_partitions", "crawl_parked")


def _signals(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select ttb_id, signal_type from marts.fct_cola_signals").fetchall())


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _keep_listings_only(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        present = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ttb_cola'"
        ).fetchall()}
        for table in PAGE_TABLES:
            if table in present:
                con.execute(f"delete from ttb_cola.{table}")
        con.execute("delete from ttb_cola.cola_status_log where page_kind != 'listing'")
        for schema in ("staging", "intermediate", "marts", "seeds", "snapshots"):
            con.execute(f"drop schema if exists {schema} cascade")


def test_signals_from_the_index_equal_those_from_full_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = Warehouse(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "form")
    with running_simulator(seed=7, as_of=TODAY) as sim:
        assert warehouse.ingest(
            sim.base_url, "--start", START.isoformat(), "--end", (TODAY - timedelta(days=1)).isoformat(),
            "--strategy", "search", today=TODAY,
        ) == 0
    # the build with pages is the reference: the marts compared and the digest reads with their parents,
    # models only (their data tests run in test_lake_dbt's build); the listing-only build below is a whole
    # `dbt build`, data tests and all (the unit tests, which read no warehouse rows, run in the dev build)
    dbt_command(warehouse.db, tmp_path / "dbt_pages", "build", "--vars", LAG, "--select",
                *(f"+{mart}" for mart in REQUIRED_MARTS), "--exclude-resource-type", "test", "unit_test")
    listings = tmp_path / "listings" / "warehouse.duckdb"
    listings.parent.mkdir()
    shutil.copy(warehouse.db, listings)
    _keep_listings_only(listings)
    dbt_build(listings, tmp_path / "dbt_listings", LAG, unit_tests=False)

    with_pages, from_index = _signals(warehouse.db), _signals(listings)
    [(listed,)] = _query(warehouse.db, "select count(*) from ttb_cola.cola_listings")
    assert len(with_pages) == listed > 1000
    assert from_index == with_pages
    # the index is what judges them: no page or receipt partition is left in the copy
    assert _query(listings, "select count(*) from ttb_cola.crawl_partitions") == [(0,)]
    assert _query(listings, "select index_start_date, index_end_date, is_current from "
                            "intermediate.int_completed_date_index") == [(START, TODAY - timedelta(days=1), True)]
    judged = _query(listings, """
        select signal_type, count(*) from marts.fct_cola_signals
        where is_receipt_date_indexed and coverage_start_date is not null group by 1""")
    assert {"new_company", "new_brand"} <= {signal for signal, _ in judged}
    assert _query(listings, "select count(*) from marts.fct_cola_signals where is_receipt_date_indexed "
                            "and signal_type = 'unknown'") == [(0,)]
    # every mart built without pages: page-only fields null, has_pages false on every COLA
    assert _query(listings, """
        select bool_or(has_pages), count(status), count(approval_date), count(permit_number) = count(*)
        from marts.fct_cola_approvals""") == [(False, 0, 0, True)]
    assert _query(warehouse.db, "select bool_and(has_pages) from marts.fct_cola_approvals") == [(True,)]
    _assert_digest_periods_work_from_listings(warehouse.db, listings)


def _assert_digest_periods_work_from_listings(pages_db: Path, listings_db: Path) -> None:
    """The digest's period sections count a listed COLA without pages by its completed date: on the
    listing-only copy they hold every COLA listed in the period, and the same COLAs as the full build
    wherever the completed date is the approval date (the COLA is still approved)."""
    from ttb_cola.digest.period import Period
    from ttb_cola.digest.queries import connect, signal_section, summary_section

    period = Period(START, TODAY - timedelta(days=1), "the window")
    before = period.previous()
    [(listed,)] = _query(listings_db, "select count(*) from ttb_cola.cola_listings where completed_date between "
                                      f"'{period.start}' and '{period.end}'")
    approved = {ttb_id for (ttb_id,) in _query(pages_db, "select ttb_id from marts.fct_cola_approvals "
                                                         "where status = 'APPROVED' and approval_date = status_date")}
    with connect(pages_db) as pages, connect(listings_db) as index:
        counts = {metric: now for metric, now, *_ in summary_section(index, period, before).rows}
        assert counts["COLAs approved"] == listed > 1000
        for signal in ("new_company", "new_brand", "new_product", "refile", "other"):
            from_index = {row[0] for row in signal_section(index, period, signal, signal).rows}
            with_pages = {row[0] for row in signal_section(pages, period, signal, signal).rows}
            assert from_index & approved == with_pages & approved, signal
            assert signal not in ("new_company", "new_brand") or from_index
