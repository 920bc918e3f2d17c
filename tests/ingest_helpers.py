"""Helpers for pipeline tests: run `ttb-cola ingest` in-process and read back what was loaded."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest

from ttb_cola.cli import main
from ttb_cola.destinations.warehouse import PIPELINE_NAME
from ttb_cola.ids import format_ttb_id, parse_ttb_id
from ttb_cola.records import (
    DETAIL_FIELDS,
    DETAIL_SPECS,
    FORM_FIELDS,
    FORM_SPECS,
    ID_FIELDS,
    LIST_FIELDS,
    LISTING_ROW_FIELDS,
    LISTING_SPECS,
    PAGE_FIELDS,
    PROVENANCE_FIELDS,
)
from ttb_cola.state_compaction import crawl_view

METHODS = ("001", "002", "003", "000")
JSON_FIELDS = ("type_of_application", "other_permits")
COMPARED = tuple(f for f in PAGE_FIELDS + ID_FIELDS if f != "label_images")
_DUCKDB_TYPES = {"text": "VARCHAR", "date": "DATE", "bigint": "BIGINT", "json": "JSON", "timestamp": "TIMESTAMPTZ",
                 "double": "DOUBLE", "bool": "BOOLEAN"}
_TABLES = {"cola_details": DETAIL_SPECS, "cola_forms": FORM_SPECS, "cola_listings": LISTING_SPECS}


def _merged_field(name: str) -> str:
    """How one record field is read from the page tables (d, f, l), written here independently of dbt."""
    if name == "status":
        return ("case when f.fetched_at > d.fetched_at then coalesce(f.status, d.status) "
                "else coalesce(d.status, f.status) end")
    if name == "approval_date":
        return "coalesce(d.approval_date, f.date_issued)"
    if name == "completed_date":
        return "l.completed_date"
    sides = [alias for alias, fields in (("d", DETAIL_FIELDS), ("f", FORM_FIELDS)) if name in fields]
    if name in ("class_type_code", "origin_code"):
        sides = ["f"]
    if name in LISTING_ROW_FIELDS and name != "ttb_id" and name not in ("serial_number", "permit_number"):
        sides.append("l")
    if name in LIST_FIELDS and len(sides) == 2:
        return f"case when coalesce(cast(d.{name} as varchar), '[]') = '[]' then f.{name} else d.{name} end"
    if name in ID_FIELDS:
        return f"coalesce(d.{name}, f.{name})"
    if not sides:
        return "null"
    return f"coalesce({', '.join(f'{side}.{name}' for side in sides)})" if len(sides) > 1 else f"{sides[0]}.{name}"


def merged_colas_sql(relations: dict[str, str]) -> str:
    """One row per COLA from the page tables (``relations``: table -> relation holding one row per
    TTB ID): detail page first, form and listing filling in."""
    fields = ",\n".join(f"{_merged_field(name)} as {name}" for name in COMPARED if name != "ttb_id")
    fields += "".join(f", coalesce(d.{name}, f.{name}) as {name}" for name in (*PROVENANCE_FIELDS, "_dlt_load_id"))
    fields += ", l.completed_date as completed_date"
    details, forms, listings = (relations[t] for t in _TABLES)
    return (
        f"select coalesce(d.ttb_id, f.ttb_id) as ttb_id, {fields} "
        f"from {details} d full outer join {forms} f on d.ttb_id = f.ttb_id "
        f"left join {listings} l on l.ttb_id = coalesce(d.ttb_id, f.ttb_id)"
    )


def add_colas_view(con: duckdb.DuckDBPyConnection, schema: str | None = "ttb_cola") -> None:
    """A temp view ``colas`` (one row per COLA) on ``con`` over the page tables of ``schema`` (None: the
    unqualified names), each holding one row per TTB ID; page tables not loaded yet count as empty."""
    present = {row[0] for row in con.execute(
        "select table_name from information_schema.tables where coalesce(?, table_schema) = table_schema",
        [schema],
    ).fetchall()}
    relations: dict[str, str] = {}
    for table, specs in _TABLES.items():
        relations[table] = f"{schema}.{table}" if schema else table
        if table not in present:
            cols = ", ".join(f"{name} {_DUCKDB_TYPES[kind]}" for name, (kind, _) in specs.items())
            cols += ", _dlt_load_id VARCHAR, _dlt_id VARCHAR"
            con.execute(f"create temp table stand_in_{table} ({cols})")
            relations[table] = f"temp.main.stand_in_{table}"
    con.execute(f"create temp view colas as {merged_colas_sql(relations)}")


class Warehouse:
    """A test's DuckDB file and dlt pipelines directory, with ways to ingest and to look inside."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.db = root / "data" / "warehouse.duckdb"
        self.pipelines = root / "pipelines"
        monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(self.db))
        # Fast retries: the faults tests must not sit in backoff for minutes.
        monkeypatch.setenv("SOURCES__TTB_COLA__BACKOFF_INITIAL", "0.01")
        monkeypatch.setenv("SOURCES__TTB_COLA__BACKOFF_MAX", "0.05")
        monkeypatch.setenv("SOURCES__TTB_COLA__CAPTCHA_BACKOFF", "0.01")
        # Generous: on a loaded machine the simulator's search can take seconds to answer.
        monkeypatch.setenv("SOURCES__TTB_COLA__REQUEST_TIMEOUT", "20")
        # Bodies the circuit breaker saves stay with the test, not in the checkout.
        monkeypatch.setenv("SOURCES__TTB_COLA__QUARANTINE_DIR", str(root / "quarantine"))
        # Every field, vendor_code included, is compared with the truth: both pages of each COLA.
        monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "both")

    def ingest(self, base_url: str, *args: str, today: date) -> int:
        """Run `ttb-cola ingest` against ``base_url``; returns its exit status."""
        return main([
            "ingest", *args, "--today", today.isoformat(), "--base-url", base_url,
            "--requests-per-second", "0", "--max-workers", "4", "--pipelines-dir", str(self.pipelines), "--quiet",
        ])

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection where ``ttb_cola.<table>`` names the loaded tables and the temp view
        ``colas`` joins the page tables into one row per COLA."""
        con = duckdb.connect()
        con.execute(f"ATTACH '{self.db}' AS wh (READ_ONLY)")
        con.execute("USE wh")
        add_colas_view(con)
        return con

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query on the loaded dataset (schema ``ttb_cola``)."""
        with self.connect() as con:
            return con.sql(sql).fetchall()

    def colas(self) -> dict[str, dict[str, Any]]:
        """The loaded ``colas`` rows by TTB ID, values in the truth export's form."""
        with self.connect() as con:
            rel = con.sql(f"select {', '.join(COMPARED)} from colas")
            rows = [dict(zip(COMPARED, row, strict=True)) for row in rel.fetchall()]
        for row in rows:
            for name, value in row.items():
                if isinstance(value, date):
                    row[name] = value.isoformat()
                elif name in JSON_FIELDS and isinstance(value, str):
                    row[name] = json.loads(value)
        return {row["ttb_id"]: row for row in rows}

    def images(self) -> dict[str, list[dict[str, Any]]]:
        """The loaded label images by TTB ID, in position order."""
        out: dict[str, list[dict[str, Any]]] = {}
        for ttb_id, image_type, filename, width, height in self.query(
            "select ttb_id, image_type, filename, width_in, height_in from ttb_cola.cola_label_images "
            "order by ttb_id, position"
        ):
            out.setdefault(ttb_id, []).append(
                {"image_type": image_type, "filename": filename, "width_in": width, "height_in": height}
            )
        return out

    def state(self) -> dict[str, Any]:
        """Per-partition crawl state as the local pipeline holds it."""
        pipeline = dlt.attach(pipeline_name=PIPELINE_NAME, pipelines_dir=str(self.pipelines))
        return crawl_view(pipeline.state["sources"]["ttb_cola"]["resources"]["partitions"])["partitions"]


#: The merged tables and their keys (the status log and the crawl logs are appended).
MERGED_KEYS = {"cola_details": ("ttb_id",), "cola_forms": ("ttb_id",), "cola_listings": ("ttb_id",),
               "cola_label_images": ("ttb_id", "position"), "cola_images": ("ttb_id", "position"),
               "cola_barcodes": ("ttb_id", "image_sha256", "gtin"), "crawl_parked": ("ttb_id",)}


def assert_one_row_per_key(con: duckdb.DuckDBPyConnection) -> None:
    """Every merged table ``con`` names unqualified holds one row per key, and each page table's row is
    its COLA's latest fetch (the newest ``fetched_at`` the status log saw for that page kind)."""
    present = {row[0] for row in con.sql("show tables").fetchall()}
    for table, key in MERGED_KEYS.items():
        if table not in present:
            continue
        [(rows, keys)] = con.sql(f"select count(*), count(distinct ({', '.join(key)})) from {table}").fetchall()
        assert rows == keys, f"{table}: {rows} rows for {keys} keys"
    for table, kind in (("cola_details", "detail"), ("cola_forms", "form")):
        stale = con.sql(
            f"select t.ttb_id from {table} t join (select ttb_id, max(fetched_at) as latest from cola_status_log "
            f"where page_kind = '{kind}' group by ttb_id) s using (ttb_id) where t.fetched_at <> s.latest"
        ).fetchall()
        assert stale == [], f"{table}: not the latest fetch of {stale}"


def truth(registry: Any, days: Iterable[date], as_of: date) -> dict[str, dict[str, Any]]:
    """The simulator's public records of ``days`` (all methods) as of ``as_of``, by TTB ID."""
    return {
        r["ttb_id"]: r for day in days for method in METHODS for r in registry.partition_records(day, method, as_of)
    }


def assert_same_records(loaded: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> None:
    """Exactly the expected IDs, and every compared field equal."""
    missing, extra = expected.keys() - loaded.keys(), loaded.keys() - expected.keys()
    assert not missing and not extra, f"missing {sorted(missing)[:5]} extra {sorted(extra)[:5]}"
    for ttb_id, want in expected.items():
        got = loaded[ttb_id]
        diffs = {f: (got[f], want.get(f)) for f in COMPARED if got[f] != want.get(f)}
        assert not diffs, f"{ttb_id}: {diffs}"


def answered_in_full(pages: list[tuple[str, str, bool]]) -> dict[str, tuple[int, set[str]]]:
    """Per partition key (``YYYY-MM-DD|MMM``), from a simulator's COLA page log (``sim.requests.pages``) of
    a probe walking fresh partitions from sequence 1 with ``pages = both``: the first sequence whose pages
    were not answered in full (a found detail page and the form, or the not-found detail page), and the
    TTB IDs of the public COLAs below it (each of them answered in full)."""
    details: dict[str, bool] = {}
    forms: set[str] = set()
    for kind, ttb_id, found in pages:
        if kind == "detail":
            details[ttb_id] = found
        else:
            forms.add(ttb_id)
    partitions: dict[str, tuple[date, str]] = {}
    for ttb_id in details:
        parsed = parse_ttb_id(ttb_id)
        partitions[parsed.partition_key] = (parsed.receipt_date, parsed.receipt_method)
    result: dict[str, tuple[int, set[str]]] = {}
    for key, (day, method) in partitions.items():
        sequence, public = 1, set()
        while (ttb_id := format_ttb_id(day, method, sequence)) in details and (
                not details[ttb_id] or ttb_id in forms):
            if details[ttb_id]:
                public.add(ttb_id)
            sequence += 1
        result[key] = (sequence, public)
    return result


def assert_one_parked_resolved(warehouse: Warehouse, faulty: str, expected: dict[str, dict[str, Any]],
                               tally: Counter[str]) -> None:
    """After the rerun: ``faulty``, the one COLA parked, resolved, and the records exactly ``expected``; counted in
    the reliability suite's tally."""
    assert warehouse.query("select ttb_id, resolved from ttb_cola.crawl_parked") == [(faulty, True)]
    assert_same_records(warehouse.colas(), expected)
    tally["cola_parked"] += 1
    tally["cola_recovered"] += 1


def one_run_case(
    sim: Any, strategy: str, probed: tuple[date, str], searched: tuple[date, date], as_of: date
) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    """What one ingest of ``strategy`` must load from the simulator ``sim``, and its arguments: the ``probed``
    partition (as of ``as_of``), or the COLAs completed over the ``searched`` dates."""
    from ttb_cola_sim.registry import truth_record

    if strategy == "probe":
        day, method = probed
        return ({r["ttb_id"]: r for r in sim.registry.partition_records(day, method, as_of)},
                ("--date", day.isoformat(), "--methods", method, "--strategy", "probe"))
    first, last = searched
    return ({r["ttb_id"]: truth_record(r) for r in sim.registry.completed_between(first, last)},
            ("--date", first.isoformat(), "--strategy", "search"))
