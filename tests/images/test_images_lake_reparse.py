"""`ttb-cola images` on the local Delta lake, and a reparse of the raw archive keeping image rows."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from image_helpers import attachment_requests  # noqa: E402
from ingest_helpers import Warehouse  # noqa: E402
from sim_server import running_simulator  # noqa: E402

from ttb_cola.cli import main  # noqa: E402

DAY = date(2025, 6, 16)
TODAY = date(2025, 6, 30)


def _images(wh: Warehouse, base_url: str, *args: str) -> int:
    return main(["images", "--date", DAY.isoformat(), "--today", TODAY.isoformat(), "--base-url", base_url,
                 "--requests-per-second", "0", "--which", "all", "--pipelines-dir", str(wh.pipelines), "--quiet",
                 *args])


def test_reparse_keeps_image_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_RAW_HTML", "true")
    monkeypatch.setenv("SOURCES__TTB_COLA__ARCHIVE_URL", str(tmp_path / "raw"))
    with running_simulator(seed=4, as_of=TODAY) as sim:
        assert wh.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", "002,003", today=TODAY) == 0
        assert _images(wh, sim.base_url, "--images-url", str(tmp_path / "images")) == 0
    before = wh.query("select ttb_id, position, sha256, status from ttb_cola.cola_images order by 1, 2")
    assert before
    assert main(["reparse", "--pipelines-dir", str(wh.pipelines)]) == 0
    assert wh.query("select ttb_id, position, sha256, status from ttb_cola.cola_images order by 1, 2") == before
    # the reparsed label list still lines up with the image rows, position by position
    joined = wh.query("select count(*) from ttb_cola.cola_images i join ttb_cola.cola_label_images l "
                      "using (ttb_id, position) where i.filename = l.filename")
    assert joined == [(len(before),)]


def test_images_on_the_local_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(tmp_path, monkeypatch)
    lake = tmp_path / "lake"
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", lake.as_uri())
    with running_simulator(seed=4, as_of=TODAY) as sim:
        assert wh.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", "002,003",
                         "--destination", "filesystem", today=TODAY) == 0
        assert _images(wh, sim.base_url, "--destination", "filesystem") == 0
        images = attachment_requests(sim)
        assert images > 0
        assert _images(wh, sim.base_url, "--destination", "filesystem") == 0
        assert attachment_requests(sim) == images  # the rerun read the lake's cola_images
    stored = list((lake / "images").rglob("*.*"))  # <bucket_url>/images by default
    assert stored and all(p.parent.name == p.name[:2] for p in stored)
    from deltalake import DeltaTable

    with duckdb.connect() as con:
        con.register("images_table", DeltaTable(str(lake / "ttb_cola" / "cola_images")).to_pyarrow_table())
        [(shas, rows, keys)] = con.sql(
            "select count(distinct sha256) filter (where status = 'stored'), count(*), "
            "count(distinct (ttb_id, position)) from images_table").fetchall()
    assert rows == keys  # upserted on (ttb_id, position): the rerun added no row
    assert shas == len(stored)  # each distinct file stored once, every stored row's file present
