"""The page backlog (`ttb-cola fill`): requests per filled COLA with `pages = form` (goal <= 1.02) and the
order of the fetches (newest completed date first), on two simulated weekdays listed by a search."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import duckdb
from harness import Simulator, run_cli

SEED = 5
DAY = date(2025, 7, 2)
TODAY = date(2025, 7, 3)


def requests_per_filled_cola() -> None:
    """Index two completed dates, drop every form row (the whole index owes pages), fill, count."""
    with Simulator(SEED, TODAY) as sim, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {"SOURCES__TTB_COLA__PAGES": "form"}
        indexed = run_cli(work, sim.base_url, TODAY, "ingest", "--date", DAY.isoformat(), "--strategy", "search",
                          "--requests-per-second", "0", **env)
        assert indexed.status == 0, indexed.stderr[-2000:]
        with duckdb.connect(str(work / "warehouse.duckdb")) as con:
            con.execute("delete from ttb_cola.cola_forms")
            con.execute("delete from ttb_cola.cola_details")
            [(owed,)] = con.execute("select count(*) from ttb_cola.cola_listings").fetchall()
        before = sim.all_requests()
        filled = run_cli(work, sim.base_url, TODAY, "fill", "--requests-per-second", "0", **env)
        assert filled.status == 0, filled.stderr[-2000:]
        requests = sim.all_requests() - before
        with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
            [(held,)] = con.execute("select count(*) from ttb_cola.cola_forms").fetchall()
            dates = [d for (d,) in con.execute(
                "select l.completed_date from ttb_cola.cola_forms f join ttb_cola.cola_listings l using (ttb_id) "
                "order by f.fetched_at").fetchall()]
    inversions = sum(1 for a, b in zip(dates, dates[1:], strict=False) if b > a)
    print(f"fill (pages=form, {owed:,} owed COLAs of {DAY}..{TODAY}): {requests:,} requests for {held:,} forms "
          f"-> {requests / max(held, 1):.3f} requests per filled COLA  target <= 1.02; {filled.seconds:.1f} s, "
          f"peak {filled.peak_mb:.0f} MB")
    print(f"fill order: {len(dates) - 1 - inversions:,} of {len(dates) - 1:,} consecutive fetches newest-first "
          f"({inversions} inversions: 4 workers finish out of order)")


BENCHES = {"fill": requests_per_filled_cola}
