"""The dbt project (transform/) end to end on a small generated dataset.

Builds a dlt-shaped DuckDB file with transform/scripts/make_dev_data.py once per test session
(tests/shared_builds.py), runs the documented `dbt build` (from the repo root, profiles.yml found in
the working directory), then checks real properties of the marts: one row per COLA, the merged refetch of
the later load reaching the marts, coverage rows for every receipt date x method (gaps and empty
partitions marked, never missing), companies under their latest name, the status snapshot
recording a change, and `dbt docs generate` describing every column of every model, its site
showing the marts in headless Chromium.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from dbt_parse_reuse import run_dbt
from shared_builds import dev_docs, dev_warehouse

DOCS_MARTS = ("fct_cola_approvals", "fct_daily_approvals", "fct_crawl_coverage", "dim_company", "dim_brand")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the session's dev warehouse (make_dev_data.py, then the documented `dbt build`)."""
    tmp = tmp_path_factory.mktemp("dbt")
    db, summary, build_log = dev_warehouse(tmp_path_factory, tmp)
    return {"db": db, "summary": summary, "tmp": tmp, "build_log": build_log}


def _query(db: Path, sql: str, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_build_runs_unit_tests_and_snapshot(built):
    log = built["build_log"]
    assert "test_ttb_id_parts_and_days_to_approval" in log
    assert "snp_cola_status_history" in log
    assert "ERROR=0" in log


def test_one_row_per_cola(built):
    db = built["db"]
    [(distinct_ids, rows)] = _query(db, "select count(distinct ttb_id), count(*) from ttb_cola.cola_details")
    assert rows == distinct_ids  # merged on ttb_id, as both destinations do
    [(fct_rows, fct_ids)] = _query(db, "select count(*), count(distinct ttb_id) from marts.fct_cola_approvals")
    assert fct_rows == fct_ids == distinct_ids


def test_merged_refetch_reaches_the_marts(built):
    db = built["db"]
    _, later_load = built["summary"]["load_ids"]
    refetched = _query(
        db,
        """
        select c.ttb_id, c.status, f.status, f.dlt_load_id
        from ttb_cola.cola_details c join marts.fct_cola_approvals f using (ttb_id)
        where c._dlt_load_id = ?
        """,
        later_load,
    )
    assert refetched, "the dev data should hold refetches of the later load"
    for ttb_id, latest_status, fct_status, fct_load in refetched:
        assert fct_status == latest_status, ttb_id
        assert fct_load == later_load, ttb_id


def test_crawl_coverage_has_every_date_and_method(built):
    db, summary = built["db"], built["summary"]
    [(rows, days, methods)] = _query(
        db,
        "select count(*), count(distinct receipt_date), count(distinct receipt_method) from marts.fct_crawl_coverage",
    )
    assert days == summary["days"] and methods == 4 and rows == days * methods

    gap_date, gap_method = summary["gap_partition"]
    [(status, empty, reason)] = _query(
        db,
        "select coverage_status, is_empty, empty_reason from marts.fct_crawl_coverage"
        " where receipt_date = ? and receipt_method = ?",
        gap_date, gap_method,
    )
    assert (status, empty) == ("not_crawled", True) and "never crawled" in reason

    empty_date, empty_method = summary["empty_partition"]
    [(status, empty, count, reason)] = _query(
        db,
        "select coverage_status, is_empty, cola_count, empty_reason from marts.fct_crawl_coverage"
        " where receipt_date = ? and receipt_method = ?",
        empty_date, empty_method,
    )
    assert (status, empty, count) == ("settled_no_public_colas", True, 0) and reason

    # a partition with records is never marked empty, and the counts match the fact
    [(mismatches,)] = _query(
        db,
        """
        select count(*) from marts.fct_crawl_coverage c
        left join (select receipt_date, receipt_method, count(*) n from marts.fct_cola_approvals group by all) f
            using (receipt_date, receipt_method)
        where c.cola_count != coalesce(f.n, 0) or (c.cola_count > 0) = c.is_empty
        """,
    )
    assert mismatches == 0


def test_companies_carry_their_latest_name(built):
    db = built["db"]
    rows = _query(
        db,
        """
        with latest as (
            select permit_number, arg_max(company_name, (receipt_date, sequence)) as name
            from (select * from ttb_cola.cola_details
                  qualify row_number() over (partition by ttb_id order by _dlt_load_id desc) = 1)
            group by permit_number
        )
        select l.permit_number, l.name, d.company_name, d.distinct_name_count
        from latest l join marts.dim_company d using (permit_number)
        """,
    )
    assert rows
    assert all(name == dim_name for _, name, dim_name, _ in rows)
    assert any(names > 1 for *_, names in rows), "the dev data renames some companies"


def test_daily_approvals_add_up(built):
    db = built["db"]
    [(daily, fct)] = _query(
        db,
        "select (select sum(cola_count) from marts.fct_daily_approvals),"
        " (select count(*) from marts.fct_cola_approvals where approval_date is not null)",
    )
    assert daily == fct
    product_types = {r[0] for r in _query(db, "select distinct product_type from marts.fct_daily_approvals")}
    assert product_types <= {"Wine", "Distilled Spirits", "Malt Beverage", "Unknown"}
    sources = {r[0] for r in _query(db, "select distinct product_type_source from marts.fct_cola_approvals")}
    assert sources == {"form", "inferred"}  # ~15% of the dev COLAs have no form


def test_snapshot_records_a_status_change(built):
    db = built["db"]
    [(ttb_id, status)] = _query(
        db, "select ttb_id, status from marts.fct_cola_approvals where status = 'APPROVED' order by ttb_id limit 1"
    )
    later = f"{float(built['summary']['load_ids'][1]) + 3600:.6f}"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "insert into ttb_cola.cola_details select * replace ("
            " 'REVOKED' as status, fetched_at + interval 1 hour as fetched_at,"
            " ? as _dlt_load_id, 'appended-in-test' as _dlt_id)"
            " from ttb_cola.cola_details where ttb_id = ? limit 1",
            [later, ttb_id],
        )
        # ...by a load dlt completed (staging reads only loads _dlt_loads marks complete)
        con.execute(
            "insert into ttb_cola._dlt_loads select * replace (? as load_id, inserted_at + interval 1 hour"
            " as inserted_at) from ttb_cola._dlt_loads limit 1",
            [later],
        )
    result = run_dbt(db, built["tmp"], "snapshot")
    assert result.returncode == 0, result.stdout[-4000:]
    history = _query(
        db,
        "select status, dbt_valid_to is null from snapshots.snp_cola_status_history"
        " where ttb_id = ? order by dbt_valid_from",
        ttb_id,
    )
    assert history == [(status, False), ("REVOKED", True)]


def test_docs_describe_every_model_and_column(tmp_path_factory):
    target = dev_docs(tmp_path_factory)
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    assert (target / "index.html").exists()

    marts = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"
             and n["config"]["materialized"] == "table" and n["name"].startswith(("dim_", "fct_"))}
    assert {"dim_date", "dim_receipt_method", "dim_company", "dim_class_type", "dim_origin", "dim_brand",
            "fct_cola_approvals", "fct_daily_approvals", "fct_crawl_coverage"} <= marts
    # every mart, present and future, has its contract enforced (dbt_project.yml, the marts folder)
    uncontracted = [n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"
                    and n["path"].startswith("marts/") and not n["config"]["contract"]["enforced"]]
    assert marts and uncontracted == []

    undescribed = []
    for unique_id, node in catalog["nodes"].items():
        documented = manifest["nodes"].get(unique_id)
        if documented is None:
            continue
        if not documented.get("description"):
            undescribed.append(unique_id)
        for column in node["columns"]:
            if not (documented["columns"].get(column) or {}).get("description"):
                undescribed.append(f"{unique_id}.{column}")
    assert undescribed == []

    # lineage: source -> staging (base page tables -> one row per COLA) -> intermediate -> marts
    parents = manifest["parent_map"]
    for page in ("details", "forms", "listings"):
        assert f"source.ttb_cola.ttb.cola_{page}" in parents[f"model.ttb_cola.base_ttb__cola_{page}"]
        assert f"model.ttb_cola.base_ttb__cola_{page}" in parents["model.ttb_cola.stg_ttb__colas"]
    assert "model.ttb_cola.stg_ttb__colas" in parents["model.ttb_cola.int_colas_parsed"]
    assert "model.ttb_cola.int_colas_enriched" in parents["model.ttb_cola.fct_cola_approvals"]
    assert manifest["exposures"], "the analyst exposure is declared"


def test_dev_data_dates_are_in_the_past(built):
    summary = built["summary"]
    assert summary["end"] + timedelta(days=summary["days"]) > summary["start"]
    [(future,)] = _query(
        built["db"], "select count(*) from marts.fct_cola_approvals where approval_date > current_date"
    )
    assert future == 0


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_docs_site_shows_the_marts_in_a_browser(tmp_path_factory, tmp_path):
    site = dev_docs(tmp_path_factory)
    assert (site / "index.html").exists() and (site / "catalog.json").exists()
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed on the CI machine (make test installs it with apt-get)")
        pytest.skip("chromium is not installed: apt-get install chromium")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html#!/overview"
        page = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=20000", "--dump-dom", url],
            capture_output=True, text=True, timeout=300, check=False,
        )
    finally:
        server.shutdown()
    assert page.returncode == 0, page.stderr[-2000:]
    for mart in DOCS_MARTS:
        assert mart in page.stdout, f"{mart} not in the rendered docs page"
