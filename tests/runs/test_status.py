"""`ttb-cola status` tells the truth by month: the COLAs held whether a search or a probe found them, the
receipt partitions and completed dates by state, the page backlog, and the last run of each kind; checked
against the simulator's truth and the crawl's own logs, on a warehouse crawled from the simulator."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import fsspec
import pytest
from ingest_helpers import Warehouse, truth
from lake_helpers import read_lake
from moto_server import no_machine_aws_credentials, running_moto
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.runs.status import Month, render_months

DAY = date(2025, 6, 14)  # a Saturday: 47 COLAs (seed 3), where a Monday has close to 400
AS_OF = date(2025, 6, 26)
LISTED_FROM = AS_OF - timedelta(days=2)
ROW = re.compile(r"^(\d{4}-\d{2}|total|older)\s+([\d,\s]+)$")


def _run(warehouse: Warehouse, base_url: str, *args: str) -> int:
    return main(["ingest", *args, "--today", AS_OF.isoformat(), "--base-url", base_url, "--requests-per-second", "0",
                 "--pipelines-dir", str(warehouse.pipelines), "--quiet"])


@contextmanager
def _destination(name: str, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The destination's crawl logs as a query function (the DuckDB file, or the lake on moto's S3)."""
    if name == "duckdb":
        yield warehouse.query
        return
    no_machine_aws_credentials(monkeypatch, warehouse.root)
    with running_moto() as s3:
        for key, value in s3.env(f"{s3.bucket_url}/lake").items():
            monkeypatch.setenv(key, value)
        fs = fsspec.filesystem("s3", **s3.storage_options())

        def query(sql: str) -> list[tuple[Any, ...]]:
            con = read_lake(fs, f"{s3.bucket}/lake", ("crawl_partitions", "crawl_searches"))
            return con.sql(sql.replace("ttb_cola.", "")).fetchall()

        yield query


def _table(out: str) -> dict[str, list[int]]:
    """The status table's rows: month (or total) -> COLAs, settled, open, failed, complete, partial, failed,
    backlog, parked."""
    rows = {}
    for line in out.splitlines():
        if match := ROW.match(line):
            rows[match[1]] = [int(n.replace(",", "")) for n in match[2].split()]
    return rows


@pytest.mark.parametrize("destination", ["duckdb", "filesystem"])
def test_status_counts_by_month_what_the_searches_and_probes_hold(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, destination: str
) -> None:
    with running_simulator(seed=3, as_of=AS_OF) as sim, _destination(destination, warehouse, monkeypatch) as query:
        to = ("--destination", destination)
        # an index of three completed dates (listing only: every listed COLA owes its pages), then a receipt date
        assert _run(warehouse, sim.base_url, *to, "--pages", "none", "--date", LISTED_FROM.isoformat()) == 0
        assert _run(warehouse, sim.base_url, *to, "--strategy", "probe", "--date", DAY.isoformat()) == 0
        listed = {r["ttb_id"]: r for r in sim.registry.completed_between(LISTED_FROM, AS_OF, AS_OF)}
        probed = truth(sim.registry, [DAY], AS_OF)
        capsys.readouterr()
        assert main(["status", *to, "--pipelines-dir", str(warehouse.pipelines)]) == 0
        out = capsys.readouterr().out
        states = Counter(dict(query(
            "select partition_key, arg_max(status, _dlt_load_id) from ttb_cola.crawl_partitions group by all"
        )).values())
        searched = dict(query(
            "select completed_date, arg_max(status, _dlt_load_id) from ttb_cola.crawl_searches "
            "where status <> 'verified' group by all"))
        [(probe_run,)] = query("select arg_max(run_id, finished_at) from ttb_cola.crawl_partitions where probed > 0")
        [(search_run,)] = query("select arg_max(run_id, finished_at) from ttb_cola.crawl_searches")
    rows = _table(out)
    held = Counter(r["receipt_date"][:7] for r in {**listed, **probed}.values())
    assert len(held) >= 3  # the searches found COLAs received months before they were completed
    owed = Counter(r["completed_date"][:7] for ttb_id, r in listed.items() if ttb_id not in probed)
    assert len(searched) == 3
    dates = Counter(status for status in searched.values())
    for month in {*held, *owed, DAY.strftime("%Y-%m")}:
        colas, settled, open_, failed, complete, partial, failed_dates, backlog, parked = rows[month]
        assert colas == held[month], month
        assert backlog == owed[month], month
        if month == DAY.strftime("%Y-%m"):
            assert (settled, open_, failed) == (states["settled"], states["open"], states["failed"])
            assert (complete, partial, failed_dates) == (dates["complete"], dates["partial"], dates["failed"])
            assert settled + open_ + failed == 4 and complete + partial + failed_dates == 3
        else:
            assert (settled, open_, failed, complete, partial, failed_dates) == (0, 0, 0, 0, 0, 0), month
        assert parked == 0
    assert list(rows)[:-1] == sorted(held, reverse=True)  # newest first, nothing else
    assert rows["total"][0] == len({*listed, *probed}) and rows["total"][7] == sum(owed.values())
    assert f"page backlog: {sum(owed.values()):,} listed COLA(s) without their pages" in out
    assert "receipt probe 20" in out and f"(run {probe_run})" in out and f"(run {search_run})" in out


def test_the_table_shows_two_years_and_sums_the_older_months() -> None:
    rows = [Month(f"{2025 - n // 12}-{12 - n % 12:02d}", colas=n + 1) for n in range(30)]
    table = _table(render_months(rows))
    assert list(table)[:24] == [row.month for row in rows[:24]]
    assert table["older"][0] == sum(range(25, 31)) and table["total"][0] == sum(range(1, 31))
    assert "... 6 older months (2023-07 to 2023-12):" in render_months(rows)
