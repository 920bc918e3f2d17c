"""The digest of a simulated week equals figures computed independently from the simulator's truth.

End to end over loopback HTTP: `ttb-cola ingest` loads three receipt dates from the simulator
(2022-12-24 and 2022-12-26 with every method, 2022-12-25 e-filed only, so the 25th is a coverage
gap), `dbt build` runs (every model, snapshot and data test; the marts must hold exactly the simulator's
COLAs), and `ttb-cola digest --week 2023-W01` writes its files. The test then
recomputes, in plain Python from the simulator's own records, the COLAs approved that week and the
week before (overall and by product type), each signal (first COLA of a permit, of a brand, of a
brand + fanciful name, refiles, unknown where the receipt date is not covered), the top filers,
the median and 90th percentile days to approval and the watchlist matches, and compares them with
what the spreadsheet says.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from datetime import date
from typing import Any

import duckdb
import pytest
from digest_helpers import ROOT, dbt_build, sheet_rows
from ingest_helpers import METHODS, Warehouse
from sim_server import running_simulator

from ttb_cola.cli import main

SEED = 3
AS_OF = date(2023, 3, 31)
LOADED = {date(2022, 12, 24): METHODS, date(2022, 12, 25): ("001",), date(2022, 12, 26): METHODS}
COVERAGE_START = {date(2022, 12, 24): date(2022, 12, 24), date(2022, 12, 26): date(2022, 12, 26)}
WEEK = (date(2023, 1, 2), date(2023, 1, 8))
PREVIOUS = (date(2022, 12, 26), date(2023, 1, 1))
STATUS_CHANGES = {"SURRENDERED", "REVOKED", "EXPIRED"}


def _key(value: str | None) -> str | None:
    return value.strip().upper() or None if value else None


def _signals(records: list[dict[str, Any]]) -> dict[str, str]:
    """Each record's signal by the signal rules (README, "Signals, watchlist, digest and report"), from the
    loaded records alone."""
    seen: dict[str, set[tuple]] = {"company": set(), "brand": set(), "product": set(), "refile": set()}
    out: dict[str, str] = {}
    for r in sorted(records, key=lambda r: (r["receipt_date"], r["ttb_id"])):
        covered = date.fromisoformat(r["receipt_date"]) in COVERAGE_START
        permit = r["permit_number"]
        keys = {
            "company": (permit,),
            "brand": (permit, _key(r["brand_name"])),
            "product": (permit, _key(r["brand_name"]), _key(r["fanciful_name"])),
            "refile": (permit, _key(r["brand_name"]), _key(r["fanciful_name"]), _key(r["class_type_description"])),
        }
        if permit is None:
            signal = "unknown"
        elif keys["company"] not in seen["company"]:
            signal = "new_company" if covered else "unknown"
        elif keys["brand"] not in seen["brand"]:
            signal = "new_brand" if covered else "unknown"
        elif keys["product"] not in seen["product"]:
            signal = "new_product" if covered else "unknown"
        elif keys["refile"] in seen["refile"]:
            signal = "refile"
        else:
            signal = "other"
        for name, key in keys.items():
            seen[name].add(key)
        out[r["ttb_id"]] = signal
    return out


def _quantile(values: list[int], q: float) -> float:
    """Continuous quantile (linear interpolation), as DuckDB's quantile_cont."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _in(record: dict[str, Any], period: tuple[date, date]) -> bool:
    return record["approval_date"] is not None and period[0] <= date.fromisoformat(record["approval_date"]) <= period[1]


def _days(record: dict[str, Any]) -> int:
    return (date.fromisoformat(record["approval_date"]) - date.fromisoformat(record["receipt_date"])).days


@pytest.fixture(scope="module")
def week(tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("digest_week")
    with pytest.MonkeyPatch.context() as monkeypatch, running_simulator(seed=SEED, as_of=AS_OF) as sim:
        warehouse = Warehouse(root, monkeypatch)
        for day, methods in LOADED.items():
            status = warehouse.ingest(sim.base_url, "--date", day.isoformat(), "--methods", ",".join(methods),
                                      today=AS_OF)
            assert status == 0
        records = []
        for day, methods in LOADED.items():
            for method in methods:
                for r in sim.registry.partition_records(day, method, AS_OF):
                    records.append({**r, "receipt_date": day.isoformat()})
    dbt_build(warehouse.db, root / "dbt", unit_tests=False)
    out = root / "digest"
    status = main(["digest", "--duckdb", str(warehouse.db), "--week", "2023-W01", "--out", str(out),
                   "--watchlist", str(ROOT / "transform" / "seeds" / "watchlist.csv")])
    assert status == 0
    return {"records": records, "out": out, "xlsx": out / "digest.xlsx", "db": warehouse.db}


def test_loaded_what_the_simulator_serves(week):
    with duckdb.connect(str(week["db"]), read_only=True) as con:
        [(count,)] = con.execute("select count(*) from marts.fct_cola_signals").fetchall()
    assert count == len(week["records"]) > 100


def test_dbt_build_passes_on_ingested_data_and_marts_match_the_truth(week):
    expected = {r["ttb_id"]: r for r in week["records"]}
    with duckdb.connect(str(week["db"]), read_only=True) as con:
        ids = {row[0] for row in con.execute("select ttb_id from marts.fct_cola_approvals").fetchall()}
        by_status = dict(con.execute("select status, count(*) from marts.fct_cola_approvals group by 1").fetchall())
        coverage = con.execute(
            "select receipt_date, receipt_method, cola_count from marts.fct_crawl_coverage").fetchall()
        [(approvals,)] = con.execute("select sum(cola_count) from marts.fct_daily_approvals").fetchall()
    assert ids == set(expected)
    assert by_status == Counter(r["status"] for r in expected.values())
    assert {(d, m) for d, m, _ in coverage} >= {(d, m) for d, methods in LOADED.items() for m in methods}
    assert sum(c for _, _, c in coverage) == len(expected)
    assert approvals == len(expected)


def test_counts_match_the_truth(week):
    records = week["records"]
    signals = _signals(records)
    summary = {row["metric"]: row for row in sheet_rows(week["xlsx"], "At a glance")}
    now = [r for r in records if _in(r, WEEK)]
    before = [r for r in records if _in(r, PREVIOUS)]
    assert now and before
    assert summary["COLAs approved"]["this period"] == len(now)
    assert summary["COLAs approved"]["previous period"] == len(before)
    assert summary["COLAs approved"]["change"] == len(now) - len(before)
    for product_type, n in Counter(r["type_of_product"] for r in now).items():
        assert summary[f"of which {product_type}"]["this period"] == n
    labels = {"new_company": "New companies", "new_brand": "New brands", "new_product": "New products",
              "refile": "Refiles", "other": "Other COLAs", "unknown": "Unknown (outside coverage)"}
    want = Counter(signals[r["ttb_id"]] for r in now)
    assert want["new_company"] and want["unknown"], want  # the week exercises new and unknown signals
    for signal, label in labels.items():
        assert summary[label]["this period"] == want[signal], label
    changed = [r for r in records if r["status"] in STATUS_CHANGES and r.get("completed_date")
               and WEEK[0] <= date.fromisoformat(r["completed_date"]) <= WEEK[1]]
    assert summary["Status changes (surrendered, revoked, expired)"]["this period"] <= len(changed)


def test_new_companies_are_the_first_cola_of_their_permit(week):
    signals = _signals(week["records"])
    want = {r["ttb_id"] for r in week["records"] if _in(r, WEEK) and signals[r["ttb_id"]] == "new_company"}
    rows = sheet_rows(week["xlsx"], "New companies")
    assert {row["ttb_id"] for row in rows} == want
    assert all(isinstance(row["ttb_id"], str) and len(row["ttb_id"]) == 14 for row in rows)
    by_id = {r["ttb_id"]: r for r in week["records"]}
    for row in rows:
        receipt = date.fromisoformat(by_id[row["ttb_id"]]["receipt_date"])
        assert row["new_since"].date() == COVERAGE_START[receipt]
    brands = {r["ttb_id"] for r in week["records"] if _in(r, WEEK) and signals[r["ttb_id"]] == "new_brand"}
    assert {row["ttb_id"] for row in sheet_rows(week["xlsx"], "New brands")} == brands


def test_top_filers_match_the_truth(week):
    counts = Counter(r["permit_number"] for r in week["records"] if _in(r, WEEK) and r["permit_number"])
    want = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
    rows = sheet_rows(week["xlsx"], "Top filers")
    assert [(row["permit"], row["colas"]) for row in rows] == want


def test_processing_times_match_the_truth(week):
    now = [_days(r) for r in week["records"] if _in(r, WEEK)]
    before = [_days(r) for r in week["records"] if _in(r, PREVIOUS)]
    [overall] = [row for row in sheet_rows(week["xlsx"], "Processing times (days)") if row["product_type"] == "All"]
    assert overall["colas"] == len(now)
    assert overall["median_receipt_to_approval"] == pytest.approx(_quantile(now, 0.5), abs=0.051)
    assert overall["p90_receipt_to_approval"] == pytest.approx(_quantile(now, 0.9), abs=0.051)
    assert overall["previous_median"] == pytest.approx(_quantile(before, 0.5), abs=0.051)
    weekly = sheet_rows(week["xlsx"], "Weekly processing times")
    with (ROOT / "transform" / "seeds" / "ttb_receipt_methods.csv").open() as seed:  # the digest names methods
        names = {row["receipt_method"]: row["receipt_method_name"] for row in csv.DictReader(seed)}
    now_by = Counter((r["type_of_product"], names[r["ttb_id"][5:8]]) for r in week["records"] if _in(r, WEEK))
    before_by = Counter((r["type_of_product"], names[r["ttb_id"][5:8]]) for r in week["records"] if _in(r, PREVIOUS))
    assert {(row["product_type"], row["receipt_method"]): row["colas"] for row in weekly} == dict(now_by)
    for row in weekly:
        key = (row["product_type"], row["receipt_method"])
        days = [_days(r) for r in week["records"]
                if _in(r, WEEK) and (r["type_of_product"], names[r["ttb_id"][5:8]]) == key]
        assert row["median_days"] == pytest.approx(_quantile(days, 0.5), abs=0.051)
        assert row["p90_days"] == pytest.approx(_quantile(days, 0.9), abs=0.051)
        assert row["colas_change"] == now_by[key] - before_by[key]


def _watchlist_matches(r: dict[str, Any]) -> set[str]:
    """The shipped example entries (transform/seeds/watchlist.csv) that ``r`` matches."""
    found = set()
    class_type = " ".join(filter(None, [r["class_type_code"], r["class_type_description"]])).upper()
    if "BOURBON" in class_type and "KENTUCKY" in {(r["origin_code"] or "").upper(),
                                                  (r["origin_description"] or "").upper()}:
        found.add("Example: any bourbon from Kentucky")
    if (r["permit_number"] or "").upper().startswith("NY-I-"):
        found.add("Example: importers licensed in New York")
    return found


def test_watchlist_matches_match_the_truth(week):
    want = {(entry, r["ttb_id"]) for r in week["records"] for entry in _watchlist_matches(r)}
    assert want  # the loaded days hold matches of both example entries
    with duckdb.connect(str(week["db"]), read_only=True) as con:
        got = set(con.execute("select entry_name, ttb_id from marts.fct_watchlist_matches").fetchall())
    assert got == want
    in_week = {(entry, r["ttb_id"]) for r in week["records"] if _in(r, WEEK) for entry in _watchlist_matches(r)}
    rows = sheet_rows(week["xlsx"], "Watchlist matches")
    assert {(row["entry"], row["ttb_id"]) for row in rows} == in_week


def test_markdown_and_html_link_every_new_company_to_the_registry(week):
    markdown = (week["out"] / "digest.md").read_text(encoding="utf-8")
    html = (week["out"] / "digest.html").read_text(encoding="utf-8")
    for row in sheet_rows(week["xlsx"], "New companies"):
        url = f"viewColaDetails.do?action=publicDisplaySearchBasic&ttbid={row['ttb_id']}"
        assert f"[{row['ttb_id']}](https://www.ttbonline.gov/colasonline/{url})" in markdown
        assert url.replace("&", "&amp;") in html
    assert "week 2023-W01 (2023-01-02 to 2023-01-08)" in markdown

