"""One small published warehouse for the serve, MCP and alerts tests, built once per test process.

The simulator serves two methods of one receipt date; `ttb-cola ingest` loads them, `ttb-cola images`
reads their label barcodes, `dbt build` runs and `ttb-cola publish` writes ``analytics.duckdb`` with
its search index. A user's watchlist file of three entries is made from what was loaded: the permit
with most COLAs, a brand prefix and a class/type pattern with an origin.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest_helpers import ROOT, dbt_build  # noqa: E402
from ingest_helpers import Warehouse  # noqa: E402
from sim_server import running_simulator  # noqa: E402

from ttb_cola.cli import main  # noqa: E402

DAY = date(2025, 6, 16)
TODAY = date(2025, 6, 30)
TTB_COLA = str(Path(sys.executable).with_name("ttb-cola"))


@dataclass
class Published:
    """The built warehouse, its published file and a user's watchlist file with its expected matches."""

    root: Path
    warehouse: Path
    path: Path
    watchlist: Path
    expected: set[tuple[str, str]]

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of ``sql`` on the published file, read directly (not through the code under test)."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            result = con.execute(sql, params or [])
            names = [c[0] for c in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _watchlist(published_rows: list[dict[str, Any]], path: Path) -> set[tuple[str, str]]:
    """Write a watchlist of three entries drawn from the loaded COLAs; the (entry, TTB ID) pairs it matches,
    computed here in Python from the fact table's rows."""
    [(permit, _)] = Counter(r["permit_number"] for r in published_rows if r["permit_number"]).most_common(1)
    brand = sorted(r["brand_name"] for r in published_rows if r["brand_name"])[0].split()[0]
    expected = {("Top filer", r["ttb_id"]) for r in published_rows if r["permit_number"] == permit}
    expected |= {("Brand prefix", r["ttb_id"]) for r in published_rows
                 if (r["brand_name"] or "").upper().startswith(brand.upper())}
    expected |= {("Imported wine", r["ttb_id"]) for r in published_rows
                 if "-I-" in (r["permit_number"] or "").upper()
                 and "WINE" in (r["class_type_description"] or "").upper()}
    path.write_text("entry_name,brand_name,company_name,permit_number,class_type,origin\n"
                    f"Top filer,,,{permit.lower()},,\n"
                    f"Brand prefix,{brand.lower()}%,,,,\n"
                    "Imported wine,,,%-I-%,%wine%,\n", encoding="utf-8")
    return expected


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("serve")
    with running_simulator(seed=9, as_of=TODAY) as sim, pytest.MonkeyPatch.context() as patch:
        warehouse = Warehouse(root, patch)
        assert warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", "001,002", today=TODAY) == 0
        assert main(["images", "--date", DAY.isoformat(), "--today", TODAY.isoformat(), "--base-url", sim.base_url,
                     "--requests-per-second", "0", "--images-url", str(root / "images"), "--which", "all",
                     "--pipelines-dir", str(warehouse.pipelines), "--quiet"]) == 0
    dbt_build(warehouse.db, root / "dbt")
    assert main(["publish", "--duckdb", str(warehouse.db)]) == 0
    path = warehouse.db.with_name("analytics.duckdb")
    with duckdb.connect(str(path), read_only=True) as con:
        result = con.execute("""
            select a.ttb_id, a.permit_number, a.brand_name, t.class_type_description
            from marts.fct_cola_approvals as a left join marts.dim_class_type as t using (class_type_key)""")
        names = [c[0] for c in result.description]
        rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    watchlist = root / "my_watchlist.csv"
    expected = _watchlist(rows, watchlist)
    return Published(root, warehouse.db, path, watchlist, expected)


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_api(published: Published, watchlist: Path) -> Iterator[str]:
    """`ttb-cola serve` over the published file with ``watchlist``, as a real process on loopback; yields its
    base URL."""
    port = free_port()
    process = subprocess.Popen([TTB_COLA, "serve", "--duckdb", str(published.path), "--port", str(port),
                                "--watchlist", str(watchlist)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the API did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def api(published: Published) -> Iterator[str]:
    """`ttb-cola serve` with the user's watchlist CSV as a real process on loopback; yields its base URL."""
    with running_api(published, published.watchlist) as base:
        yield base
