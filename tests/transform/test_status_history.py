"""A surrendered COLA appears as a second status-history row after the next daily run, in the
snapshot and in the history computed from the status log (fct_cola_status_history).

End to end over loopback HTTP against the registry simulator: run 1 (`ttb-cola daily`, strategy
`both`) searches the completed dates of its window and loads the COLAs approved on them; `dbt build`
snapshots their status (and builds the log's history). The clock then moves on past the surrender
of one of them; run 2 searches the day the surrender took effect, fetches the COLA again, and the
next `dbt build` closes its APPROVED version and opens a SURRENDERED one. COLAs whose status did
not change keep one version. The history built from the log alone holds the same versions as the
snapshot built build by build.

Dates (seed 7) keep both runs small: run 1 is a Saturday (it searches Friday 2025-04-04, a day of
approvals, and Saturday, which only lists status changes), run 2 is Sunday 2025-06-22 (it searches
Saturday 2025-06-21 and Sunday: status changes only). The COLA is picked from the simulator's
truth, not hard-coded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import Warehouse
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola_sim.registry import APPROVED, SURRENDERED

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
SEED = 7
LOOKBACK = 1
RUN_1 = date(2025, 4, 5)  # Sat: searches completed dates 2025-04-04 (Fri) and 2025-04-05 (partial)
RUN_2 = date(2025, 6, 22)  # Sun: searches completed dates 2025-06-21 (Sat) and 2025-06-22 (partial)
SNAPSHOT = "snapshots.snp_cola_status_history"
LOG_HISTORY = "marts.fct_cola_status_history"
#: Each history's relation and its (valid from, valid to) columns.
HISTORIES = {SNAPSHOT: ("dbt_valid_from", "dbt_valid_to"), LOG_HISTORY: ("valid_from", "valid_to")}


def _daily(warehouse: Warehouse, base_url: str, today: date) -> int:
    return main([
        "daily", "--today", today.isoformat(), "--lookback-days", str(LOOKBACK), "--strategy", "both",
        "--base-url", base_url, "--requests-per-second", "0", "--max-workers", "4",
        "--pipelines-dir", str(warehouse.pipelines), "--quiet",
    ])


def _dbt_build(warehouse: Warehouse) -> None:
    env = {
        **os.environ,
        "TTB_COLA_DUCKDB": str(warehouse.db),
        "DBT_TARGET_PATH": str(warehouse.root / "dbt" / "target"),
        "DBT_LOG_PATH": str(warehouse.root / "dbt" / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.pop("DBT_PROFILES_DIR", None)
    exe = str(DBT) if DBT.exists() else shutil.which("dbt")
    assert exe, "dbt is not installed"
    result = subprocess.run(
        [exe, "build", "--project-dir", "transform"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def _searched(registry: Any, today: date) -> dict[str, dict[str, Any]]:
    """What the registry lists on the completed dates a daily run on ``today`` searches, as of ``today``."""
    first = today - timedelta(days=LOOKBACK)
    return {raw["ttb_id"]: raw for raw in registry.completed_between(first, today, today)}


def _history(warehouse: Warehouse, ttb_id: str, relation: str = SNAPSHOT) -> list[tuple[Any, ...]]:
    valid_from, valid_to = HISTORIES[relation]
    return warehouse.query(
        f"select status, completed_date, {valid_from}, {valid_to} from {relation}"
        f" where ttb_id = '{ttb_id}' order by {valid_from}"
    )


def versions(warehouse: Warehouse, relation: str) -> list[tuple[Any, ...]]:
    """Every version of ``relation`` in order, without its times: (ttb_id, n, status, dates, current)."""
    valid_from, valid_to = HISTORIES[relation]
    return warehouse.query(
        f"select ttb_id, row_number() over (partition by ttb_id order by {valid_from}), status, approval_date,"
        f" expiration_date, completed_date, {valid_to} is null from {relation} order by 1, 2"
    )


def test_a_surrendered_cola_appears_as_a_second_history_row_after_the_next_daily_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = Warehouse(tmp_path, monkeypatch)
    # the daily run's receipt dates reach back settle_days: keep them within the searched window
    monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", str(LOOKBACK))
    with running_simulator(seed=SEED, as_of=RUN_1) as sim:
        run_1 = _searched(sim.registry, RUN_1)
        assert _daily(warehouse, sim.base_url, RUN_1) == 0
        assert set(warehouse.colas()) == set(run_1)
        _dbt_build(warehouse)

        # Of the COLAs run 1 loaded, those run 2 will see listed under a new status.
        sim.set_as_of(RUN_2)
        run_2 = _searched(sim.registry, RUN_2)
        changed = {k: v for k, v in run_2.items() if k in run_1 and v["status"] != run_1[k]["status"]}
        surrendered = sorted(k for k, v in changed.items() if v["status"] == SURRENDERED
                             and run_1[k]["status"] == APPROVED)
        assert surrendered, "no COLA loaded approved by run 1 is surrendered in run 2's window"
        ttb_id = surrendered[0]
        approval = date.fromisoformat(run_1[ttb_id]["approval_date"])
        surrender = date.fromisoformat(run_2[ttb_id]["completed_date"])
        assert RUN_1 - timedelta(days=LOOKBACK) <= approval <= RUN_1 < surrender <= RUN_2
        # A COLA run 1 loaded approved that is still approved (the registry's truth) as of run 2.
        unchanged = sorted(k for k, v in run_1.items() if v["status"] == APPROVED and k not in run_2
                           and sim.registry.raw(k, RUN_2)["status"] == APPROVED)[0]

        assert _daily(warehouse, sim.base_url, RUN_2) == 0
    _dbt_build(warehouse)

    # the warehouse holds the surrender as the registry lists it
    assert warehouse.query(f"select status, completed_date from colas where ttb_id = '{ttb_id}'") == [
        (SURRENDERED, surrender)
    ]

    # the fact shows the new status, effective on the surrender's completed date
    [(status, status_date, source, active)] = warehouse.query(
        "select status, status_date, status_date_source, is_active from marts.fct_cola_approvals"
        f" where ttb_id = '{ttb_id}'"
    )
    assert (status, status_date, source, active) == (SURRENDERED, surrender, "listing", False)

    for relation in HISTORIES:
        # two versions: APPROVED (closed when the surrender was seen), then SURRENDERED (current)
        history = _history(warehouse, ttb_id, relation)
        assert len(history) == 2, (relation, history)
        old, new = history
        assert old[:2] == (APPROVED, approval) and old[3] is not None, relation
        assert new[:2] == (SURRENDERED, surrender) and new[3] is None, relation
        assert old[3] == new[2] and old[2] < new[2], relation

        # a COLA whose status did not change keeps its one (current) version
        assert [(s, c, to) for s, c, _, to in _history(warehouse, unchanged, relation)] == [
            (APPROVED, date.fromisoformat(run_1[unchanged]["approval_date"]), None)
        ], relation

        # and exactly the COLAs run 1 held whose new status run 2 listed have a second version
        twice = f"select ttb_id from {relation} group by ttb_id having count(*) > 1"
        versioned = {k for (k,) in warehouse.query(twice)}
        assert versioned == set(changed), relation
        [(rows, ids)] = warehouse.query(f"select count(*), count(distinct ttb_id) from {relation}")
        assert ids == len(set(run_1) | set(run_2)) and rows == ids + len(changed), relation
        current = f"select count(*) from {relation} where {HISTORIES[relation][1]} is null"
        assert warehouse.query(current) == [(ids,)], relation

    # the history from the log alone holds the snapshot's versions, one for one
    assert versions(warehouse, LOG_HISTORY) == versions(warehouse, SNAPSHOT)
    # the log itself: the surrendered COLA's pages of both runs, the first APPROVED, the last SURRENDERED
    statuses = warehouse.query(
        "select status from ttb_cola.cola_status_log"
        f" where ttb_id = '{ttb_id}' and page_kind != 'listing' order by fetched_at"
    )
    assert statuses[0] == (APPROVED,) and statuses[-1] == (SURRENDERED,), statuses
