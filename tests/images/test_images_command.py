"""`ttb-cola images` over COLAs already loaded: tables, rerun fetches nothing, barcodes vs truth; the dbt
models of the images over the session's published build of the same COLAs (tests/shared_builds.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from image_helpers import attachment_requests, form_requests  # noqa: E402
from ingest_helpers import Warehouse  # noqa: E402
from shared_builds import (  # noqa: E402
    PUBLISHED_DAY,
    PUBLISHED_METHODS,
    PUBLISHED_SEED,
    PUBLISHED_TODAY,
    published_warehouse,
)
from sim_server import running_simulator  # noqa: E402

from ttb_cola.cli import main  # noqa: E402
from ttb_cola_sim import labels  # noqa: E402

#: The COLAs of the session's published build, so its dbt models are those of what this module loads.
DAY, TODAY = PUBLISHED_DAY, PUBLISHED_TODAY


def _served(sim, ttb_id: str, position: int) -> int:
    """The 0-based label the servlet serves for a position: a form may list one file name twice."""
    names = [i["filename"] for i in sim.registry.raw(ttb_id)["label_images"]]
    return names.index(names[position - 1])


def _images(wh: Warehouse, base_url: str, *args: str) -> int:
    return main(["images", "--date", DAY.isoformat(), "--today", TODAY.isoformat(), "--base-url", base_url,
                 "--requests-per-second", "0", "--images-url", str(wh.root / "images"),
                 "--pipelines-dir", str(wh.pipelines), "--quiet", *args])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    with running_simulator(seed=PUBLISHED_SEED, as_of=TODAY) as sim, pytest.MonkeyPatch.context() as patch:
        yield sim, Warehouse(tmp_path_factory.mktemp("images_cmd"), patch)


def test_images_command_loads_tables_and_a_rerun_fetches_nothing(loaded) -> None:
    sim, wh = loaded
    assert wh.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", PUBLISHED_METHODS, today=TODAY) == 0
    colas = wh.query("select ttb_id, type_of_product from ttb_cola.cola_forms")
    expected_images = sum(len(sim.registry.raw(t)["label_images"]) for t, _ in colas)
    forms, images = form_requests(sim), attachment_requests(sim)
    assert _images(wh, sim.base_url, "--which", "all") == 0
    rows = wh.query("select ttb_id, position, status, sha256, format, width_px, image_url from ttb_cola.cola_images")
    assert len(rows) == expected_images
    stored = [r for r in rows if r[2] == "stored"]
    broken = {(t, p) for t, p, s, *_ in rows if s == "unavailable"}
    assert broken == {(t, p) for t, p, *_ in rows if sim.attachments.broken(t, _served(sim, t, p))} and broken
    for ttb_id, position, _, sha256, fmt, width, url in stored:
        body = labels.label_image(sim.registry.seed, sim.registry.raw(ttb_id), _served(sim, ttb_id, position))[0]
        assert Path(url).read_bytes() == body and fmt in ("JPEG", "PNG") and width > 0
        assert url.endswith(f"{sha256[:2]}/{sha256}.{'png' if fmt == 'PNG' else 'jpg'}")
    # one form per COLA and one request per image, plus a fresh session's form and image per second opinion
    [(second_opinions, fresh_forms)] = wh.query(
        "select count(*), count(distinct ttb_id) from ttb_cola.cola_images where requests > 1")
    assert form_requests(sim) - forms == len(colas) + fresh_forms
    assert attachment_requests(sim) - images == expected_images + second_opinions
    files = {p.name for p in (wh.root / "images").rglob("*.*")}
    assert len(files) == len({r[3] for r in stored})  # each distinct file stored once

    drawn = {(t, d["position"]): d["gtin"] for t, _ in colas
             for d in labels.label_truth(sim.registry.seed, sim.registry.raw(t)) if d["gtin"]}
    truth = {(t, p): drawn[(t, _served(sim, t, p))] for t, p, *_ in rows if (t, _served(sim, t, p)) in drawn}
    read = {(t, p): g for t, p, g in wh.query("select ttb_id, position, gtin from ttb_cola.cola_barcodes")}
    assert read.items() <= truth.items()  # precision
    assert len(read) >= 0.7 * len({k for k in truth if k not in broken})

    forms, images = form_requests(sim), attachment_requests(sim)
    assert _images(wh, sim.base_url, "--which", "all") == 0  # rerun: nothing stored is fetched again
    assert (form_requests(sim), attachment_requests(sim)) == (forms, images)
    assert _images(wh, sim.base_url, "--which", "all", "--retry-unavailable-after", "0") == 0
    unavailable_colas = {t for t, _ in broken}
    assert form_requests(sim) - forms == 2 * len(unavailable_colas)  # its form, then a fresh session's
    assert attachment_requests(sim) - images == 2 * len(broken)
    assert wh.query("select count(*) from ttb_cola.cola_images")[0][0] == expected_images


def test_filters_and_bad_input(loaded, capsys: pytest.CaptureFixture) -> None:
    sim, wh = loaded
    forms = form_requests(sim)
    assert _images(wh, sim.base_url, "--product-type", "NO SUCH TYPE") == 0
    assert form_requests(sim) == forms
    assert main(["images", "--start", "2025-06-20", "--end", "2025-06-01"]) == 2
    assert "after END" in capsys.readouterr().err
    assert main(["images"]) == 2


def test_dbt_models_of_the_loaded_images(tmp_path_factory: pytest.TempPathFactory) -> None:
    db, _, log = published_warehouse(tmp_path_factory, tmp_path_factory.mktemp("images_dbt"))
    for model in ("stg_ttb__cola_images", "stg_ttb__cola_barcodes", "int_cola_gtins", "bridge_cola_gtins",
                  "fct_shared_gtins", "valid_gtin"):
        assert model in log
    assert "ERROR=0" in log

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(sql).fetchall()

    raw = set(query("select distinct ttb_id, gtin from ttb_cola.cola_barcodes"))
    bridge = set(query("select ttb_id, gtin from marts.bridge_cola_gtins"))
    assert bridge == raw and bridge
    counts = dict(query("select ttb_id, gtin_count from marts.fct_cola_approvals"))
    placeholders = set(query("select ttb_id, gtin from marts.bridge_cola_gtins where is_placeholder"))
    for ttb_id in {t for t, _ in raw}:
        assert counts[ttb_id] == len({g for t, g in raw - placeholders if t == ttb_id})
    shared = dict(query("select gtin, cola_count from marts.fct_shared_gtins"))
    by_gtin: dict[str, set[str]] = {}
    for ttb_id, gtin in raw - placeholders:
        by_gtin.setdefault(gtin, set()).add(ttb_id)
    assert shared == {g: len(ids) for g, ids in by_gtin.items() if len(ids) > 1} and shared
