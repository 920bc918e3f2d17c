"""`ttb-cola reparse` on an archive of 10,000 simulated form pages against the bare lexbor parse of those pages
(goal >= 0.3): its wall throughput as run (parse workers, one per CPU), where that wall goes (dlt's steps, from
the run's trace), its CPU in one process past start-up, its start-up, and where its CPU goes per page.

CPU figures are of the command's own process (the parse workers' are printed apart) and move less than wall
time on a shared machine; wall runs are repeated (best and median) and printed with the machine's load. Each wall
run is set against the bare parse measured just before it: a virtual machine's speed drifts (on this project's, by
a fifth within minutes), and a floor measured minutes apart from its run would carry that drift into the ratio.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench_parse import bare, build_archive, cpu_seconds
from harness import BIN, REPO

from ttb_cola.heap import settle_for_parsing
from ttb_cola.parsers.form import parse_form

REPARSE_PAGES = 10_000
GOAL = 0.3
WALL_RUNS = 3
#: Linux's prctl option that makes this process the parent of its children's orphans (the fork server and its
#: parse workers outlive the command by a moment), so their CPU is counted when it waits for them.
_PR_SET_CHILD_SUBREAPER = 36


def reparse_run(work: Path, archive: Path, workers: int) -> tuple[float, float, float]:
    """(the command's CPU seconds, its parse workers' and fork server's CPU seconds, wall seconds) of
    `ttb-cola reparse` (a separate process, DuckDB) of ``archive`` with ``workers`` parse workers (0: one per CPU);
    when it started and ended (epoch seconds) are left in ``work/span``, for :func:`wall_phases`."""
    env = dict(os.environ, DESTINATION__DUCKDB__CREDENTIALS=str(work / "warehouse.duckdb"), RUNTIME__LOG_LEVEL="ERROR",
               SOURCES__TTB_COLA__PARSE_WORKERS=str(workers))
    cmd = [str(BIN / "ttb-cola"), "reparse", "--archive-url", str(archive), "--pipelines-dir", str(work / "pipelines")]
    started, epoch = time.perf_counter(), time.time()
    process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    (work / "span").write_text(f"{epoch} {epoch + seconds}")
    stderr = process.stderr.read() if process.stderr else ""
    assert os.waitstatus_to_exitcode(status) == 0, stderr[-2000:]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    while True:  # the fork server (and through it its workers), orphaned when the command exits
        try:
            os.wait()
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    helpers = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return usage.ru_utime + usage.ru_stime, helpers, seconds


def wall_phases(work: Path) -> dict[str, float]:
    """Where the wall of the :func:`reparse_run` in ``work`` went, in seconds, from its dlt trace: start-up (until
    the extract starts: imports, settings, the pipeline; the workers parse from early in it), the extract (the
    parse; each batch written as it comes), normalize, load, and what follows (DuckDB's closing checkpoint,
    exit)."""
    trace = importlib.import_module("dlt.pipeline.trace").load_trace(str(next((work / "pipelines").iterdir())))
    steps = {step.step: step for step in trace.steps}
    started, ended = (float(part) for part in (work / "span").read_text().split())
    marks = [started, *(steps[name].started_at.timestamp() for name in ("extract", "normalize", "load")),
             steps["load"].finished_at.timestamp(), ended]
    names = ("start-up", "extract (the parse)", "normalize", "load", "after the load")
    return {name: end - start for name, start, end in zip(names, marks, marks[1:], strict=False)}


def per_page_parts(root: Path) -> dict[str, float]:
    """CPU seconds of the parse path's parts over the archive at ``root``, as one process runs them: reading,
    the form parse, and the rows (page rows and hashes, the chunks' Arrow tables and the status log's)."""
    from ttb_cola.archive import RawArchive, archived_records
    from ttb_cola.archive_batches import CHUNK_COLAS
    from ttb_cola.arrow_batches import page_tables
    from ttb_cola.status_log import status_log_table

    archive = RawArchive.at(str(root))
    read = cpu_seconds(lambda _: sum(1 for _ in archive.pages()), [b""], rounds=3)
    bodies = [page.body for page in archive.pages()]
    parse = cpu_seconds(parse_form, bodies, rounds=3)
    records = cpu_seconds(lambda _: sum(1 for _ in archived_records(archive, "https://x")), [b""], rounds=3)
    colas = list(archived_records(archive, "https://x"))
    chunks = [colas[start:start + CHUNK_COLAS] for start in range(0, len(colas), CHUNK_COLAS)]
    tables = cpu_seconds(lambda _: [status_log_table(page_tables(chunk), "r") for chunk in chunks], [b""], rounds=3)
    return {"read": read, "form parse": parse, "rows": max(records - read - parse, 0.0) + tables}


def reparse_vs_lexbor() -> None:
    """The figures of the module's note, each against the goal."""
    settle_for_parsing()
    ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build_archive(work / "one" / "raw", 1)
        startup, _, _ = reparse_run(work / "one", work / "one" / "raw", workers=1)
        bodies = build_archive(work / "raw", REPARSE_PAGES)
        floors, pooled = [], []
        for run in range(WALL_RUNS):
            floors.append(cpu_seconds(bare, bodies, rounds=3))
            pooled.append(reparse_run(work / f"pooled{run}", work / "raw", workers=0))
        median_run = sorted(range(WALL_RUNS), key=lambda run: pooled[run][2])[WALL_RUNS // 2]
        phases = wall_phases(work / f"pooled{median_run}")
        cpu, _, seconds = reparse_run(work / "alone", work / "raw", workers=1)
        floor = cpu_seconds(bare, bodies, rounds=3)
        parts = per_page_parts(work / "raw")
    load_after = os.getloadavg()[0]
    from ttb_cola.archive_batches import worker_count

    walls = sorted(wall for _, _, wall in pooled)
    best, median = walls[0], statistics.median(walls)
    ratios = sorted(floor_ / wall for floor_, (_, _, wall) in zip(floors, pooled, strict=True))
    main_cpu = statistics.median(cpu for cpu, _, _ in pooled)
    helpers = statistics.median(helper for _, helper, _ in pooled)
    print(f"reparse ({REPARSE_PAGES:,} archived forms), {worker_count(0)} parse workers (one per CPU), "
          f"{WALL_RUNS} runs, load average {load_before:.1f} -> {load_after:.1f} on {os.cpu_count()} CPUs: "
          f"best {best:.2f} s wall ({REPARSE_PAGES / best:,.0f} COLAs/s), median {median:.2f} s; each against the bare "
          f"parse just before it ({', '.join(f'{floor_:.2f}' for floor_ in floors)} s): best {ratios[-1]:.2f} of "
          f"lexbor, median {statistics.median(ratios):.2f}  goal >= {GOAL}  -> {ratios[-1] / GOAL:.2f}x goal (best)")
    print(f"reparse pooled CPU (median): the command {main_cpu:.2f} s, its fork server and workers {helpers:.2f} s")
    print("reparse pooled wall by dlt step (the median run): " + ", ".join(
        f"{name} {part:.2f} s" for name, part in phases.items()))
    print(f"reparse in one process: {REPARSE_PAGES / seconds:,.0f} COLAs/s wall ({seconds:.1f} s), {cpu:.2f} s of "
          f"CPU -> {floor / cpu:.2f} of lexbor (CPU, start-up included); bare lexbor parse "
          f"{REPARSE_PAGES / floor:,.0f} pages/s")
    past = max(cpu - startup, 1e-9)
    print(f"reparse start-up (an archive of 1 page): {startup:.2f} s of CPU, {startup / cpu:.0%} of the run above; "
          f"past it {(REPARSE_PAGES - 1) / past:,.0f} COLAs/s of CPU -> {floor / past:.2f} of lexbor  goal >= {GOAL}  "
          f"-> {floor / past / GOAL:.2f}x goal")
    rest = past - parts["read"] - parts["form parse"] - parts["rows"]
    per_page = {"read": parts["read"], "form parse": parts["form parse"],
                "rows (page rows, Arrow tables)": parts["rows"], "dlt extract/normalize/load": rest}
    print("reparse CPU per page past start-up: " + ", ".join(
        f"{name} {part / REPARSE_PAGES * 1e6:,.0f} us ({part / past:.0%})" for name, part in per_page.items()
    ) + f"; bare lexbor build {floor / REPARSE_PAGES * 1e6:,.0f} us")
    parse = parts["form parse"]
    print(f"reparse ceiling at this form parse speed ({floor / parse:.2f} of lexbor): {floor / (startup + parse):.2f} "
          f"of lexbor with start-up and nothing else, {floor / parse:.2f} without start-up")


BENCHES = {"reparse": reparse_vs_lexbor}
