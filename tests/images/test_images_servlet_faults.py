"""`ttb-cola images` against a misbehaving servlet: no wrong image is ever stored."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest_helpers import Warehouse  # noqa: E402
from sim_server import running_simulator  # noqa: E402

from ttb_cola.cli import main  # noqa: E402
from ttb_cola.images.store import sha256_hex  # noqa: E402
from ttb_cola_sim import labels  # noqa: E402

#: A weekend (seed 12: 106 COLAs filed electronically, 209 label images), not a weekday's 500 COLAs.
FIRST, LAST = date(2025, 6, 14), date(2025, 6, 15)
TODAY = date(2025, 6, 30)


def _render_each_label_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator's labels rendered once per (seed, TTB ID, position): the servlet's answers (a stale one
    repeats another COLA's label) and this test's check of each stored image share the rendering."""
    render, rendered = labels.label_image, {}

    def once(seed: int, record: dict[str, Any], position: int) -> tuple[bytes, str]:
        key = (seed, record["ttb_id"], position)
        if key not in rendered:
            rendered[key] = render(seed, record, position)
        return rendered[key]

    monkeypatch.setattr(labels, "label_image", once)


def test_mixups_and_transient_html_never_store_a_wrong_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(tmp_path, monkeypatch)
    _render_each_label_once(monkeypatch)
    with running_simulator(seed=12, as_of=TODAY) as sim:
        days = ("--start", FIRST.isoformat(), "--end", LAST.isoformat())
        assert wh.ingest(sim.base_url, *days, "--methods", "001", today=TODAY) == 0
        # every stale answer repeats an image this session fetched for its previous COLA: detectable
        sim.attachments.configure(broken_rate=0.0, stale_rate=0.3, unrenderable_rate=0.15)
        assert main(["images", *days, "--today", TODAY.isoformat(), "--base-url", sim.base_url,
                     "--requests-per-second", "0", "--which", "all", "--images-url", str(tmp_path / "images"),
                     "--pipelines-dir", str(wh.pipelines), "--quiet"]) == 0
        counts = dict(sim.attachments.counts)
        rows = wh.query("select ttb_id, position, status, sha256, mixups from ttb_cola.cola_images")
        wrong = []
        for ttb_id, position, status, sha256, _ in rows:
            if status != "stored":
                continue
            raw = sim.registry.raw(ttb_id)
            names = [i["filename"] for i in raw["label_images"]]
            body = labels.label_image(sim.registry.seed, raw, names.index(names[position - 1]))[0]
            if sha256 != sha256_hex(body):
                wrong.append((ttb_id, position))
    mixups = sum(r[4] for r in rows)
    print("servlet answers:", counts, "rows:", len(rows), "mixups:", mixups,
          "unavailable:", sum(r[2] == "unavailable" for r in rows))
    assert counts.get("stale", 0) > 20 and counts.get("unable_to_render", 0) > 20
    assert not wrong, f"{len(wrong)} wrong images stored, e.g. {wrong[:3]}"
    assert 0 < mixups <= counts["stale"]
    # a transient "Unable to render" is retried in a fresh session; both failing leaves it unavailable
    unavailable = sum(r[2] == "unavailable" for r in rows)
    assert unavailable < counts["unable_to_render"] and sum(r[2] == "stored" for r in rows) > 0.8 * len(rows)
