"""The dbt `s3` target: the same marts from the Delta lake in a bucket as from the DuckDB warehouse.

A weekend of receipt dates (two receipt methods, to stay small) of the same simulator is ingested
twice: into a DuckDB file (`--destination duckdb`) and into a bucket on moto's S3 API on loopback
(`--destination filesystem`). Then `dbt build` runs on the default `dev` target over the DuckDB file
and `dbt build --target s3` over the bucket (models built into a separate DuckDB file), both from the
repo root as documented, and every mart must hold the same rows on both sides, as must the marts that
`ttb-cola lake publish` writes back to the bucket as Delta tables (read with deltalake).

The `s3` build is the whole project (every model, unit and data test on the lake). The `dev` build is
what the comparison reads: the compared marts and their upstream models, with their data tests (the
page tables' among them). The rest of the `dev` project, its unit tests included, builds on ingested
data in tests/test_readme_commands.py (`make build`) and in the session's published build
(tests/shared_builds.py).

Columns left out of the comparison, because they record the run rather than the registry (two
ingests, two runs):
- fct_cola_approvals: fetched_at (when the page was fetched), loaded_at and dlt_load_id (the load);
- fct_crawl_coverage: latest_crawl_run_id (a random id per run), first_crawled_at and
  latest_finished_at (wall-clock times of the crawl);
- fct_cola_status_history: valid_from, valid_to (fetch times) and first_seen_crawl_run_id;
- dim_brand: main_product_type is `mode(product_type)`, which picks any of the tied values when a
  brand's COLAs split evenly (order-dependent, so not reproducible across two builds even on one
  target); it is checked to be one of the most frequent product types on each side instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_parse_reuse import run_dbt
from ingest_helpers import Warehouse
from moto_server import MotoS3, no_machine_aws_credentials, running_moto
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.serve.database import Database
from ttb_cola.serve.filters import cola_filters
from ttb_cola.serve.queries import search_colas
from ttb_cola_sim.server import SimulatorServer

#: A weekend of receipt dates (seed 7: 66 COLAs filed electronically, none on paper): every mart has rows.
FIRST, LAST = date(2025, 6, 14), date(2025, 6, 15)
AS_OF = LAST + timedelta(days=10)
METHODS = "001,002"
MARTS = (
    "fct_cola_approvals", "fct_daily_approvals", "fct_crawl_coverage", "dim_company", "dim_brand",
    "dim_class_type", "dim_origin", "dim_receipt_method", "dim_date", "fct_cola_status_history",
)
RUN_COLUMNS = {
    "fct_cola_approvals": {"fetched_at", "loaded_at", "dlt_load_id"},
    "fct_crawl_coverage": {"latest_crawl_run_id", "first_crawled_at", "latest_finished_at"},
    "dim_brand": {"main_product_type"},
    "fct_cola_status_history": {"valid_from", "valid_to", "first_seen_crawl_run_id"},
}


@pytest.fixture(scope="module")
def s3() -> Iterator[MotoS3]:
    with running_moto() as server:
        yield server


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with running_simulator(seed=7, as_of=AS_OF) as server:
        yield server


def _dbt(tmp: Path, name: str, db: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """`dbt <args>` into ``db`` (the lake's models file when ``args`` name the s3 target), artifacts under
    ``tmp / name``, ``env`` over this process's; returns the log, asserts success."""
    lake = "s3" in args
    # the debug log too: the bucket's secret must reach none of dbt's files
    result = run_dbt(db, tmp / name, *args, env=env, db_var="TTB_COLA_LAKE_DUCKDB" if lake else "TTB_COLA_DUCKDB",
                     timeout=300, file_log=lake)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return result.stdout


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'marts' and table_name = ? order by ordinal_position",
        [catalog, table],
    ).fetchall()


def _fingerprint(con: duckdb.DuckDBPyConnection, catalog: str, table: str, columns: list[str]) -> dict[str, int]:
    """Row count and, per column, the order-independent sum of the values' hashes."""
    sums = ", ".join(f'sum(hash("{c}")) as "{c}"' for c in columns)
    row = con.execute(f'select count(*) as "(rows)", {sums} from {catalog}.marts."{table}"')
    names = [d[0] for d in row.description]
    return dict(zip(names, row.fetchone(), strict=True))


def _brand_types_off_the_top(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    """Brands whose main_product_type is not one of their most frequent product types."""
    return con.execute(f"""
        with counts as (
            select brand_key, product_type, count(*) as n
            from {catalog}.marts.fct_cola_approvals where product_type is not null group by all
        ),
        top as (select brand_key, product_type from counts qualify n = max(n) over (partition by brand_key))
        select brand_key, main_product_type from {catalog}.marts.dim_brand
        where brand_key in (select brand_key from counts)
          and (brand_key, main_product_type) not in (select (brand_key, product_type) from top)
    """).fetchall()


def _delta_at(lake: Any, path: str) -> Any:
    """The Delta table at ``path`` in the bucket, as ``deltalake`` reads it, and its storage options."""
    from deltalake import DeltaTable

    options = {"aws_access_key_id": lake.access_key_id, "aws_secret_access_key": lake.secret_access_key,
               "endpoint_url": lake.endpoint_url, "region": lake.region_name, "aws_allow_http": "true"}
    return DeltaTable(f"{lake.bucket_url}/{path}", storage_options=options), options


def _delta(lake: Any, table: str) -> Any:
    return _delta_at(lake, f"lake/ttb_cola/{table}")


def _unfinished_load(lake: Any) -> None:
    """What a killed load leaves behind, in its two shapes:

    - data files a write had put in a table's folder before it was killed, never committed to the
      Delta log: a newer version of a loaded COLA and a COLA nobody loaded, in ``cola_details`` and
      ``cola_label_images``;
    - a crawl-log commit of a load that was killed before it finished (each table's load is its own
      Delta commit; the load has no ``_dlt_loads`` row).
    """
    import fsspec
    import pyarrow as pa
    import pyarrow.parquet as pq
    from deltalake import write_deltalake

    load_id = "9999999999.000001"
    fs = fsspec.filesystem("s3", **lake.storage_options())
    for table in ("cola_details", "cola_label_images", "crawl_partitions"):
        delta, options = _delta(lake, table)
        current = delta.to_pyarrow_table()
        assert current.num_rows, table
        rows = current.slice(0, 2).to_pylist()
        for n, row in enumerate(rows):
            row["_dlt_load_id"] = load_id
            row["_dlt_id"] = f"unfinished{n}"
            if n and "ttb_id" in row:
                row["ttb_id"] = row["ttb_id"][:8] + "999999"
            if "brand_name" in row:
                row["brand_name"] = "NEVER COMMITTED"
            if table == "crawl_partitions":  # the killed run's log row: it would win, being the latest load
                row.update(status="failed", error="NEVER COMMITTED")
        out = pa.Table.from_pylist(rows, schema=current.schema)
        if table == "crawl_partitions":
            write_deltalake(delta, out, mode="append", storage_options=options)
        else:
            path = f"{lake.bucket}/lake/ttb_cola/{table}/part-00000-unfinished-c000.snappy.parquet"
            with fs.open(path, "wb") as handle:
                pq.write_table(out, handle)


def test_s3_target_builds_the_same_marts_as_duckdb(
    s3: MotoS3, sim: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_machine_aws_credentials(monkeypatch, tmp_path)
    sim.set_as_of(AS_OF)
    args = ("--start", FIRST.isoformat(), "--end", LAST.isoformat(), "--methods", METHODS)

    duck = Warehouse(tmp_path / "duck", monkeypatch)
    assert duck.ingest(sim.base_url, *args, today=AS_OF) == 0

    lake = s3.new_bucket()
    for name, value in lake.env(f"{lake.bucket_url}/lake").items():
        monkeypatch.setenv(name, value)
    assert Warehouse(tmp_path / "lake", monkeypatch).ingest(
        sim.base_url, *args, "--destination", "filesystem", today=AS_OF
    ) == 0
    assert any("/_delta_log/" in key for key in lake.keys("lake/ttb_cola/cola_details/"))
    _unfinished_load(lake)  # the marts below must not see it: dev (DuckDB) never had it

    # dev ignores the lake's variables (set here); s3 reads only the bucket and builds into its own file.
    dev_db, lake_db = duck.db, tmp_path / "lake_models.duckdb"
    dev_log = _dbt(tmp_path, "dev", dev_db, "build", "--select",
                   *(f"+{mart}" for mart in MARTS), "--indirect-selection", "cautious",
                   "--exclude-resource-type", "unit_test")
    # the bucket URL only in dlt's settings file, where a user may keep it (the credentials stay in the env)
    settings = tmp_path / "settings"
    (settings / ".dlt").mkdir(parents=True)
    (settings / ".dlt" / "config.toml").write_text(f'[destination.filesystem]\nbucket_url = "{lake.bucket_url}/lake"\n')
    monkeypatch.delenv("DESTINATION__FILESYSTEM__BUCKET_URL")
    s3_log = _dbt(tmp_path, "s3", lake_db, "build", "--target", "s3", env={"DLT_PROJECT_DIR": str(settings)})
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", f"{lake.bucket_url}/lake")
    assert lake.secret_access_key not in s3_log + "".join(
        p.read_text(errors="replace") for p in (tmp_path / "s3").rglob("*") if p.is_file()
    ), "the bucket's secret reached dbt's output, logs or artifacts"
    for log in (dev_log, s3_log):
        assert "ERROR=0" in log and "WARN=0" in log
        assert "not_null_base_ttb__cola_details_ttb_id" in log  # the page tables' tests ran on both targets
    assert main(["lake", "publish", "--duckdb", str(lake_db)]) == 0
    # what `make build` publishes next for `serve`: the lake's marts with the serving table and search index
    assert main(["publish", "--duckdb", str(lake_db)]) == 0
    served = Database(lake_db.with_name("analytics.duckdb"))
    with served.cursor() as cur:
        [permit] = cur.execute("select min(permit_number) from marts.fct_cola_approvals").fetchone() or [None]
        found = search_colas(cur, cola_filters({"permit": permit, "limit": "500"}))
        [(count,)] = cur.execute("select count(*) from marts.fct_cola_approvals where permit_number = ?",
                                 [permit]).fetchall()
    served.close()
    assert permit and found["total"] == count == len(found["colas"]) > 0
    freshness = _dbt(tmp_path, "s3", lake_db, "source", "freshness", "--target", "s3")
    assert "PASS freshness of ttb._dlt_loads" in freshness and "PASS freshness of ttb.crawl_partitions" in freshness

    with duckdb.connect() as con:
        con.execute(f"attach '{dev_db}' as dev (read_only)")
        con.execute(f"attach '{lake_db}' as lake (read_only)")
        copied = "select count(*) from information_schema.tables where table_catalog = 'lake' and table_schema = ?"
        assert con.execute(copied, ["ttb_cola"]).fetchone() == (0,), "lake copied into DuckDB"
        for table in MARTS:
            columns = _columns(con, "dev", table)
            assert columns, f"marts.{table} missing on dev"
            assert _columns(con, "lake", table) == columns, f"marts.{table}: columns or types differ"
            compared = [name for name, _ in columns if name not in RUN_COLUMNS.get(table, set())]
            dev, lake_side = _fingerprint(con, "dev", table, compared), _fingerprint(con, "lake", table, compared)
            assert dev["(rows)"] > 0, f"marts.{table} is empty"
            assert lake_side == dev, f"marts.{table} differs in {[c for c in dev if dev[c] != lake_side[c]]}"
        for catalog in ("dev", "lake"):
            assert _brand_types_off_the_top(con, catalog) == [], catalog
        # (the staging views read the bucket; the marts are tables: equal to dev above, and clean here)
        # the marts published to the bucket (`ttb-cola lake publish`), read back with deltalake, equal dev's
        for table in MARTS:
            compared = [name for name, _ in _columns(con, "dev", table) if name not in RUN_COLUMNS.get(table, set())]
            published, _ = _delta_at(lake, f"lake/marts/{table}")
            con.register(f"published_{table}", published.to_pyarrow_table())
            sums = ", ".join(f'sum(hash("{c}")) as "{c}"' for c in compared)
            row = con.execute(f'select count(*) as "(rows)", {sums} from "published_{table}"')
            names = [d[0] for d in row.description]
            assert dict(zip(names, row.fetchone(), strict=True)) == _fingerprint(con, "dev", table, compared), table
        unfinished = "select count(*) from lake.marts.dim_brand where brand_name = 'NEVER COMMITTED'"
        assert con.execute(unfinished).fetchone() == (0,), "an uncommitted data file reached the marts"
        killed = "select count(*) from lake.marts.fct_crawl_coverage where latest_crawl_status = 'failed'"
        assert con.execute(killed).fetchone() == (0,), "the log of a load that never finished reached the marts"
