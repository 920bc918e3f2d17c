"""DESTINATION=filesystem: Delta tables and the raw archive in a bucket (moto S3 on loopback), state restored."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import fsspec
import pytest
from ingest_helpers import Warehouse, assert_same_records, truth
from lake_helpers import APPENDED, TABLES, UPSERTED, lake_colas, read_lake
from moto_server import MotoS3, no_machine_aws_credentials
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.probe.plan import CrawlSettings, patience
from ttb_cola_sim.server import SimulatorServer

DAY = date(2025, 6, 16)  # a Monday
AS_OF = DAY + timedelta(days=10)
SATURDAY = date(2025, 6, 14)  # about 35 COLAs (seed 7), where a Monday has over 400


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with running_simulator(seed=7, as_of=AS_OF) as server:
        yield server


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    no_machine_aws_credentials(monkeypatch, tmp_path)
    return Warehouse(tmp_path, monkeypatch)


def lake_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def ingest(warehouse: Warehouse, sim: SimulatorServer, today: date, *args: str, day: date = DAY) -> int:
    return warehouse.ingest(sim.base_url, "--date", day.isoformat(), "--destination", "filesystem", *args, today=today)


def due_probes(states: dict[str, Any]) -> int:
    """Probes a rerun owes: every hole, then a frontier walk of `patience` misses (nothing new public)."""
    settings = CrawlSettings(max_consecutive_misses=40)
    return sum(len(s["holes"]) + patience(s.get("public", 0), s["highest"], settings) for s in states.values())


def detail_requests(sim: SimulatorServer) -> int:
    return sim.requests.get("viewColaDetails.do", 0)


def test_bucket_lake_restores_state_on_a_fresh_runner(
    s3: MotoS3, sim: SimulatorServer, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = s3.new_bucket()
    lake_env(monkeypatch, lake.env(f"{lake.bucket_url}/lake"))
    sim.set_as_of(AS_OF)
    start = detail_requests(sim)
    assert ingest(warehouse, sim, AS_OF, day=SATURDAY) == 0
    first = detail_requests(sim) - start
    expected = truth(sim.registry, [SATURDAY], AS_OF)
    keys = lake.keys()
    assert any(k.startswith("lake/ttb_cola/_dlt_pipeline_state/") for k in keys)
    assert {k.split("/")[2] for k in keys if "/_delta_log/" in k} == set(TABLES)
    assert not (warehouse.root / "data").exists(), "nothing local but the pipelines dir"

    # A fresh runner: no local pipeline directory. Same day: nothing is due, nothing is fetched.
    shutil.rmtree(warehouse.pipelines)
    before = detail_requests(sim)
    assert ingest(warehouse, sim, AS_OF, day=SATURDAY) == 0
    assert detail_requests(sim) == before

    # Another fresh runner the next day: only each partition's holes and frontier window are probed.
    from ttb_cola.runs.pipeline import crawl_state

    state = crawl_state("filesystem", str(warehouse.pipelines)).get("partitions", {})
    assert set(state) == {f"{SATURDAY}|{m}" for m in ("001", "002", "003", "000")}
    shutil.rmtree(warehouse.pipelines)
    before = detail_requests(sim)
    assert ingest(warehouse, sim, AS_OF + timedelta(days=1), day=SATURDAY) == 0
    probes = due_probes(state)
    # One request per probe (not-found pages need no form), plus at most lookahead - 1 past each walk's end.
    assert 0 <= detail_requests(sim) - before - probes <= 3 * len(state)
    assert probes < first

    fs = fsspec.filesystem("s3", **lake.storage_options())
    with read_lake(fs, f"{lake.bucket}/lake") as con:
        assert con.sql("select count(*) - count(distinct ttb_id) from cola_details").fetchall() == [(0,)]
        assert_same_records(lake_colas(con), expected)
        assert con.sql("select count(*) - count(distinct (ttb_id, position)) from cola_label_images").fetchall() == [
            (0,)
        ]
        images = con.sql("select count(*) from cola_label_images").fetchone()
        assert images == (sum(len(r["label_images"] or []) for r in expected.values()),)
        runs = con.sql("select run_id, sum(probed) from crawl_partitions group by 1 order by min(finished_at)")
        assert [n for _, n in runs.fetchall()][1:] == [probes]  # the skipped run wrote no partition rows


def test_raw_archive_goes_to_the_bucket_and_reparse_reads_it(
    s3: MotoS3, sim: SimulatorServer, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = s3.new_bucket()
    lake_env(monkeypatch, lake.env(f"{lake.bucket_url}/lake"))
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_RAW_HTML", "true")  # archive_url stays data/raw: the default
    sim.set_as_of(AS_OF)
    assert ingest(warehouse, sim, AS_OF, "--methods", "002,003") == 0
    expected = {k: v for k, v in truth(sim.registry, [DAY], AS_OF).items() if k[5:8] in ("002", "003")}
    assert expected
    keys = lake.keys("lake/raw/")
    details = {k.rsplit("/", 1)[1].split(".")[0] for k in keys if k.endswith(".detail.html.gz")}
    assert details == set(expected)
    some_id = sorted(expected)[0]
    folder = f"lake/raw/year=2025/month=06/day=16/receipt_method={some_id[5:8]}"
    assert {f"{folder}/{some_id}.detail.html.gz", f"{folder}/{some_id}.form.html.gz"} <= set(keys)
    assert any(k.endswith(".not_found.html.gz") for k in keys)
    assert not (warehouse.root / "data").exists(), "no local archive"

    # Reparse on a fresh runner: read back from the bucket's archive, upserted into the lake.
    shutil.rmtree(warehouse.pipelines)
    assert main(["reparse", "--destination", "filesystem", "--pipelines-dir", str(warehouse.pipelines)]) == 0
    fs = fsspec.filesystem("s3", **lake.storage_options())
    with read_lake(fs, f"{lake.bucket}/lake") as con:
        assert con.sql("select count(*), count(distinct ttb_id) from cola_details").fetchone() == (
            len(expected), len(expected)
        )
        assert_same_records(lake_colas(con), expected)


def test_local_file_lake(sim: SimulatorServer, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    root = warehouse.root / "lake"
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", root.as_uri())
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_RAW_HTML", "true")
    sim.set_as_of(AS_OF)
    assert ingest(warehouse, sim, AS_OF, "--methods", "002") == 0
    expected = {k: v for k, v in truth(sim.registry, [DAY], AS_OF).items() if k[5:8] == "002"}
    with read_lake(fsspec.filesystem("file"), str(root)) as con:
        assert_same_records(lake_colas(con), expected)
    stored = {p.name.split(".")[0] for p in (root / "raw").rglob("*.detail.html.gz")}
    assert stored == set(expected)
    # The lake's pipeline schema: Delta tables, the page tables upserted, the crawl logs appended.
    import dlt

    from ttb_cola.destinations.lake import LAKE_PIPELINE_NAME

    schema = dlt.attach(pipeline_name=LAKE_PIPELINE_NAME, pipelines_dir=str(warehouse.pipelines)).default_schema
    # (a table that got no row yet is in the lake, created empty, but not yet in dlt's schema)
    known = [t for t in TABLES if t in schema.tables]
    assert {"cola_forms", "cola_label_images", "crawl_partitions"} <= set(known)
    expected_hints = {**dict.fromkeys(UPSERTED, ("merge", "upsert", "delta")),
                      **dict.fromkeys(APPENDED, ("append", None, "delta"))}
    assert {t: (schema.tables[t]["write_disposition"], schema.tables[t].get("x-merge-strategy"),
                schema.tables[t]["table_format"]) for t in known} == {t: expected_hints[t] for t in known}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BAD_LAKES = {
    "no bucket_url": ({"DESTINATION__FILESYSTEM__BUCKET_URL": ""}, "needs a bucket_url"),
    "no credentials": (
        {"DESTINATION__FILESYSTEM__CREDENTIALS__AWS_ACCESS_KEY_ID": "", "DESTINATION__FILESYSTEM__CREDENTIALS__"
         "AWS_SECRET_ACCESS_KEY": ""},
        "no S3 credentials for s3://",
    ),
    "unknown key": ({"aws_access_key_id": "AKIAUNKNOWN000000000"}, ": InvalidAccessKeyId"),
    "wrong secret": ({"aws_secret_access_key": "not-the-secret"}, ": SignatureDoesNotMatch"),
    "missing bucket": ({"bucket": "no-such-bucket"}, "cannot reach bucket s3://no-such-bucket/lake: NoSuchBucket"),
    "unreachable endpoint": ({"endpoint": "closed"}, "is unreachable (EndpointConnectionError"),
}


@pytest.mark.parametrize("case", BAD_LAKES)
def test_bad_lake_is_one_line_and_writes_nothing(
    case: str, s3: MotoS3, sim: SimulatorServer, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change, message = BAD_LAKES[case]
    bucket = change.get("bucket", s3.bucket)
    overrides = {k: v for k, v in change.items() if k.islower() and k not in ("bucket", "endpoint")}
    if change.get("endpoint") == "closed":
        overrides["endpoint_url"] = f"http://127.0.0.1:{_closed_port()}"
    env = s3.env(f"s3://{bucket}/lake", **overrides)
    env.update({k: v for k, v in change.items() if k.isupper()})
    for name, value in env.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_RAW_HTML", "true")
    before = s3.keys()
    status = ingest(warehouse, sim, AS_OF)
    out, err = capsys.readouterr()
    assert status == 2, err
    assert message in err
    assert err.startswith("ttb-cola ingest: ") and err.count("\n") == 1 and "Traceback" not in err
    assert out == ""
    assert not warehouse.pipelines.exists()
    assert not (warehouse.root / "data").exists()
    assert s3.keys() == before


def test_one_run_at_a_time_per_bucket_and_a_dead_runs_lease_is_taken_over(
    s3: MotoS3, sim: SimulatorServer, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json as _json
    from datetime import UTC, datetime

    from ttb_cola.destinations.lock import LockHeld, bucket_lock
    from ttb_cola.destinations.warehouse import LOCK_NAME

    bucket = s3.new_bucket()
    lake_env(monkeypatch, bucket.env())
    fs = fsspec.filesystem("s3", **bucket.storage_options())
    lock_path = f"{bucket.bucket_url.removeprefix('s3://').rstrip('/')}/{LOCK_NAME}"
    with bucket_lock(fs, lock_path, "ttb-cola daily"):
        assert _json.loads(fs.cat_file(lock_path))["command"] == "ttb-cola daily"
        capsys.readouterr()
        assert ingest(warehouse, sim, AS_OF, "--methods", "002") == 6
        err = capsys.readouterr().err
        assert "another run holds" in err and "ttb-cola daily" in err
        # The conditional create admits exactly one holder.
        with pytest.raises(LockHeld), bucket_lock(fs, lock_path, "ttb-cola backfill"):
            pass
    assert not fs.exists(lock_path)  # released
    # A run killed while holding the lock leaves its object behind; once its lease is over, the next run
    # takes the lock over.
    stale = {"host": "gone", "pid": 1, "command": "ttb-cola backfill", "started_at": "2025-01-01T00:00:00+00:00",
             "expires_at": datetime(2025, 1, 1, tzinfo=UTC).isoformat()}
    fs.pipe_file(lock_path, _json.dumps(stale).encode())
    assert ingest(warehouse, sim, AS_OF, "--methods", "002") == 0
    assert not fs.exists(lock_path)


def test_a_lock_left_by_a_dead_process_on_this_machine_is_taken_over_at_once(s3: MotoS3) -> None:
    import json as _json
    import socket
    import subprocess
    import sys
    from datetime import UTC, datetime, timedelta

    from ttb_cola.destinations.lock import bucket_lock

    bucket = s3.new_bucket()
    fs = fsspec.filesystem("s3", **bucket.storage_options())
    path = f"{bucket.bucket_url.removeprefix('s3://').rstrip('/')}/ttb_cola.lock"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lease = (datetime.now(UTC) + timedelta(minutes=15)).isoformat()
    fs.pipe_file(path, _json.dumps({"host": socket.gethostname(), "pid": int(dead.stdout), "command": "ttb-cola daily",
                                    "expires_at": lease}).encode())
    with bucket_lock(fs, path, "ttb-cola daily"):
        assert _json.loads(fs.cat_file(path))["pid"] != int(dead.stdout)
