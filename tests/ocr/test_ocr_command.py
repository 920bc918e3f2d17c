"""`ttb-cola ocr` over images already stored: values against the drawn truth, front label first, a rerun
reads nothing. One engine process per run; a handful of COLAs keeps the recognition short."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest_helpers import Warehouse  # noqa: E402
from sim_server import running_simulator  # noqa: E402

from ttb_cola.cli import main  # noqa: E402
from ttb_cola.destinations.lock import file_lock  # noqa: E402
from ttb_cola.ocr.extract import FIELDS  # noqa: E402
from ttb_cola.runs.exit_codes import EXIT_HELD  # noqa: E402
from ttb_cola_sim.statements import statement_truth  # noqa: E402

DAY = date(2025, 6, 16)
TODAY = date(2025, 6, 30)
METHODS = "002,003"  # three COLAs that day: a few images to recognise


def _ocr(wh: Warehouse, *args: str) -> int:
    return main(["ocr", "--images-url", str(wh.root / "images"), "--pipelines-dir", str(wh.pipelines), "--quiet",
                 *args])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    """A warehouse holding one day's e-filed COLAs and all their label images."""
    with running_simulator(seed=9, as_of=TODAY) as sim, pytest.MonkeyPatch.context() as patch:
        wh = Warehouse(tmp_path_factory.mktemp("ocr_cmd"), patch)
        assert wh.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", METHODS, today=TODAY) == 0
        assert main(["images", "--date", DAY.isoformat(), "--today", TODAY.isoformat(), "--base-url", sim.base_url,
                     "--requests-per-second", "0", "--images-url", str(wh.root / "images"), "--which", "all",
                     "--no-barcodes", "--pipelines-dir", str(wh.pipelines), "--quiet"]) == 0
        yield sim, wh


def _served(sim, ttb_id: str, position: int) -> int:
    """The 0-based label the servlet serves for a 1-based position (a form may list one file twice)."""
    names = [i["filename"] for i in sim.registry.raw(ttb_id)["label_images"]]
    return names.index(names[position - 1])


def test_ocr_reads_values_front_first_and_a_rerun_reads_nothing(loaded, capsys: pytest.CaptureFixture) -> None:
    sim, wh = loaded
    assert _ocr(wh) == 0
    texts = wh.query("select ttb_id, image_sha256, position, line_count, engine, engine_version, reused, lines "
                     "from ttb_cola.cola_label_text")
    colas = sorted({t for t, *_ in texts})
    assert colas == sorted(t for (t,) in wh.query("select ttb_id from ttb_cola.cola_forms"))
    assert all(r[4] == "rapidocr" and "PP-OCRv6" in r[5] and not r[6] and r[3] == len(json.loads(r[7])) for r in texts)
    values = {(t, f): (v, pos, text, conf, sha) for t, f, v, pos, text, conf, sha in wh.query(
        "select ttb_id, field, value, position, source_text, confidence, image_sha256 from ttb_cola.cola_label_values")}
    stated = found = 0
    for ttb_id in colas:
        truth = statement_truth(sim.registry.seed, sim.registry.raw(ttb_id))
        for name in FIELDS:
            if (ttb_id, name) in values:
                value, position, text, confidence, sha = values[(ttb_id, name)]
                assert value == truth[name], (ttb_id, name, text)  # precision: never a wrong or decoy value
                assert text in truth["lines"][_served(sim, ttb_id, position)] or text.replace(" ", "") in {
                    s.replace(" ", "") for s in truth["lines"][_served(sim, ttb_id, position)]}
                assert 0 < confidence <= 1 and (ttb_id, sha) in {(r[0], r[1]) for r in texts}
                found += 1
            stated += truth[name] is not None
    assert found >= 0.8 * stated and stated >= len(colas)
    # the front label first; another label only when the front left a required value missing
    for ttb_id in colas:
        rows = sorted((p, t) for t, _, p, *_ in texts if t == ttb_id)
        fronts = {f for (t, f) in values if t == ttb_id and values[(t, f)][1] == rows[0][0]}
        if {"abv_percent", "net_contents_ml"} <= fronts:
            assert len(rows) == 1
    capsys.readouterr()
    before = wh.query("select ttb_id, image_sha256, read_at from ttb_cola.cola_label_text order by all")
    assert _ocr(wh) == 0  # a rerun reads nothing
    assert "0 COLAs, 0 images read" in capsys.readouterr().out
    assert wh.query("select ttb_id, image_sha256, read_at from ttb_cola.cola_label_text order by all") == before


def test_ocr_refuses_bad_input_and_writes_nothing(loaded, capsys: pytest.CaptureFixture) -> None:
    _, wh = loaded
    before = wh.query("select count(*) from ttb_cola.cola_label_text")
    assert _ocr(wh, "--max-colas", "0") == 2
    assert capsys.readouterr().err.strip() == "ttb-cola ocr: --max-colas must be >= 1, got 0"
    assert wh.query("select count(*) from ttb_cola.cola_label_text") == before


def test_ocr_while_another_run_holds_the_destination_exits_6_naming_it(loaded, capsys: pytest.CaptureFixture) -> None:
    _, wh = loaded
    before = wh.query("select count(*) from ttb_cola.cola_label_text")
    with file_lock(wh.db.with_name(wh.db.name + ".lock"), "ttb-cola daily"):
        assert _ocr(wh) == EXIT_HELD
    err = capsys.readouterr().err.strip()
    assert err.startswith("ttb-cola ocr: ") and "ttb-cola daily" in err and len(err.splitlines()) == 1
    assert wh.query("select count(*) from ttb_cola.cola_label_text") == before
