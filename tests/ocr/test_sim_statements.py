"""The simulator's label statements: the truth export says what each COLA's labels state, the drawn lines
carry those values in a statement's wording, decoys and missing statements occur, the bytes are stable."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from ttb_cola.ocr.extract import extract
from ttb_cola_sim import labels
from ttb_cola_sim.cli import run
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.statements import statement_truth

SEED, AS_OF, DAY = 3, date(2025, 6, 30), date(2025, 6, 16)


def test_label_truth_export_and_drawn_statements(tmp_path: Path) -> None:
    out = tmp_path / "labels.jsonl"
    assert run(["truth", "--seed", str(SEED), "--as-of", AS_OF.isoformat(), "--start", DAY.isoformat(), "--end",
                DAY.isoformat(), "--methods", "001", "--labels", "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    registry = Registry(seed=SEED, as_of=AS_OF)
    assert len(rows) == len(list(registry.partition_records(DAY, "001"))) > 100
    kinds: Counter[str] = Counter()
    for row in rows:
        raw = registry.raw(row["ttb_id"])
        assert {k: row[k] for k in ("abv_percent", "net_contents_ml")} == {
            k: statement_truth(SEED, raw)[k] for k in ("abv_percent", "net_contents_ml")}
        wine = raw["type_of_product"] == "WINE"
        for position, drawn in row["lines"].items():
            # the rules read from the drawn text (no OCR) exactly what the truth places on this label
            got = extract(drawn, wine=wine)
            for name in ("abv_percent", "net_contents_ml", "vintage_year", "age_statement_years"):
                expected = row[name] if row["where"].get(name) == int(position) else None
                assert (got[name].value if got[name] else None) == expected, (drawn, name)
            kinds["decoy"] += any(line.split()[0] in ("SINCE", "EST.", "BATCH", "BARREL", "LOT") for line in drawn)
        kinds["no abv"] += row["abv_percent"] is None
        kinds["back only"] += row["where"].get("abv_percent", 0) > 0
        kinds["proof"] += any("PROOF" in line for lines in row["lines"].values() for line in lines)
    assert all(kinds[k] > 0 for k in ("decoy", "no abv", "back only", "proof")), kinds
    raw = registry.raw(rows[0]["ttb_id"])
    assert labels.render_label.__wrapped__(labels.label_spec(SEED, raw, 0)) == labels.label_image(SEED, raw, 0)[0]
