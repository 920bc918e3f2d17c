"""One small published warehouse for the serve, MCP and alerts tests, built once per test session
(tests/shared_builds.py ``published_warehouse``) and copied once per test process.

The simulator serves two methods of one receipt date; `ttb-cola ingest` loads them, `ttb-cola images`
reads their label barcodes, `dbt build` runs and `ttb-cola publish` writes ``analytics.duckdb`` with
its search index. A user's watchlist file of three entries is made from what was loaded: the permit
with most COLAs, a brand prefix and a class/type pattern with an origin.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serve_helpers import Published, running_api  # noqa: E402
from shared_builds import published_warehouse  # noqa: E402


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
    """A copy of the session's published warehouse (tests/shared_builds.py), with the user's watchlist file."""
    root = tmp_path_factory.mktemp("serve")
    warehouse, path, _ = published_warehouse(tmp_path_factory, root / "data")
    with duckdb.connect(str(path), read_only=True) as con:
        result = con.execute("""
            select a.ttb_id, a.permit_number, a.brand_name, t.class_type_description
            from marts.fct_cola_approvals as a left join marts.dim_class_type as t using (class_type_key)""")
        names = [c[0] for c in result.description]
        rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    watchlist = root / "my_watchlist.csv"
    expected = _watchlist(rows, watchlist)
    return Published(root, warehouse, path, watchlist, expected)


@pytest.fixture(scope="session")
def api(published: Published) -> Iterator[str]:
    """`ttb-cola serve` with the user's watchlist CSV as a real process on loopback; yields its base URL."""
    with running_api(published, published.watchlist) as base:
        yield base
