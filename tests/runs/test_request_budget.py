"""A request budget is a budget: once spent no fetch starts, even inside a partition or a completed date
already in flight; what was confirmed is committed (exit 75) and a rerun finishes with every record.
Requests are counted where they arrive, at the simulator."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from ingest_helpers import Warehouse, answered_in_full, assert_same_records, truth
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola_sim.registry import truth_record
from ttb_cola_sim.server import SimulatorServer

DAY = date(2025, 6, 16)
AS_OF = date(2025, 6, 26)
WORKERS = 4
#: The simulated registry's first receipt date: DAY's partitions as ever, and some 500 COLAs completed
#: AS_OF - 1..AS_OF rather than the 1,200 of a registry started in 2000.
REGISTRY_START = DAY


def _ingest(warehouse: Warehouse, sim: SimulatorServer, *args: str) -> int:
    return main(["ingest", "--today", AS_OF.isoformat(), "--base-url", sim.base_url, "--requests-per-second", "0",
                 "--max-workers", str(WORKERS), "--pipelines-dir", str(warehouse.pipelines), "--quiet", *args])


def _sent(sim: SimulatorServer) -> int:
    return sum(sim.requests.values())


@pytest.mark.parametrize(("budget", "args"), [
    # four partitions of ~100 sequences in flight; a partition commits up to its first unconfirmed page, so a
    # budget of 25 (~6 requests a partition) could stop every partition before its first COLA on a busy machine
    (60, ("--strategy", "probe", "--date", DAY.isoformat())),
    (40, ("--strategy", "search", "--date", (AS_OF - timedelta(days=1)).isoformat())),  # two completed dates
])
def test_a_spent_budget_stops_the_fetches_in_flight_commits_and_a_rerun_finishes(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str], budget: int, args: tuple[str, ...]
) -> None:
    with running_simulator(seed=3, as_of=AS_OF, start=REGISTRY_START) as sim:
        if "probe" in args:
            expected = truth(sim.registry, [DAY], AS_OF)
        else:
            expected = {r["ttb_id"]: truth_record(r) for r in sim.registry.completed_between(
                AS_OF - timedelta(days=1), AS_OF, AS_OF)}
        assert 2 * len(expected) > 4 * budget  # the work in flight alone would overspend it many times
        before = _sent(sim)
        capsys.readouterr()
        assert _ingest(warehouse, sim, *args, "--max-requests", str(budget)) == 75
        err = capsys.readouterr().err
        sent = _sent(sim) - before - 1  # the check that the registry answers, before the run
        print(f"budget {budget}: {sent} requests sent")
        assert sent <= budget + WORKERS
        assert "budget reached" in err and "rerun the same command to resume" in err
        committed = warehouse.colas()
        had = {ttb_id for kind, ttb_id, _ in sim.requests.pages if kind == "form"} & expected.keys()
        print(f"budget {budget}: {len(committed)} of {len(expected)} records committed; "
              f"{len(had)} answered in full")
        assert 0 < len(committed) < len(expected)  # stopped midway, what was confirmed is in
        assert_same_records(committed, {k: expected[k] for k in committed})
        assert _ingest(warehouse, sim, *args) == 0, capsys.readouterr().err
    assert_same_records(warehouse.colas(), expected)


def test_a_stopped_probe_commits_every_cola_it_had_in_full_below_its_first_gap(
    warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """Results already fetched when the budget runs out are kept, in sequence order: in each partition
    every COLA whose pages the simulator answered in full, below the first sequence it did not, is in."""
    with running_simulator(seed=3, as_of=AS_OF, start=REGISTRY_START) as sim:
        before = _sent(sim)
        assert _ingest(warehouse, sim, "--strategy", "probe", "--date", DAY.isoformat(), "--max-requests", "60") == 75
        sent = _sent(sim) - before - 1
        had = answered_in_full(sim.requests.pages)
        answered = {ttb_id for kind, ttb_id, found in sim.requests.pages if kind == "form"}
        misses = {ttb_id for kind, ttb_id, found in sim.requests.pages if kind == "detail" and not found}
    committed = set(warehouse.colas())
    owed = set().union(*(public for _, public in had.values()))
    below = sum(first - 1 for first, _ in had.values())
    print(f"{sent} requests sent, {len(answered)} COLAs answered in full, {len(owed)} of them below their "
          f"partition's first gap ({below} of {len(answered | misses)} sequences), {len(committed)} committed")
    assert owed  # the budget stopped the partitions after some of their COLAs were fetched
    assert sorted(owed - committed) == []
