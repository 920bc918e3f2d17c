"""``status``: coverage by receipt month from the partition state in the destination."""

from __future__ import annotations

import sys

from ttb_cola.errors import InputError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def show_status(destination: str, pipelines_dir: str | None) -> int:
    """Print the coverage table; exit 1 when a partition failed."""
    from ttb_cola.runs.pipeline import partition_states
    from ttb_cola.runs.report import coverage_by_month, render_coverage

    try:
        states = partition_states(destination, pipelines_dir)
    except InputError as exc:
        print(f"ttb-cola status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not states:
        print("no partition crawled yet: run `make ingest DATE=...` or `make daily`")
        return EXIT_OK
    print(render_coverage(coverage_by_month(states)))
    failed = sorted(key for key, state in states.items() if state["status"] == "failed")
    if failed:
        print(f"failed partitions (the next run retries them): {', '.join(failed[:20])}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
