"""The recogniser and the rules on simulator labels: exact values where drawn, none from decoys or where a
statement is missing; the models come from the wheel (nothing downloaded). One engine for the module."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ttb_cola.ocr.engine import OcrEngine
from ttb_cola.ocr.extract import FIELDS, Line, extract
from ttb_cola_sim import labels
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.statements import statement_truth

SEED = 11
DAY = date(2025, 6, 10)


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    """One engine, built with RapidOCR's download step made to fail: the wheel's models must suffice."""
    from rapidocr.utils import download_file

    def no_download(*_: Any, **__: Any) -> None:
        raise AssertionError("rapidocr tried to download a model")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(download_file.DownloadFile, "run", classmethod(no_download))
        return OcrEngine(threads=1)


def _sample() -> list[tuple[dict[str, Any], int, dict[str, Any]]]:
    """Front labels covering: decoy lines, proof, vintage, age, a statement missing from the whole COLA."""
    registry = Registry(seed=SEED, as_of=date(2025, 6, 30))
    wanted = {"decoy": 2, "proof": 1, "vintage": 1, "age": 1, "none": 1, "plain": 1}
    out = []
    day = DAY
    while any(wanted.values()) and day < DAY + timedelta(days=20):
        for record in registry.partition_records(day, "001"):
            raw = registry.raw(record["ttb_id"])
            truth = statement_truth(SEED, raw)
            if not truth["lines"]:
                continue
            front = min(truth["lines"])
            drawn = truth["lines"][front]
            kinds = {
                "decoy": any(line.startswith(("SINCE", "EST.", "BATCH", "BARREL", "BOTTLE", "LOT", "CASK", "AGED IN"))
                             for line in drawn),
                "proof": any("PROOF" in line for line in drawn),
                "vintage": truth["where"].get("vintage_year") == front,
                "age": truth["where"].get("age_statement_years") == front,
                "none": truth["abv_percent"] is None or truth["net_contents_ml"] is None,
                "plain": True,
            }
            kind = next((k for k, n in wanted.items() if n and kinds[k]), None)
            if kind:
                wanted[kind] -= 1
                out.append((raw, front, truth))
        day += timedelta(days=1)
    return out


def test_drawn_labels_give_their_values_and_decoys_give_none(engine: OcrEngine) -> None:
    sample = _sample()
    assert len(sample) == 7
    assert "PP-OCRv6" in engine.version
    for raw, front, truth in sample:
        lines = engine.read(labels.label_image(SEED, raw, front)[0])
        product = {"WINE": "wine", "DISTILLED SPIRITS": "spirits", "MALT BEVERAGE": "malt"}[raw["type_of_product"]]
        got = extract([Line(line.text, line.confidence) for line in lines], product=product)
        expected = {name: truth[name] if truth["where"].get(name) == front else None for name in FIELDS}
        assert {name: v.value if v else None for name, v in got.items()} == expected, (truth["lines"][front],
                                                                                         [x.text for x in lines])
        assert all(0 < v.confidence <= 1 and v.text in [x.text for x in lines] for v in got.values() if v)
