"""Index bench: list every completed date of a span with the search client, on the simulator.

Realistic volumes (``business_days``: nothing completed on weekends and holidays, some 900 a
weekday), an empty year before two listed years, export caps of 500 and 1,000, a client that starts
from the default prior and learns the cap. Figures: requests against the ideal 2 x ceil(rows / cap)
(goal <= 1.5x), recall with exact listing fields against the truth (goal 100%), and the time to index
the whole registry (~3 million COLAs) at 2 requests/s (goal < 3 hours).

Then the same span indexed as a user would (``ttb-cola backfill --pages none`` in 30-day chunks, a
process of its own loading a DuckDB file, the simulator in this one), at both caps: its requests
against the ideal and against the same span listed as one range, and recall. A warm start (from what a
run stored: the cap, where completions spread) must cost no more than a cold one. Peak resident memory
of the index run over one year and over the whole span, read from the run's own ``/proc`` high-water
mark (see ``harness.PeakMemory``). Goal: flat memory whatever the span (the whole span's peak within 10%
of the year's) and under 500 MiB.

Run alone: ``.venv/bin/python tests/bench/bench_index.py``; ``make bench`` runs it as ``index``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ingestion"))

from harness import connect, run_cli  # noqa: E402

from ttb_cola.registry.client import RegistryClient  # noqa: E402
from ttb_cola.search.cap import DEFAULT_EXPORT_CAP, ExportCap  # noqa: E402
from ttb_cola.search.client import Searcher  # noqa: E402
from ttb_cola.search.split_plan import Density  # noqa: E402
from ttb_cola_sim.registry import Registry, truth_record  # noqa: E402
from ttb_cola_sim.server import SimulatorServer  # noqa: E402

FIRST, LAST = date(2022, 1, 1), date(2024, 12, 31)  # 2022 empty: the registry starts in 2023
REGISTRY_START, AS_OF = date(2023, 1, 1), date(2025, 1, 6)
FIELDS = ("permit_number", "serial_number", "completed_date", "fanciful_name", "brand_name", "origin_code",
          "origin_description", "class_type_code", "class_type_description")
REGISTRY_SIZE = 3_000_000
RATE = 2.0
YEAR_FIRST = date(2024, 1, 1)  # the short span of the memory figures: the last listed year
PEAK_GOAL_MIB = 500
FLAT_GOAL = 1.10


def index_span(cap: int, registry: Registry, truth: dict[str, dict], learned: dict | None = None) -> dict:
    """List FIRST..LAST at once with a fresh client against a simulator whose export holds ``cap`` rows,
    starting cold (the default prior) or from what a run ``learned`` (the cap, where completions spread,
    as a run stores them); what this one learned, and its requests."""
    with SimulatorServer(registry, export_cap=cap) as server:
        client = RegistryClient(server.base_url, requests_per_second=0)
        searcher = Searcher(client, ExportCap(DEFAULT_EXPORT_CAP, (learned or {}).get("export_cap")),
                            Density((learned or {}).get("search_density")))
        clock = time.perf_counter()
        result = searcher.completed(FIRST, LAST)
        seconds = time.perf_counter() - clock
    requests = client.stats.snapshot().requests
    rows = {row["ttb_id"]: row for row in result.rows}
    exact = sum(1 for i, row in rows.items() if i in truth and all(row[f] == truth[i][f] for f in FIELDS))
    days = result.days()
    proven = sum(1 for d in days if d.proof.first <= d.day <= d.proof.last)
    ideal = 2 * -(-len(truth) // cap)
    per_row = requests / max(1, len(truth))
    hours = REGISTRY_SIZE * per_row / RATE / 3600
    start = "cold start" if learned is None else f"start from what a run learned (cap {learned['export_cap']})"
    print(f"index cap {cap:>5}, {start}: {len(truth):,} rows over {len(days):,} dates ({proven:,} proven), "
          f"learned cap {searcher.export_cap}")
    print(f"  requests {requests:,} (searches {result.searches:,}, exports {result.exports:,}, pages "
          f"{result.pages:,}, splits {result.splits:,}) vs ideal {ideal:,}: {requests / ideal:.2f}x  goal <= 1.5x "
          f"-> {1.5 / (requests / ideal):.2f}x goal")
    print(f"  recall {exact / len(truth):.4%} exact ({exact:,}/{len(truth):,}; extra rows "
          f"{len(set(rows) - set(truth))})  goal 100%")
    print(f"  whole registry ({REGISTRY_SIZE:,} COLAs) at {RATE:g} req/s: {hours:.2f} h  goal < 3 h "
          f"-> {3 / hours:.1f}x goal;  bench wall time {seconds:.0f} s")
    return {"export_cap": searcher.cap.state(), "search_density": searcher.density.state(), "requests": requests}


def index_run(cap: int, registry: Registry, first: date = FIRST) -> tuple[int, float]:
    """``ttb-cola backfill --pages none`` over ``first``..AS_OF in its own process: requests, recall; its
    requests and peak memory (MiB)."""
    truth = {r["ttb_id"]: truth_record(r) for r in registry.completed_between(first, AS_OF)}
    with tempfile.TemporaryDirectory() as tmp, SimulatorServer(registry, export_cap=cap) as server:
        run = run_cli(Path(tmp), server.base_url, AS_OF, "backfill", "--start", first.isoformat(), "--pages", "none",
                      "--chunk-days", "30", "--requests-per-second", "0", DLT_DATA_DIR=str(Path(tmp) / "dlt"))
        requests = sum(server.requests.values())
        if run.status != 0:
            raise RuntimeError(f"the index run failed ({run.status}): {run.stderr[-2000:]}")
        with connect(Path(tmp)) as con:
            rows = {r[0]: r[1:] for r in con.execute(
                f"select ttb_id, {', '.join(FIELDS)} from ttb_cola.cola_listings").fetchall()}
    exact = sum(1 for i, row in rows.items() if i in truth and all(
        (v.isoformat() if hasattr(v, "isoformat") else v) == truth[i][f] for f, v in zip(FIELDS, row, strict=True)))
    ideal = 2 * -(-len(truth) // cap)
    print(f"index run (backfill --pages none, 30-day chunks, own process) cap {cap}: {len(truth):,} rows "
          f"{first}..{AS_OF}")
    print(f"  requests {requests:,} vs ideal {ideal:,}: {requests / ideal:.2f}x;  recall {exact / len(truth):.4%} "
          f"exact ({exact:,}/{len(truth):,}; extra rows {len(set(rows) - set(truth))})")
    print(f"  peak memory {run.peak_mb:.0f} MiB (resident, the run's process);  wall time {run.seconds:.0f} s")
    return requests, run.peak_mb


def index_memory(cap: int, registry: Registry, whole: float) -> None:
    """Peak memory of the index run over the last listed year against ``whole``, the whole span's peak:
    flat, and under the goal."""
    _, year = index_run(cap, registry, YEAR_FIRST)
    ratio, peak = whole / year, max(year, whole)
    print(f"index run peak memory: {year:.0f} MiB for {YEAR_FIRST}..{AS_OF}, {whole:.0f} MiB for {FIRST}..{AS_OF}: "
          f"ratio {ratio:.2f}  goal <= {FLAT_GOAL:.2f} -> {FLAT_GOAL / ratio:.2f}x goal;  peak {peak:.0f} MiB  "
          f"goal <= {PEAK_GOAL_MIB} MiB -> {PEAK_GOAL_MIB / peak:.2f}x goal")


def main() -> None:
    """Both caps on the same simulated registry."""
    registry = Registry(seed=1, as_of=AS_OF, start=REGISTRY_START, business_days=True)
    truth = {r["ttb_id"]: truth_record(r) for r in registry.completed_between(FIRST, LAST)}
    per_day: dict[str, int] = {}
    for record in truth.values():
        per_day[record["completed_date"]] = per_day.get(record["completed_date"], 0) + 1
    weekdays = [per_day.get((FIRST + timedelta(days=n)).isoformat(), 0) for n in range((LAST - FIRST).days + 1)
                if (FIRST + timedelta(days=n)).weekday() < 5 and (FIRST + timedelta(days=n)) >= REGISTRY_START
                and per_day.get((FIRST + timedelta(days=n)).isoformat(), 0)]
    print(f"volumes: {len(truth):,} rows {FIRST}..{LAST}; listed weekdays {min(weekdays)}-{max(weekdays)} "
          f"(median {statistics.median(weekdays):.0f}); weekends and holidays 0")
    for cap in (500, 1000):
        learned = index_span(cap, registry, truth)
        warm = index_span(cap, registry, truth, learned)
        print(f"  warm start {warm['requests']:,} vs cold {learned['requests']:,} requests: "
              f"{warm['requests'] - learned['requests']:+,}  goal <= 0")
    peaks: dict[int, float] = {}
    for cap in (500, 1000):
        chunked, peaks[cap] = index_run(cap, registry)
        rows = sum(1 for _ in registry.completed_between(FIRST, AS_OF))
        one = index_span_requests(cap, registry)
        ideal = 2 * -(-rows // cap)
        print(f"  cap {cap}: 30-day chunks {chunked:,} ({chunked / ideal:.2f}x) vs one range {one:,} "
              f"({one / ideal:.2f}x) over {FIRST}..{AS_OF}, ideal {ideal:,}: chunks cost {chunked - one:+,}  "
              f"goal <= 1.5x")
    index_memory(500, registry, peaks[500])


def index_span_requests(cap: int, registry: Registry) -> int:
    """Requests to list FIRST..AS_OF (the index run's span) as one range, cold, in this process."""
    with SimulatorServer(registry, export_cap=cap) as server:
        client = RegistryClient(server.base_url, requests_per_second=0)
        Searcher(client, ExportCap(DEFAULT_EXPORT_CAP)).completed(FIRST, AS_OF)
    return client.stats.snapshot().requests


BENCHES = {"index": main}

if __name__ == "__main__":
    main()
