"""The status history rebuilt from the lake on a fresh runner equals the one built incrementally.

The two daily runs of `test_status_history` (seed 7: run 2 sees COLAs of run 1 under a new status)
go to both destinations: a DuckDB file (`dbt build` after each run, so its snapshot grows build by
build, as on a machine that keeps its file; made once per session by tests/status_history_build.py)
and a bucket on moto's S3 API on loopback (no build between the runs; after run 2, `dbt build
--target s3` of the history into a DuckDB file that never existed, as on a throwaway CI runner).
The history the lake's build computes from its `cola_status_log` Delta table holds the same
versions as the DuckDB snapshot and as the DuckDB target's own fct_cola_status_history, and as the
one `ttb-cola lake publish` writes back to the bucket. Times (valid_from, valid_to) and run ids
differ by construction: two destinations, two sets of runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_parse_reuse import run_dbt
from digest_helpers import NO_UNIT_TESTS
from ingest_helpers import Warehouse
from moto_server import no_machine_aws_credentials, running_moto
from sim_server import running_simulator
from status_history_build import LOOKBACK, RUN_1, RUN_2, SEED, daily, status_history_warehouse

from ttb_cola.cli import main

#: A version without its times: (ttb_id, its number, status, approval, expiration, completed, current).
VERSIONS = (
    "select ttb_id, row_number() over (partition by ttb_id order by {valid_from}), status, approval_date,"
    " expiration_date, completed_date, {valid_to} is null from {relation} order by 1, 2"
)
LOG_HISTORY = {"valid_from": "valid_from", "valid_to": "valid_to"}


def _dbt(tmp: Path, name: str, lake_db: Path, *args: str) -> str:
    """`dbt build <args>` of the s3 target into ``lake_db``, artifacts under ``tmp / name``; returns the log,
    asserts success."""
    result = run_dbt(lake_db, tmp / name, "build", "--target", "s3", *args, db_var="TTB_COLA_LAKE_DUCKDB",
                     timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "ERROR=0" in result.stdout, result.stdout[-3000:]
    return result.stdout


def _versions(con: duckdb.DuckDBPyConnection, relation: str, valid_from: str, valid_to: str) -> list[tuple[Any, ...]]:
    return con.execute(VERSIONS.format(relation=relation, valid_from=valid_from, valid_to=valid_to)).fetchall()


def test_the_history_rebuilt_from_the_lake_on_a_fresh_runner_equals_the_incremental_one(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deltalake import DeltaTable

    dev_db, _ = status_history_warehouse(tmp_path_factory)  # the DuckDB side: both runs, a build after each
    no_machine_aws_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("SOURCES__TTB_COLA__SETTLE_DAYS", str(LOOKBACK))
    with running_moto() as s3, running_simulator(seed=SEED, as_of=RUN_1) as sim:
        lake = s3.new_bucket()
        for name, value in lake.env(f"{lake.bucket_url}/lake").items():
            monkeypatch.setenv(name, value)
        lake_pipelines = Warehouse(tmp_path / "lake", monkeypatch).pipelines  # the runs' settings, as on DuckDB
        for today in (RUN_1, RUN_2):
            sim.set_as_of(today)
            assert daily(lake_pipelines, sim.base_url, today, "--destination", "filesystem") == 0

        # the fresh runner: a models file that never existed, built from the bucket alone
        fresh = tmp_path / "fresh_runner" / "lake_models.duckdb"
        fresh.parent.mkdir(parents=True)
        _dbt(tmp_path, "s3", fresh, "--select",
             "+fct_cola_status_history", "--indirect-selection", "cautious", *NO_UNIT_TESTS)
        assert main(["lake", "publish", "--duckdb", str(fresh)]) == 0
        options = {"aws_access_key_id": lake.access_key_id, "aws_secret_access_key": lake.secret_access_key,
                   "endpoint_url": lake.endpoint_url, "region": lake.region_name, "aws_allow_http": "true"}
        published = DeltaTable(f"{lake.bucket_url}/lake/marts/fct_cola_status_history", storage_options=options)
        log = DeltaTable(f"{lake.bucket_url}/lake/ttb_cola/cola_status_log", storage_options=options)

        with duckdb.connect() as con:
            con.execute(f"attach '{dev_db}' as dev (read_only)")
            con.execute(f"attach '{fresh}' as lake (read_only)")
            con.register("published", published.to_pyarrow_table())
            con.register("lake_log", log.to_pyarrow_table())
            incremental = _versions(con, "dev.snapshots.snp_cola_status_history", "dbt_valid_from", "dbt_valid_to")
            dev_history = _versions(con, "dev.marts.fct_cola_status_history", **LOG_HISTORY)
            rebuilt = _versions(con, "lake.marts.fct_cola_status_history", **LOG_HISTORY)
            from_bucket = _versions(con, "published", **LOG_HISTORY)
            # the log on the lake: both runs' rows, appended (each run's own run id)
            [(log_runs,)] = con.execute("select count(distinct run_id) from lake_log").fetchall()
            [(dev_log_rows,)] = con.execute("select count(*) from dev.ttb_cola.cola_status_log").fetchall()
            [(lake_log_rows,)] = con.execute("select count(*) from lake_log").fetchall()

    assert log_runs >= 2 and lake_log_rows == dev_log_rows > 0
    changed = {ttb_id for ttb_id, n, *_ in incremental if n == 2}
    assert changed, "no COLA changed status between the runs: the test proves nothing"
    assert rebuilt == incremental
    assert dev_history == incremental
    assert from_bucket == incremental
    print(f"versions: {len(incremental)}, COLAs with a second version: {len(changed)}, log rows: {lake_log_rows}")
