"""Label-image figures: verify+store rate, barcode ms/image and recall/precision, requests
per COLA of the crawl with `--images front|all` and of `ttb-cola images` on a simulated week, refetches
on a rerun."""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from harness import Simulator, connect, ingest, loaded_ids, run_cli

from ttb_cola.images.barcodes import read_bytes
from ttb_cola.images.store import ImageStore
from ttb_cola.images.verify import check
from ttb_cola_sim import labels
from ttb_cola_sim.registry import Registry

SEED = 11
AS_OF = date(2025, 6, 30)
WEEK = (date(2025, 6, 9), date(2025, 6, 15))


def _labels(n: int) -> list[tuple[bytes, dict]]:
    """``n`` simulator labels (bytes, truth) of e-filed COLAs, in registry order."""
    registry = Registry(seed=SEED, as_of=AS_OF)
    out: list[tuple[bytes, dict]] = []
    day = WEEK[0]
    while len(out) < n:
        for record in registry.partition_records(day, "001"):
            raw = registry.raw(record["ttb_id"])
            for truth in labels.label_truth(SEED, raw):
                out.append((labels.label_image(SEED, raw, truth["position"])[0], truth))
        day += timedelta(days=1)
    return out[:n]


def verify_and_store(n: int = 600) -> None:
    """Images verified (magic + full decode) and stored per second, no HTTP; the process's peak RSS."""
    images = _labels(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = ImageStore(str(Path(tmp) / "images"))
        started = time.perf_counter()
        for body, _ in images:
            checked = check(body)
            store.put(body, str(checked.extension))
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mean_kb = sum(len(b) for b, _ in images) / len(images) / 1024
    print(f"verify + store: {len(images)} images ({mean_kb:.0f} KB mean), {len(images) / seconds:,.0f} images/s, "
          f"{store.writes} files written; bench process peak RSS {peak_mb:,.0f} MB")


def barcodes(n: int = 1500) -> None:
    """Barcode decoding: ms per image, recall and precision on clean vs distorted labels."""
    images = _labels(n)
    tally = {k: {"codes": 0, "read": 0, "wrong": 0} for k in ("clean", "rotated", "blurred", "no code")}
    started = time.perf_counter()
    for body, truth in images:
        found = {b.gtin for b in read_bytes(body)}
        kind = "no code" if truth["gtin"] is None else (truth["distortion"] or "clean")
        tally[kind]["codes"] += truth["gtin"] is not None
        tally[kind]["read"] += truth["gtin"] in found
        tally[kind]["wrong"] += len(found - {truth["gtin"]})
    ms = (time.perf_counter() - started) * 1000 / len(images)
    print(f"barcodes: {len(images)} labels, {ms:.1f} ms per image (decode + read)")
    for kind, t in tally.items():
        reads = t["read"] + t["wrong"]
        recall = f"recall {t['read'] / t['codes']:.1%}" if t["codes"] else "no codes drawn"
        precision = f"precision {t['read'] / reads:.1%}" if reads else "nothing read"
        print(f"  {kind:8s}: {t['codes']:4d} codes, {recall}, {precision} ({t['wrong']} wrong reads)")


def week_requests() -> None:
    """`ttb-cola images` on a simulated week: requests per COLA with front and all, then a rerun."""
    with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF) as sim:
        root = Path(tmp)
        run = ingest(root / "front", sim.base_url, *WEEK, AS_OF, "--requests-per-second", "0")
        if run.status != 0:
            raise SystemExit(f"ingest failed: {run.stderr[-2000:]}")
        colas = len(loaded_ids(root / "front"))
        shutil.copytree(root / "front", root / "all")
        for which in ("front", "all", "all (rerun)"):
            before = sim.call("stats")["requests"]
            work = root / which.split()[0]
            images = run_cli(work, sim.base_url, AS_OF, "images", "--start", WEEK[0].isoformat(), "--end",
                             WEEK[1].isoformat(), "--which", which.split()[0], "--requests-per-second", "0",
                             "--images-url", str(work / "images"))
            after = sim.call("stats")["requests"]
            forms = after.get("viewColaDetails.do", 0) - before.get("viewColaDetails.do", 0)
            pics = after.get("publicViewAttachment.do", 0) - before.get("publicViewAttachment.do", 0)
            summary = images.stderr.strip().splitlines()[-1:] if images.status else []
            print(f"images={which}: {colas:,} COLAs, {forms:,} form + {pics:,} image requests "
                  f"-> {(forms + pics) / colas:.2f} requests/COLA ({pics / colas:.2f} image requests/COLA), "
                  f"{images.seconds:.1f} s, peak memory {images.peak_mb:,.0f} MB, exit {images.status} {summary}")


def _requests(sim: Simulator) -> tuple[int, int]:
    """(crawl requests, image requests) the simulator answered so far."""
    served = sim.call("stats")["requests"]
    images = served.get("publicViewAttachment.do", 0)
    return sum(served.values()) - images, images


def _image_rows(workdir: Path) -> tuple[int, int]:
    """(``cola_images`` rows, image requests their safeguards added: second opinions and fresh forms)."""
    with connect(workdir) as con:
        rows, extra = con.sql("select count(*), coalesce(sum(requests - 1), 0) from ttb_cola.cola_images").fetchone()
    return int(rows), int(extra)


def crawl_week() -> None:
    """The crawl with images on a simulated week: requests per COLA = the crawl's own figure (images=none)
    plus exactly one per label image (goal), the safeguards' second opinions shown apart; a rerun
    (``--reprobe``: every form fetched again) asks for no image (goal 0)."""
    with tempfile.TemporaryDirectory() as tmp, Simulator(SEED, AS_OF) as sim:
        root = Path(tmp)
        figures: dict[str, tuple[int, int, int, int, float]] = {}
        for which in ("none", "front", "all", "all-rerun"):
            work = root / which.split("-")[0]
            extra = ("--images", which.split("-")[0], "--requests-per-second", "0", "--max-workers", "4")
            before = _requests(sim)
            run = run_cli(work, sim.base_url, AS_OF, "ingest", "--start", WEEK[0].isoformat(), "--end",
                          WEEK[1].isoformat(), *extra, *(("--reprobe",) if "rerun" in which else ()),
                          SOURCES__TTB_COLA__IMAGES_URL=str(work / "images"))
            if run.status != 0:
                raise SystemExit(f"crawl images={which} failed: {run.stderr[-2000:]}")
            after = _requests(sim)
            rows, safeguards = _image_rows(work) if which != "none" else (0, 0)
            figures[which] = (after[0] - before[0], after[1] - before[1], rows, safeguards, run.seconds)
            colas = len(loaded_ids(work))
            crawl, images, rows, safeguards, seconds = figures[which]
            line = (f"crawl images={which}: {colas:,} COLAs, {crawl:,} crawl + {images:,} image requests "
                    f"-> {(crawl + images) / colas:.3f} requests/COLA, {seconds:.1f} s, peak {run.peak_mb:,.0f} MB")
            if which in ("front", "all"):
                own = figures["none"][0]
                goal = own + rows  # the crawl's own figure plus one request per label image
                line += (f"; {rows:,} label images, goal {own:,} + {rows:,} = {goal / colas:.3f} requests/COLA, "
                         f"measured/goal {(crawl + images) / goal:.3f} (safeguard second opinions: {safeguards:,} "
                         f"requests; without them {(crawl + images - safeguards) / goal:.3f})")
            if which == "all-rerun":
                line += f"; image requests {images} (goal 0), crawl requests {crawl:,} (every form again)"
            print(line)


BENCHES = {"verify_store": verify_and_store, "barcodes": barcodes, "crawl_week": crawl_week, "week": week_requests}
