"""`status` on the lake reads the state of the newest load `_dlt_loads` marks complete, never the state
file an unfinished (killed) load left behind."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import fsspec
import pytest
from ingest_helpers import Warehouse
from moto_server import MotoS3, no_machine_aws_credentials
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.state_compaction import crawl_view
from ttb_cola_sim.server import SimulatorServer

DAY = date(2025, 6, 14)  # a Saturday: 35 COLAs (seed 7), where a Monday has over 400
AS_OF = date(2025, 6, 26)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with running_simulator(seed=7, as_of=AS_OF) as server:
        yield server


def _unfinished_state(fs: fsspec.AbstractFileSystem, root: str) -> None:
    """A newer state file, every partition failed, from a load with no `_dlt_loads` row."""
    from dlt.common.versioned_state import compress_state, decompress_state

    newest = sorted(fs.glob(f"{root}/_dlt_pipeline_state/*"))[-1]
    doc = json.loads(fs.cat_file(newest).decode().splitlines()[0])
    state = decompress_state(doc["state"])
    crawl = state["sources"]["ttb_cola"]["resources"]["partitions"]
    crawl["partitions"] = {key: {**one, "status": "failed"} for key, one in crawl_view(crawl)["partitions"].items()}
    load_id = "9999999999.000001"
    doc.update(state=compress_state(state), _dlt_load_id=load_id, version=doc["version"] + 1)
    name = newest.rsplit("/", 1)[1].split("__")
    name[1] = load_id
    fs.pipe_file(f"{root}/_dlt_pipeline_state/{'__'.join(name)}", (json.dumps(doc) + "\n").encode())


def test_status_ignores_a_state_file_of_an_unfinished_load(
    s3: MotoS3, sim: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_machine_aws_credentials(monkeypatch, tmp_path)
    warehouse = Warehouse(tmp_path, monkeypatch)
    lake = s3.new_bucket()
    for name, value in lake.env(f"{lake.bucket_url}/lake").items():
        monkeypatch.setenv(name, value)
    assert warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), "--destination", "filesystem",
                            today=AS_OF) == 0
    status = ["status", "--destination", "filesystem", "--pipelines-dir", str(warehouse.pipelines)]
    capsys.readouterr()
    assert main(status) == 0
    complete = capsys.readouterr().out
    _unfinished_state(fsspec.filesystem("s3", **lake.storage_options()), f"{lake.bucket}/lake/ttb_cola")
    shutil.rmtree(warehouse.pipelines)  # a fresh runner
    assert main(status) == 0, capsys.readouterr().err
    assert capsys.readouterr().out == complete
