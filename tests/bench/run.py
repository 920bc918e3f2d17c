"""`make bench`: measured figures and their ratios to the targets. Never run by `make test`."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

# `daily` runs here load TTB's open files only where a bench points them at the simulator: never www.ttb.gov.
os.environ.setdefault("SOURCES__TTB_OPEN_DATA__DAILY", "false")
HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
sys.path.insert(0, str(HERE))


def rate(fn: Callable[[str], object], pages: list[str], seconds: float = 3.0) -> float:
    """Pages per second of ``fn`` over ``pages``, repeated for about ``seconds`` on one core."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for page in pages:
            fn(page)
        done += len(pages)
    return done / (time.perf_counter() - start)


def bench_parse() -> None:
    """Parse throughput vs a BeautifulSoup extraction and vs a bare lexbor build."""
    from bs_detail import parse_detail_bs

    from ttb_cola.parsers.detail import parse_detail
    from ttb_cola.parsers.form import parse_form
    from ttb_cola.text import decode

    details = [decode(p.read_bytes()) for p in sorted(FIXTURES.glob("detail_*.html"))]
    forms = [decode(p.read_bytes()) for p in sorted(FIXTURES.glob("form_*.html"))]
    ours = rate(parse_detail, details)
    baseline = rate(parse_detail_bs, details)
    form_rate = rate(parse_form, forms)
    print(f"parse detail (selectolax, {len(details)} real pages): {ours:,.0f} pages/s  target >= 2,000  "
          f"-> {ours / 2000:.1f}x target")
    print(f"parse detail (BeautifulSoup html.parser baseline):   {baseline:,.0f} pages/s")
    print(f"speed-up over baseline: {ours / baseline:.1f}x  target >= 10x")
    print(f"parse form (selectolax, {len(forms)} real pages):   {form_rate:,.0f} pages/s")
    import bench_parse

    bench_parse.parsers_vs_lexbor()


def bench_reparse() -> None:
    """`ttb-cola reparse` COLAs/s vs the bare lexbor parse of its pages, its start-up and its cost per page."""
    import bench_reparse

    bench_reparse.reparse_vs_lexbor()


def bench_ingest() -> None:
    """Probing and daily figures against the simulator (separate processes, loopback HTTP)."""
    import bench_ingest

    for fn in bench_ingest.BENCHES.values():
        fn()


def bench_backfill() -> None:
    """Registry-scale runs: search-first backfill, SIGKILL and resume, first daily under a budget."""
    import bench_backfill

    for fn in bench_backfill.BENCHES.values():
        fn()


def bench_dbt() -> None:
    """dbt build on 1M COLAs."""
    import bench_dbt

    bench_dbt.build_1m()


def bench_lake() -> None:
    """dbt build on N COLAs in the Delta lake (moto S3) vs the DuckDB target, and bucket bytes read."""
    import bench_lake

    bench_lake.build_on_lake_vs_duckdb()


def bench_lake_archive() -> None:
    """The raw archive read back from the bucket (moto S3): pages/s one at a time vs in concurrent groups."""
    import bench_lake

    bench_lake.archive_reads()


def bench_digest() -> None:
    """The digest and the report on 1M COLAs."""
    import bench_digest

    bench_digest.digest_and_report_1m()


def bench_resilience() -> None:
    """Rate after a pause, block to exit, Ctrl-C to exit."""
    import bench_resilience

    for fn in bench_resilience.BENCHES.values():
        fn()


def bench_index() -> None:
    """The completed-date index: requests vs the ideal, recall, projected time for the registry."""
    import bench_index

    bench_index.main()


def bench_images() -> None:
    """Label images: verify+store, barcodes, requests per COLA of `ttb-cola images`."""
    import bench_images

    for fn in bench_images.BENCHES.values():
        fn()


def bench_fill() -> None:
    """The page backlog: requests per filled COLA (pages=form) and the order of the fetches."""
    import bench_fill

    for fn in bench_fill.BENCHES.values():
        fn()


def bench_state() -> None:
    """Bytes of the dlt state and of `_dlt_pipeline_state`, and start-up time, at registry scale."""
    import bench_state

    for fn in bench_state.BENCHES.values():
        fn()


def bench_permittees() -> None:
    """TTB's List of Permittees: load + diff of an 84,000-row week, match rates on the simulator's truth."""
    import bench_permittees

    for fn in bench_permittees.BENCHES.values():
        fn()


def bench_ocr() -> None:
    """Label text: precision/recall per field, images/s vs the crawl's image arrival, peak memory."""
    import bench_ocr

    for fn in bench_ocr.BENCHES.values():
        fn()


def bench_serve() -> None:
    """`ttb-cola serve` latency (p50, p95) on 3M COLAs at 1 and 8 clients: lookup, full text, permit filter."""
    import bench_serve

    for fn in bench_serve.BENCHES.values():
        fn()


def bench_alerts() -> None:
    """Seconds from the daily build's end (`ttb-cola alerts` starting) to a webhook holding the first POST."""
    import bench_alerts

    for fn in bench_alerts.BENCHES.values():
        fn()


def bench_run_cost() -> None:
    """The fixed cost of an ingest: its CPU in process and dlt's configuration resolutions in it."""
    import bench_run_cost

    for fn in bench_run_cost.BENCHES.values():
        fn()


def bench_suite() -> None:
    """The wall time of the last `make test` (recorded by tests/conftest.py) against the 8-minute target."""
    import bench_suite

    bench_suite.last_suite_run()


BENCHES = {
    "parse": bench_parse, "reparse": bench_reparse, "ingest": bench_ingest, "backfill": bench_backfill,
    "dbt": bench_dbt, "lake": bench_lake, "lake_archive": bench_lake_archive,
    "digest": bench_digest, "resilience": bench_resilience, "images": bench_images,
    "index": bench_index, "fill": bench_fill, "state": bench_state,
    "permittees": bench_permittees, "ocr": bench_ocr, "serve": bench_serve, "alerts": bench_alerts,
    "run_cost": bench_run_cost, "suite": bench_suite,
}


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all by default)."""
    names = argv or list(BENCHES)
    for name in names:
        print(f"== {name}")
        BENCHES[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
