"""The whole product on one machine: simulator -> dlt ingest -> dbt build -> docs in a browser.

Ingests receipt dates from the local registry simulator into a real DuckDB file, builds every dbt
model, snapshot and test on it, checks the marts against the simulator's truth, then generates the
docs site and opens it in headless Chromium to find the marts in the rendered page.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from ingest_helpers import METHODS, Warehouse, truth
from sim_server import running_simulator

ROOT = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
AS_OF = date(2025, 6, 30)
DAYS = [AS_OF - timedelta(days=n) for n in (12, 11, 10)]
MARTS = ("fct_cola_approvals", "fct_daily_approvals", "fct_crawl_coverage", "dim_company", "dim_brand")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, dict, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("warehouse")
    monkeypatch = pytest.MonkeyPatch()
    warehouse = Warehouse(tmp, monkeypatch)
    try:
        with running_simulator(seed=5, as_of=AS_OF) as sim:
            status = warehouse.ingest(sim.base_url, "--start", DAYS[0].isoformat(), "--end", DAYS[-1].isoformat(),
                                      today=AS_OF)
            assert status == 0
            expected = truth(sim.registry, DAYS, AS_OF)
    finally:
        monkeypatch.undo()
    env = {**os.environ, "TTB_COLA_DUCKDB": str(warehouse.db), "DBT_TARGET_PATH": str(tmp / "target"),
           "DBT_LOG_PATH": str(tmp / "logs")}
    done = subprocess.run([DBT, "build", "--project-dir", "transform"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:]
    return warehouse, expected, env


def test_dbt_build_passes_on_ingested_data_and_marts_match_the_truth(built) -> None:
    warehouse, expected, _ = built
    ids = {row[0] for row in warehouse.query("select ttb_id from marts.fct_cola_approvals")}
    assert ids == set(expected)
    by_status = dict(warehouse.query("select status, count(*) from marts.fct_cola_approvals group by 1"))
    want: dict[str, int] = {}
    for record in expected.values():
        want[record["status"]] = want.get(record["status"], 0) + 1
    assert by_status == want
    coverage = warehouse.query("select receipt_date, receipt_method, cola_count from marts.fct_crawl_coverage")
    assert {(d, m) for d, m, _ in coverage} >= {(d, m) for d in DAYS for m in METHODS}
    assert sum(c for _, _, c in coverage) == len(expected)
    [(approvals,)] = warehouse.query("select sum(cola_count) from marts.fct_daily_approvals")
    assert approvals == len(expected)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_docs_site_shows_the_marts_in_a_browser(built, tmp_path: Path) -> None:
    _, _, env = built
    done = subprocess.run([DBT, "docs", "generate", "--project-dir", "transform"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:]
    site = Path(env["DBT_TARGET_PATH"])
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
            capture_output=True, text=True, timeout=120, check=False,
        )
    finally:
        server.shutdown()
    assert page.returncode == 0, page.stderr[-2000:]
    for mart in MARTS:
        assert mart in page.stdout, f"{mart} not in the rendered docs page"
