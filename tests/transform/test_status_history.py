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
truth, not hard-coded. The runs and builds are made once per session (tests/status_history_build.py,
shared with test_status_history_lake) and read here.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ingest_helpers import add_colas_view
from status_history_build import LOOKBACK, RUN_1, RUN_2, SEED, status_history_warehouse

from ttb_cola_sim.registry import APPROVED, SURRENDERED, Registry

SNAPSHOT = "snapshots.snp_cola_status_history"
LOG_HISTORY = "marts.fct_cola_status_history"
#: Each history's relation and its (valid from, valid to) columns.
HISTORIES = {SNAPSHOT: ("dbt_valid_from", "dbt_valid_to"), LOG_HISTORY: ("valid_from", "valid_to")}


class Built:
    """The shared warehouse of the two daily runs, queried read-only with the ``colas`` view."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect() as con:
            con.execute(f"ATTACH '{self.db}' AS wh (READ_ONLY)")
            con.execute("USE wh")
            add_colas_view(con)
            return con.sql(sql).fetchall()


def _searched(registry: Any, today: date) -> dict[str, dict[str, Any]]:
    """What the registry lists on the completed dates a daily run on ``today`` searches, as of ``today``."""
    first = today - timedelta(days=LOOKBACK)
    return {raw["ttb_id"]: raw for raw in registry.completed_between(first, today, today)}


def _history(warehouse: Built, ttb_id: str, relation: str = SNAPSHOT) -> list[tuple[Any, ...]]:
    valid_from, valid_to = HISTORIES[relation]
    return warehouse.query(
        f"select status, completed_date, {valid_from}, {valid_to} from {relation}"
        f" where ttb_id = '{ttb_id}' order by {valid_from}"
    )


def versions(warehouse: Built, relation: str) -> list[tuple[Any, ...]]:
    """Every version of ``relation`` in order, without its times: (ttb_id, n, status, dates, current)."""
    valid_from, valid_to = HISTORIES[relation]
    return warehouse.query(
        f"select ttb_id, row_number() over (partition by ttb_id order by {valid_from}), status, approval_date,"
        f" expiration_date, completed_date, {valid_to} is null from {relation} order by 1, 2"
    )


def test_a_surrendered_cola_appears_as_a_second_history_row_after_the_next_daily_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    db, loaded = status_history_warehouse(tmp_path_factory)
    warehouse = Built(db)
    registry = Registry(seed=SEED, as_of=RUN_1)  # the truth the simulator served the runs from
    run_1 = _searched(registry, RUN_1)
    assert loaded[RUN_1.isoformat()] == set(run_1)  # run 1 loaded what the registry listed

    # Of the COLAs run 1 loaded, those run 2 will see listed under a new status.
    registry.set_as_of(RUN_2)
    run_2 = _searched(registry, RUN_2)
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
                       and registry.raw(k, RUN_2)["status"] == APPROVED)[0]

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
