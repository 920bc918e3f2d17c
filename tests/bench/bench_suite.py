"""The wall time of the last whole-suite run (`make test`), as tests/conftest.py recorded it."""

from __future__ import annotations

import json

from harness import REPO

#: Where tests/conftest.py writes it (`make test` runs pytest with --record-suite-time).
SUITE_TIME = REPO / ".pytest_cache" / "suite_time.json"
TARGET_SECONDS = 8 * 60


def last_suite_run() -> None:
    """Print the last recorded `make test` wall time against the 8-minute target, and its slowest tests."""
    if not SUITE_TIME.exists():
        print("test suite: no whole-suite run recorded yet (run `make test`, then `make bench`)")
        return
    run = json.loads(SUITE_TIME.read_text())
    seconds = run["seconds"]
    print(f"test suite (pytest in make test, {run['workers']} workers, finished {run['finished_at']}): "
          f"{int(seconds // 60)} min {seconds % 60:.0f} s wall, {run['tests']} tests, {run['failed']} failed; "
          f"target <= 8 min on an idle machine -> {seconds / TARGET_SECONDS:.2f}x target")
    for nodeid, took in run.get("slowest", [])[:5]:
        print(f"  {took:7.1f} s  {nodeid}")


BENCHES = {"suite": last_suite_run}
