"""Registry-scale figures: a search-first backfill (requests per COLA by pages mode, recall, exact
fields, time, memory, projection for the registry since 2015), the same backfill killed with SIGKILL
and rerun, and a first daily on an empty warehouse under a time budget."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from harness import BIN, REPO, Simulator, connect, run_cli
from ingest_helpers import COMPARED

from ttb_cola_sim.registry import Registry, truth_record

SEED = 11
AS_OF = date(2025, 6, 30)
#: Public COLAs in the registry since 2015, and the default rate, for the projection.
REGISTRY_COLAS = 1_600_000
DEFAULT_RATE = 2.0
#: Fields the form cannot give (see the README's pages table).
NOT_ON_FORM = ("vendor_code", "wine_vintage", "other_permits")


def listed_truth(start: date, today: date) -> dict[str, dict]:
    """Every COLA the registry lists by completed date from ``start`` to ``today``, as truth records."""
    registry = Registry(seed=SEED, as_of=today)
    return {r["ttb_id"]: truth_record(r) for r in registry.completed_between(start, today, today)}


def loaded(workdir: Path) -> dict[str, dict]:
    """The loaded COLAs, compared fields only, values in the truth's form."""
    import json

    with connect(workdir) as con:
        rel = con.sql(f"select {', '.join(COMPARED)} from colas")
        rows = [dict(zip(COMPARED, row, strict=True)) for row in rel.fetchall()]
    for row in rows:
        for name, value in row.items():
            if isinstance(value, date):
                row[name] = value.isoformat()
            elif name in ("type_of_application", "other_permits") and isinstance(value, str):
                row[name] = json.loads(value)
    return {row["ttb_id"]: row for row in rows}


def exact_share(got: dict[str, dict], want: dict[str, dict], skip: tuple[str, ...]) -> float:
    """Share of the wanted COLAs loaded with every compared field (but ``skip``) equal."""
    fields = [f for f in COMPARED if f not in skip]
    good = sum(1 for k, w in want.items() if k in got and all(got[k][f] == w.get(f) for f in fields))
    return good / max(len(want), 1)


def search_first_backfill(days: int = 90) -> None:
    """`ttb-cola backfill` of ``days`` receipt days (search first) with pages=form and pages=both."""
    start = AS_OF - timedelta(days=days)
    want = listed_truth(start, AS_OF)
    print(f"search-first backfill of {days} receipt days ({start}..{AS_OF - timedelta(days=1)}), "
          f"{len(want):,} COLAs listed since {start}:")
    for pages, goal in (("form", 1.05), ("both", 2.05)):
        with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF) as sim:
            run = run_cli(Path(tmp), sim.base_url, AS_OF, "backfill", "--start", start.isoformat(),
                          "--requests-per-second", "0", "--pages", pages)
            if run.status != 0:
                raise SystemExit(f"backfill failed ({run.status}): {run.stderr[-2000:]}")
            requests = sim.all_requests()
            got = loaded(Path(tmp))
        per_cola = requests / max(len(got), 1)
        recall = len(got.keys() & want.keys()) / len(want)
        exact = exact_share(got, want, NOT_ON_FORM if pages == "form" else ())
        projected = REGISTRY_COLAS * per_cola / DEFAULT_RATE / 86_400
        print(f"  pages={pages}: {len(got):,} COLAs, {requests:,} requests -> {per_cola:.3f} requests/COLA "
              f"(goal <= {goal}: {per_cola / goal:.2f}x); recall {recall:.2%}, exact fields {exact:.2%}; "
              f"{run.seconds:.0f} s, {len(got) / run.seconds:,.0f} COLAs/s, peak {run.peak_mb:,.0f} MB; "
              f"registry since 2015 at {DEFAULT_RATE:g} req/s: {projected:.1f} days")


def killed_backfill(days: int = 30, trials: int = 3) -> None:
    """The backfill killed with SIGKILL at random moments and rerun: COLAs lost, COLAs fetched twice."""
    start = AS_OF - timedelta(days=days)
    want = listed_truth(start, AS_OF)
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF) as sim:
        work = Path(tmp)
        cmd = [str(BIN / "ttb-cola"), "backfill", "--start", start.isoformat(), "--today", AS_OF.isoformat(),
               "--base-url", sim.base_url, "--requests-per-second", "0", "--pipelines-dir", str(work / "pipelines"),
               "--chunk-days", "3", "--quiet"]
        env = dict(os.environ, DESTINATION__DUCKDB__CREDENTIALS=str(work / "warehouse.duckdb"))
        kills = []
        for _ in range(trials):
            process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
            delay = rng.uniform(5, 40)
            time.sleep(delay)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                kills.append(round(delay))
            process.wait()
        final = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        pages = sim.page_requests()
        got = loaded(work)
    lost = len(want.keys() - got.keys())
    extra_pages = pages - len(got)  # pages=form: one page per COLA fetched once
    print(f"backfill of {days} receipt days killed (SIGKILL) after {kills} s and rerun (exit {final.returncode}): "
          f"{lost} COLAs lost (goal 0), {len(got):,} loaded, {pages:,} pages fetched -> {extra_pages:,} fetched "
          f"more than once (goal: only the chunks in flight, at most {len(kills)} chunks of 3 days)")


def first_daily_under_budget(minutes: float = 1.0, window: int = 30) -> None:
    """A first `ttb-cola daily` on an empty warehouse with --max-minutes: runs until it finishes."""
    env = {"SOURCES__TTB_COLA__SETTLE_DAYS": str(window), "SOURCES__TTB_COLA__LOOKBACK_DAYS": str(window)}
    runs, statuses = 0, []
    with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF) as sim:
        while runs < 20:
            runs += 1
            run = run_cli(Path(tmp), sim.base_url, AS_OF, "daily", "--requests-per-second", "0",
                          "--max-minutes", str(minutes), "--chunk-days", "2", **env)
            statuses.append(run.status)
            if run.status != 75:
                break
        got = loaded(Path(tmp))
    want = listed_truth(AS_OF - timedelta(days=window), AS_OF)
    recall = len(got.keys() & want.keys()) / len(want)
    print(f"first daily on an empty warehouse ({window}-day windows) under --max-minutes {minutes:g}: "
          f"{runs} runs to finish (exits {statuses}), each committed; recall {recall:.2%}")


BENCHES = {
    "search_first": search_first_backfill,
    "killed": killed_backfill,
    "first_daily": first_daily_under_budget,
}
