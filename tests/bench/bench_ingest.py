"""Ingestion figures: requests per record (backfill, daily), rate fidelity, speed, memory."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from harness import Simulator, crawl_rows, ingest, loaded_ids, loaded_statuses, run_cli

from ttb_cola_sim.registry import Registry

SEED = 11
AS_OF = date(2025, 6, 30)
METHODS = ("001", "002", "003", "000")
LOOKBACK = 45


def truth_ids(seed: int, as_of: date, start: date, end: date) -> set[str]:
    """Public TTB IDs of a receipt-date range as of a date, from the simulator's own model."""
    registry = Registry(seed=seed, as_of=as_of)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return {r["ttb_id"] for d in days for m in METHODS for r in registry.partition_records(d, m, as_of)}


def _check(run, what: str) -> None:
    if run.status != 0:
        raise SystemExit(f"{what} failed with exit {run.status}:\n{run.stderr[-2000:]}")


def backfill_30_days() -> None:
    """A 30-day backfill, no rate limit, no latency: requests/record, records/s, peak memory."""
    start, end = AS_OF - timedelta(days=40), AS_OF - timedelta(days=11)
    with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF) as sim:
        run = ingest(Path(tmp), sim.base_url, start, end, AS_OF, "--requests-per-second", "0", "--max-workers", "4")
        _check(run, "backfill")
        requests = sim.page_requests()
        loaded = loaded_ids(Path(tmp))
    expected = truth_ids(SEED, AS_OF, start, end)
    recall = len(loaded & expected) / len(expected)
    print(f"30-day backfill: {len(loaded):,} records, {requests:,} page requests "
          f"-> {requests / len(loaded):.2f} requests/record, recall {recall:.2%} ({len(loaded - expected)} extra)")
    rate = len(loaded) / run.seconds
    print(f"  end to end: {run.seconds:.1f} s -> {rate:,.0f} records/s (target >= 500: {rate / 500:.2f}x); "
          f"peak memory {run.peak_mb:,.0f} MB (target <= 500: {run.peak_mb / 500:.2f}x)")


def daily_steady_state() -> None:
    """Yesterday plus the lookback window, after the clock advanced one day."""
    with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF) as sim:
        work = Path(tmp)
        _check(ingest(work, sim.base_url, AS_OF - timedelta(days=LOOKBACK), AS_OF - timedelta(days=1), AS_OF,
                      "--requests-per-second", "0"), "daily setup")
        before_ids, before_requests = loaded_ids(work), sim.page_requests()
        today = AS_OF + timedelta(days=1)
        sim.set_as_of(today)
        start, end = today - timedelta(days=LOOKBACK), today - timedelta(days=1)
        _check(ingest(work, sim.base_url, start, end, today, "--requests-per-second", "0"), "daily run")
        requests = sim.page_requests() - before_requests
        after = loaded_ids(work)
    new = after - before_ids
    expected = truth_ids(SEED, today, start, end)
    recall = len(after & expected) / len(expected)
    print(f"daily steady state ({LOOKBACK}-day lookback, clock +1 day): {len(new):,} new records, "
          f"{requests:,} page requests -> {requests / max(len(new), 1):.2f} requests/new record, "
          f"window recall {recall:.2%}")


def daily_strategies() -> None:
    """The daily run (lookback window, clock +1 day) for each discovery strategy, side by side.

    Each strategy gets its own warehouse, warmed up by one daily run, then measured over the next
    day's run: every registry request (searches, exports, pages) per record loaded or updated, and
    recall: the window's public COLAs loaded, and the statuses of everything loaded as the registry
    shows them now. One page per COLA (``pages = form``, the default). The daily windows (receipt
    dates back ``settle_days``, completed dates back ``lookback_days``) are both 45 days here.
    """
    today = AS_OF + timedelta(days=1)
    registry = Registry(seed=SEED, as_of=today)
    first = today - timedelta(days=LOOKBACK)
    window = {r["ttb_id"] for d in (first + timedelta(days=n) for n in range(LOOKBACK))
              for m in METHODS for r in registry.partition_records(d, m, today)}
    daily = ("--lookback-days", str(LOOKBACK), "--requests-per-second", "0")
    window_env = {"SOURCES__TTB_COLA__SETTLE_DAYS": str(LOOKBACK)}
    print(f"daily steady state ({LOOKBACK}-day windows, clock +1 day, pages=form):")
    for strategy in ("probe", "search", "both"):
        with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF) as sim:
            work = Path(tmp)
            options = (*daily, "--strategy", strategy)
            _check(run_cli(work, sim.base_url, AS_OF, "daily", *options, **window_env),
                   f"{strategy} warm-up")
            before, served = loaded_statuses(work), sim.all_requests()
            sim.set_as_of(today)
            run = run_cli(work, sim.base_url, today, "daily", *options, **window_env)
            _check(run, f"{strategy} daily")
            requests = sim.all_requests() - served
            after = loaded_statuses(work)
        loaded = {k for k, v in after.items() if before.get(k) != v}
        recall = len(window & after.keys()) / len(window)
        stale = sum(1 for k, (status, *_) in after.items() if registry.record(k)["status"] != status)
        print(f"  {strategy:<6}: {len(loaded):,} records loaded or updated, {requests:,} requests -> "
              f"{requests / max(len(loaded), 1):.2f} requests/record (target for both <= 1.1); window recall "
              f"{recall:.2%}; {stale} of {len(after):,} loaded COLAs show an outdated status; {run.seconds:.0f} s")


def rate_fidelity() -> None:
    """Achieved vs configured request rate at 200 ms simulated latency and 10 requests/s.

    One run over two weekend receipt dates (all methods): enough work for a couple of minutes, with
    the partitions' frontier walks fetched ahead concurrently.
    """
    day = next(d for d in (AS_OF - timedelta(days=n) for n in range(20, 60)) if d.weekday() == 5)
    with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF, "--latency-ms", "200") as sim:
        _check(ingest(Path(tmp), sim.base_url, day, day + timedelta(days=1), AS_OF, "--requests-per-second", "10",
                      "--max-workers", "4"), "rate run")
        served = sim.page_requests()
        rows = crawl_rows(Path(tmp))
    seconds = (max(r["finished_at"] for r in rows) - min(r["started_at"] for r in rows)).total_seconds()
    achieved = served / seconds
    print(f"rate fidelity at 200 ms latency, 10 req/s configured: {served:,} requests in {seconds:.1f} s "
          f"-> {achieved:.2f} req/s, ratio {achieved / 10:.2f} (target >= 0.9)")


BENCHES = {
    "backfill": backfill_30_days,
    "daily": daily_steady_state,
    "strategies": daily_strategies,
    "rate": rate_fidelity,
}
