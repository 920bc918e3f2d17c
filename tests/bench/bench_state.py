"""State at registry scale: bytes of one copy of the dlt pipeline state and of ``_dlt_pipeline_state``
in total, and a run's start-up time, for a crawl state of 13,000 completed dates and 45,000 receipt
partitions, then after 30 dailies; before (the state stored as full dicts, no copy pruned) and after
(packed by :mod:`ttb_cola.state_compaction`, old copies pruned after each load).

The state is synthetic but shaped as the crawl makes it (the dicts of :mod:`ttb_cola.probe.plan` and
:mod:`ttb_cola.search.plan`): the index built by search in 7-day chunks over a few run days, settled
partitions older than 120 days, open ones with holes and fetch days; each daily completes a new date,
re-checks the young partitions and settles those that age out. It is loaded by a real dlt pipeline
into a real DuckDB file under the source and resource names of the crawl, so the copies dlt writes
are the ones a crawl writes. Runnable alone: ``python tests/bench/run.py state``.
"""

from __future__ import annotations

import copy
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dlt

from ttb_cola.destinations.state_prune import prune_state_copies, state_copies
from ttb_cola.destinations.working_folder import destination_state
from ttb_cola.ids import RECEIPT_METHODS, partition_key
from ttb_cola.probe.plan import encode_ranges
from ttb_cola.state_compaction import crawl_view, packed, unpacked

TODAY = date(2026, 11, 30)
DATES = 13_000
PARTITIONS = 45_000
DAILIES = 30
SETTLE_DAYS = 120
DAILY_DAYS = 14
SEED = 5
METHODS = tuple(RECEIPT_METHODS)


def _stamp(rng: random.Random, day: date) -> str:
    return f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}." \
           f"{rng.randrange(1000):03d}+00:00"


def _partition(rng: random.Random, receipt: date, method: str, today: date) -> dict[str, Any]:
    """A partition's state as the probes leave it on ``today``."""
    weekday = receipt.weekday() < 5
    highest = (rng.randint(150, 700) if method == "001" else rng.randint(0, 25)) if weekday else rng.randint(0, 3)
    age = (today - receipt).days
    settled = age > SETTLE_DAYS
    pending = 0.0 if settled else max(0.02, 0.6 * (1 - age / SETTLE_DAYS))
    holes = sorted(s for s in range(1, highest) if rng.random() < pending + 0.03)
    checked = receipt + timedelta(days=min(age, SETTLE_DAYS + rng.randint(1, 14))) if not settled else \
        receipt + timedelta(days=SETTLE_DAYS + rng.randint(1, 14))
    fetched: dict[str, str] = {}
    if settled and highest and rng.random() < 0.7:  # the sequences its settling probe found, kept for good
        fetched[checked.isoformat()] = encode_ranges(rng.sample(range(1, highest + 1), min(highest, 3)))
    if not settled and highest:
        found = [s for s in range(1, highest + 1) if s not in set(holes)]
        cut = sorted(rng.sample(range(len(found) + 1), min(3, len(found) + 1)))
        for n, (a, b) in enumerate(zip([0, *cut], [*cut, len(found)], strict=False)):
            if a < b:
                fetched[(receipt + timedelta(days=1 + n * max(1, age // 4))).isoformat()] = encode_ranges(found[a:b])
    return {
        "highest": highest, "holes": [] if settled else holes, "public": highest - (0 if settled else len(holes)),
        "probed": highest + 40 + rng.randint(0, 20), "status": "settled" if settled else "open",
        "last_checked": min(checked, today).isoformat(), "last_run": _stamp(rng, min(checked, today)),
        "last_error": None, "fetched": fetched, "unanswered": [],
    }


def _search(rng: random.Random, day: date, today: date, run_day: date) -> dict[str, Any]:
    total = 0 if day.weekday() >= 5 else rng.randint(100, 1400)
    over = day < today
    state: dict[str, Any] = {"status": "complete" if over else "partial", "reported_total": total, "listed": total,
                             "last_run": run_day.isoformat(), "last_error": None}
    if not over:
        state["provisional_through"] = today.isoformat()
    return state


def registry_state(rng: random.Random) -> dict[str, Any]:
    """The crawl's resource state of a whole index: 13,000 completed dates, 45,000 partitions."""
    first = TODAY - timedelta(days=DATES - 1)
    build = [TODAY - timedelta(days=n) for n in range(3, 0, -1)]  # the index built over three days
    searches = {(first + timedelta(days=n)).isoformat(): _search(rng, first + timedelta(days=n), TODAY,
                                                                 build[(n // 7) * 3 * 7 // DATES])
                for n in range(DATES)}
    partitions = {}
    receipt_first = TODAY - timedelta(days=PARTITIONS // len(METHODS))
    for n in range(PARTITIONS // len(METHODS)):
        receipt = receipt_first + timedelta(days=n)
        for method in METHODS:
            partitions[partition_key(receipt, method)] = _partition(rng, receipt, method, TODAY)
    return {"partitions": partitions, "searches": searches, "parked": {}}


def daily(rng: random.Random, crawl: dict[str, Any], today: date) -> None:
    """What a daily on ``today`` changes: yesterday complete, today partial, young partitions re-checked,
    new ones opened, those past ``SETTLE_DAYS`` settled."""
    searches, partitions = crawl["searches"], crawl["partitions"]
    for day in (today - timedelta(days=n) for n in range(DAILY_DAYS, -1, -1)):
        searches[day.isoformat()] = _search(rng, day, today, today)
    for receipt in (today - timedelta(days=n) for n in range(SETTLE_DAYS + 2)):
        for method in METHODS:
            key = partition_key(receipt, method)
            age = (today - receipt).days
            if key not in partitions or age <= DAILY_DAYS or age == SETTLE_DAYS + 1:
                partitions[key] = _partition(rng, receipt, method, today)


def _source(crawl: dict[str, Any], pack: bool) -> Any:
    @dlt.source(name="ttb_cola")
    def ttb_cola() -> Any:
        @dlt.resource(name="partitions")
        def partitions() -> Iterator[dict[str, Any]]:
            state = dlt.current.resource_state()
            if pack:
                unpacked(state)
            state.update(copy.deepcopy(crawl))
            if pack:
                packed(state)
            yield {"n": len(crawl["partitions"])}

        return partitions

    return ttb_cola()


def _pipeline(root: Path, folder: str) -> dlt.Pipeline:
    return dlt.pipeline(pipeline_name="ttb_cola_bench", pipelines_dir=str(root / folder),
                        destination=dlt.destinations.duckdb(str(root / "warehouse.duckdb")), dataset_name="ttb_cola")


def _startup(root: Path, n: int, pack: bool) -> float:
    """Seconds a run on a fresh working folder takes to get the crawl's dicts: the destination's state
    read and compared (every run does), restored, and unpacked."""
    started = time.perf_counter()
    pipeline = _pipeline(root, f"fresh-{n}")
    destination_state(pipeline)
    pipeline.sync_destination()
    resources = pipeline.state["sources"]["ttb_cola"]["resources"]["partitions"]
    view = crawl_view(resources) if pack else resources
    assert len(view["partitions"]) >= PARTITIONS
    return time.perf_counter() - started


def measure(pack: bool) -> dict[str, float]:
    """Load the index, then 30 dailies; figures after the index and after the dailies."""
    rng = random.Random(SEED)
    crawl = registry_state(rng)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="ttb-bench-state-") as tmp:
        root = Path(tmp)
        pipeline = _pipeline(root, "work")
        for n in range(DAILIES + 1):
            if n:
                daily(rng, crawl, TODAY + timedelta(days=n))
            pipeline.run(_source(crawl, pack))
            if pack:
                prune_state_copies(pipeline)
            if n in (0, DAILIES):
                count, total = state_copies(pipeline)
                with pipeline.sql_client() as client:
                    rows = client.execute_sql(
                        "SELECT strlen(state) FROM _dlt_pipeline_state WHERE pipeline_name = %s "
                        "ORDER BY _dlt_load_id DESC LIMIT 1", pipeline.pipeline_name)
                tag = "index" if n == 0 else "dailies"
                figures[f"{tag}_copy"] = rows[0][0]
                figures[f"{tag}_copies"] = count
                figures[f"{tag}_total"] = total
                figures[f"{tag}_startup"] = min(_startup(root, n * 10 + k, pack) for k in range(3))
    return figures


def state_at_scale() -> None:
    """Print the figures before and after, and their ratios."""
    before, after = measure(pack=False), measure(pack=True)
    print(f"state: {DATES:,} completed dates, {PARTITIONS:,} partitions, then {DAILIES} dailies (DuckDB)")
    for tag, label in (("index", "after the index"), ("dailies", f"after {DAILIES} dailies")):
        for key, name, unit in (("copy", "one state copy", "KiB"), ("total", "_dlt_pipeline_state", "KiB"),
                                ("startup", "run start-up", "s")):
            b, a = before[f"{tag}_{key}"], after[f"{tag}_{key}"]
            scale = 1024 if unit == "KiB" else 1
            counts = f" ({int(before[f'{tag}_copies'])} -> {int(after[f'{tag}_copies'])} copies)"
            extra = counts if key == "total" else ""
            print(f"  {label:<18} {name:<20} before {b / scale:>10,.1f} {unit}  after {a / scale:>9,.1f} {unit}"
                  f"  ratio {a / b:.3f}{extra}")
    growth_b = before["dailies_total"] / before["index_total"]
    growth_a = after["dailies_total"] / after["index_total"]
    print(f"  _dlt_pipeline_state growth over {DAILIES} dailies: before x{growth_b:.1f}, after x{growth_a:.2f}")


BENCHES = {"state_at_scale": state_at_scale}
