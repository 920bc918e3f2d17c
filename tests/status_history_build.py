"""The two daily runs of the status-history tests, built once per test session into a DuckDB file.

Seed 7 of the simulator, `ttb-cola daily` (strategy `both`, lookback one day) on 2025-04-05 and again on
2025-06-22, each followed by a `dbt build` of the models the histories are read from, so the snapshot grows
build by build as on a machine that keeps its file. Run 2 sees COLAs of run 1 under a new status (one of
them surrendered). The tests read the file read-only where it was built (tests/shared_builds.py ``once``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from digest_helpers import NO_UNIT_TESTS, dbt_command
from ingest_helpers import Warehouse
from shared_builds import once
from sim_server import running_simulator

from ttb_cola.cli import main

SEED = 7
LOOKBACK = 1
RUN_1 = date(2025, 4, 5)  # Sat: searches completed dates 2025-04-04 (Fri) and 2025-04-05 (partial)
RUN_2 = date(2025, 6, 22)  # Sun: searches completed dates 2025-06-21 (Sat) and 2025-06-22 (partial)
#: What each build makes (with its parents, and the data tests among them; no unit test, ``NO_UNIT_TESTS``):
#: the snapshot, the history computed from the status log, and the approvals fact.
SELECTED = ("+snp_cola_status_history", "+fct_cola_status_history", "+fct_cola_approvals")


def daily(pipelines: Path, base_url: str, today: date, *args: str) -> int:
    """`ttb-cola daily` on ``today`` against the simulator at ``base_url``; its exit status."""
    return main([
        "daily", "--today", today.isoformat(), "--lookback-days", str(LOOKBACK), "--strategy", "both",
        "--base-url", base_url, "--requests-per-second", "0", "--max-workers", "4",
        "--pipelines-dir", str(pipelines), "--quiet", *args,
    ])


def _build(folder: Path) -> dict[str, Any]:
    loaded: dict[str, list[str]] = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        warehouse = Warehouse(folder, monkeypatch)
        # the daily run's receipt dates reach back settle_days: keep them within the searched window
        monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", str(LOOKBACK))
        with running_simulator(seed=SEED, as_of=RUN_1) as sim:
            for today in (RUN_1, RUN_2):
                sim.set_as_of(today)
                assert daily(warehouse.pipelines, sim.base_url, today) == 0
                loaded[today.isoformat()] = sorted(warehouse.colas())
                dbt_command(warehouse.db, folder / "dbt", "build", "--select", *SELECTED,
                            "--indirect-selection", "cautious", *NO_UNIT_TESTS)
    return {"db": str(warehouse.db), "loaded": loaded}


def status_history_warehouse(factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    """The session's warehouse after both daily runs and builds (read it read-only), and the TTB IDs the
    warehouse held right after each run (by run date, ISO)."""
    _, summary = once(factory, "status-history", _build)
    return Path(summary["db"]), {day: set(ids) for day, ids in summary["loaded"].items()}
