"""Helpers for pipeline tests: run `ttb-cola ingest` in-process and read back what was loaded."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest

from ttb_cola.cli import main
from ttb_cola.destinations.warehouse import PIPELINE_NAME
from ttb_cola.records import ID_FIELDS, PAGE_FIELDS

METHODS = ("001", "002", "003", "000")
JSON_FIELDS = ("type_of_application", "other_permits")
COMPARED = tuple(f for f in PAGE_FIELDS + ID_FIELDS if f != "label_images")


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

    def ingest(self, base_url: str, *args: str, today: date) -> int:
        """Run `ttb-cola ingest` against ``base_url``; returns its exit status."""
        return main([
            "ingest", *args, "--today", today.isoformat(), "--base-url", base_url,
            "--requests-per-second", "0", "--max-workers", "4", "--pipelines-dir", str(self.pipelines), "--quiet",
        ])

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection where ``ttb_cola.<table>`` names the loaded tables.

        (Opened directly, ``warehouse.duckdb`` gives a catalog named like the schema: ambiguous.)
        """
        con = duckdb.connect()
        con.execute(f"ATTACH '{self.db}' AS wh (READ_ONLY)")
        con.execute("USE wh")
        return con

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query on the loaded dataset (schema ``ttb_cola``)."""
        with self.connect() as con:
            return con.sql(sql).fetchall()

    def colas(self) -> dict[str, dict[str, Any]]:
        """The loaded ``colas`` rows by TTB ID, values in the truth export's form."""
        with self.connect() as con:
            rel = con.sql(f"select {', '.join(COMPARED)} from ttb_cola.colas")
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
        return pipeline.state["sources"]["ttb_cola"]["resources"]["partitions"]["partitions"]


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
