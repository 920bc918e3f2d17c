"""`ttb-cola reparse` rebuilds the status log from the raw archive, and the history from it.

One receipt day (one method) is ingested from the simulator with the raw archive on. Then:
- reparse into a DuckDB file that never held anything (a warehouse lost, the archive kept) writes
  one log row per archived page, and `dbt build` there makes one current version per COLA, the
  status and dates the pages show (the archive keeps the latest page of each kind, so the latest
  state is what it can give back);
- reparse into the original warehouse appends the same pages again, and the history keeps its
  versions: a page seen again with the status it had makes no new version;
- a warehouse loaded before the log existed (its log emptied here) gets the same history: staging
  takes each COLA's latest pages from the merged page tables where the log lacks them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from digest_helpers import NO_UNIT_TESTS, dbt_command
from ingest_helpers import Warehouse
from sim_server import running_simulator

from ttb_cola.cli import main

DAY = date(2025, 6, 14)  # a Saturday: a few dozen e-filed COLAs, each with both pages
AS_OF = DAY + timedelta(days=10)
HISTORY = (
    "select ttb_id, version_number, status, approval_date, expiration_date, completed_date, is_current"
    " from marts.fct_cola_status_history order by 1, 2"
)


def _dbt_build(warehouse: Warehouse, data_tests: bool = True) -> None:
    """`dbt build` of the history and the staged COLAs (with parents) into ``warehouse``, with their data
    tests (no unit test: ``NO_UNIT_TESTS``); without ``data_tests``, the models only (a crawled warehouse's
    data tests run in test_lake_dbt)."""
    dbt_command(warehouse.db, warehouse.root / "dbt", "build", "--select", "+fct_cola_status_history",
                "+stg_ttb__colas", *(NO_UNIT_TESTS if data_tests else ("--exclude-resource-type", "test", "unit_test")))


def _reparse(warehouse: Warehouse) -> None:
    assert main(["reparse", "--pipelines-dir", str(warehouse.pipelines)]) == 0


def test_reparse_rebuilds_the_status_log_and_keeps_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_RAW_HTML", "true")
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_URL", str(tmp_path / "raw"))
    crawled = Warehouse(tmp_path / "crawled", monkeypatch)
    with running_simulator(seed=7, as_of=AS_OF) as sim:
        assert crawled.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", "001", today=AS_OF) == 0
    _dbt_build(crawled, data_tests=False)
    history: list[tuple[Any, ...]] = crawled.query(HISTORY)
    [(pages,)] = crawled.query(
        "select count(*) from (select ttb_id from ttb_cola.cola_details"
        " union all select ttb_id from ttb_cola.cola_forms)"
    )
    assert history and pages > len(history)

    # a warehouse lost: the log and the history rebuilt from the archive alone
    rebuilt = Warehouse(tmp_path / "rebuilt", monkeypatch)  # points the duckdb destination at a new file
    _reparse(rebuilt)
    kinds = dict(rebuilt.query("select page_kind, count(*) from ttb_cola.cola_status_log group by 1"))
    assert sum(kinds.values()) == pages and set(kinds) == {"detail", "form"}
    assert rebuilt.query(
        "select count(*) from ttb_cola.cola_status_log as log join colas using (ttb_id)"
        " where log.page_kind = 'detail' and log.status is distinct from colas.status"
    ) == [(0,)]
    _dbt_build(rebuilt)
    assert rebuilt.query(HISTORY) == history  # one current version per COLA, as the crawl made it

    # reparse over the crawled warehouse: the pages logged again, no new version
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(crawled.db))
    _reparse(crawled)
    assert crawled.query("select count(*) from ttb_cola.cola_status_log") == [(2 * pages,)]
    _dbt_build(crawled, data_tests=False)
    assert crawled.query(HISTORY) == history

    # a warehouse from before the log: its COLAs' current state, from the page tables
    with duckdb.connect(str(crawled.db)) as con:
        con.execute("delete from ttb_cola.cola_status_log")
    _dbt_build(crawled)
    assert crawled.query(HISTORY) == history
