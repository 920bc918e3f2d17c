"""The dlt pipeline against the local registry simulator over loopback HTTP, into a real DuckDB file."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from ingest_helpers import Warehouse, assert_same_records, truth
from sim_server import running_simulator

from ttb_cola.probe.plan import CrawlSettings, patience

DAY = date(2025, 6, 16)  # a Monday
AS_OF = DAY + timedelta(days=10)


@pytest.fixture(scope="module")
def first_ingest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    """One `ttb-cola ingest` of DAY (seed 7, as of AS_OF, raw archive on), made once per module: its folder
    (``data``, ``pipelines``, ``raw``) and the truth."""
    root = tmp_path_factory.mktemp("first_ingest")
    with pytest.MonkeyPatch.context() as monkeypatch, running_simulator(seed=7, as_of=AS_OF) as sim:
        monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_RAW_HTML", "true")
        monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_URL", str(root / "raw"))
        assert Warehouse(root, monkeypatch).ingest(sim.base_url, "--date", DAY.isoformat(), today=AS_OF) == 0
        expected = truth(sim.registry, [DAY], AS_OF)
    return root, expected


@pytest.fixture
def crawled(first_ingest: tuple[Path, dict[str, dict]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    """This test's copy of the module's first ingest (warehouse file and pipeline folder), as if it had run it."""
    root, _ = first_ingest
    for folder in ("data", "pipelines", "raw"):
        shutil.copytree(root / folder, tmp_path / folder)
    return Warehouse(tmp_path, monkeypatch)


def due_probes(states: dict) -> int:
    """Probes a rerun owes: every hole, then a frontier walk of `patience` misses (nothing new public)."""
    settings = CrawlSettings(max_consecutive_misses=40)
    return sum(len(s["holes"]) + patience(s["public"], s["highest"], settings) for s in states.values())


def requests_served(sim) -> int:
    """Detail and form pages served (the preflight search-page request is not counted)."""
    return sim.requests.get("viewColaDetails.do", 0)


def test_ingest_recalls_every_public_record_with_exact_values(
    crawled: Warehouse, first_ingest: tuple[Path, dict[str, dict]]
) -> None:
    warehouse, (_, expected) = crawled, first_ingest
    assert len(expected) > 100  # a weekday: hundreds e-filed
    loaded = warehouse.colas()
    assert_same_records(loaded, expected)
    images = warehouse.images()
    assert {k: v for k, v in images.items()} == {k: r["label_images"] for k, r in expected.items() if r["label_images"]}
    rows = warehouse.query("select count(*), count(distinct ttb_id) from ttb_cola.cola_details")
    assert rows == [(len(expected), len(expected))]
    partitions = warehouse.query("select partition_key, found, status from ttb_cola.crawl_partitions order by 1")
    assert [p[0] for p in partitions] == [f"{DAY}|{m}" for m in ("000", "001", "002", "003")]
    assert sum(p[1] for p in partitions) == len(expected)
    assert {p[2] for p in partitions} == {"open"}


def test_rerun_fetches_only_due_holes_and_frontier_and_adds_no_duplicates(crawled: Warehouse) -> None:
    warehouse = crawled
    with running_simulator(seed=7, as_of=AS_OF) as sim:
        state = warehouse.state()
        first = requests_served(sim)
        # Same day again: nothing is due yet, so nothing is fetched.
        assert warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), today=AS_OF) == 0
        assert requests_served(sim) == first
        # Next day, same registry: exactly the holes and the frontier window of each partition.
        assert warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), today=AS_OF + timedelta(days=1)) == 0
        expected_probes = due_probes(state)
        probed = warehouse.query("select sum(probed) from ttb_cola.crawl_partitions where run_id = "
                                 "(select run_id from ttb_cola.crawl_partitions order by finished_at desc limit 1)")
        assert probed == [(expected_probes,)]
        # Not-found pages need no form: one request per probe, plus at most lookahead - 1 fetched
        # past the end of each partition's walk.
        extra = requests_served(sim) - first - expected_probes
        assert 0 <= extra <= 3 * len(state)
        expected = truth(sim.registry, [DAY], AS_OF)
    assert_same_records(warehouse.colas(), expected)
    assert warehouse.query("select count(*) - count(distinct ttb_id) from ttb_cola.cola_details") == [(0,)]


def test_clock_moving_forward_brings_late_approvals(crawled: Warehouse) -> None:
    warehouse = crawled
    later = AS_OF + timedelta(days=21)
    with running_simulator(seed=7, as_of=AS_OF) as sim:
        before = set(warehouse.colas())
        sim.set_as_of(later)
        assert warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), today=later) == 0
        expected = truth(sim.registry, [DAY], later)
    loaded = warehouse.colas()
    assert set(loaded) == set(expected)
    late = set(expected) - before
    assert late, "the simulator approved nothing late: the test would prove nothing"
    assert_same_records({k: loaded[k] for k in late}, {k: expected[k] for k in late})


def test_state_is_restored_from_the_destination_when_the_pipeline_dir_is_gone(crawled: Warehouse) -> None:
    warehouse = crawled
    with running_simulator(seed=7, as_of=AS_OF) as sim:
        state = warehouse.state()
        shutil.rmtree(warehouse.pipelines)
        first = requests_served(sim)
        assert warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), today=AS_OF + timedelta(days=1)) == 0
        assert 0 <= requests_served(sim) - first - due_probes(state) <= 3 * len(state)
    assert warehouse.query("select count(*) - count(distinct ttb_id) from ttb_cola.cola_details") == [(0,)]


def test_blocked_registry_stops_the_run_and_no_state_advances(
    crawled: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = crawled
    with running_simulator(seed=7, as_of=AS_OF) as sim:
        before = warehouse.state()
        loaded = warehouse.colas()
        sim.set_faults(block_all=True, spare_paths=["publicSearchColasBasic.do"])  # the preflight passes
        capsys.readouterr()
        status = warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), today=AS_OF + timedelta(days=1))
    err = capsys.readouterr().err
    assert status == 3
    assert "blocking" in err and "Traceback" not in err
    after = warehouse.state()
    for key, old in before.items():
        assert (after[key]["highest"], after[key]["holes"], after[key]["last_checked"]) == (
            old["highest"], old["holes"], old["last_checked"],
        )
        assert after[key]["status"] == "failed"
    assert warehouse.colas() == loaded


def test_raw_archive_keeps_every_page_and_reparse_rebuilds_without_http(
    crawled: Warehouse, first_ingest: tuple[Path, dict[str, dict]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip
    import hashlib

    from ttb_cola.cli import main

    warehouse, (_, expected) = crawled, first_ingest
    raw = warehouse.root / "raw"  # the first ingest archived every page it fetched
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_URL", str(raw))
    loaded = warehouse.colas()
    folder = raw / "year=2025" / "month=06" / "day=16" / "receipt_method=001"
    some_id = sorted(k for k in expected if k[5:8] == "001")[0]
    detail = gzip.decompress((folder / f"{some_id}.detail.html.gz").read_bytes())
    assert (folder / f"{some_id}.form.html.gz").exists()
    [(sha,)] = warehouse.query(f"select page_sha256 from colas where ttb_id = '{some_id}'")
    assert sha == hashlib.sha256(detail).hexdigest()
    stored = {p.name.split(".")[0] for p in raw.rglob("*.detail.html.gz")}
    assert stored == set(expected)
    holes = {p.name.split(".")[0] for p in raw.rglob("*.not_found.html.gz")}
    assert holes and not holes & stored

    # The server is gone: reparse reads only the archive, into a fresh warehouse.
    warehouse.db.unlink()
    assert main(["reparse", "--pipelines-dir", str(warehouse.root / "other-pipelines")]) == 0
    assert_same_records(warehouse.colas(), expected)
    assert warehouse.colas() == loaded
    # the Arrow tables bring dlt's row keys (dlt does not add them): one per row, none shared
    for table in ("cola_details", "cola_forms", "cola_label_images", "cola_status_log"):
        [(rows, keys, load_ids)] = warehouse.query(
            f"select count(*), count(distinct _dlt_id), count(_dlt_load_id) from ttb_cola.{table}")
        assert rows and keys == rows == load_ids, table
    # the staging copies the merges loaded through are emptied once the load is done ([load] in .dlt/config.toml)
    assert warehouse.query("select count(*) from ttb_cola_staging.cola_forms") == [(0,)]
