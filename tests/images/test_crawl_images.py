"""Label images fetched by the crawl itself (``images = front | all``), right after each form, over loopback."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from image_helpers import attachment_requests, form_requests  # noqa: E402
from ingest_helpers import Warehouse  # noqa: E402
from sim_server import running_simulator  # noqa: E402

from ttb_cola.images.fetch import select  # noqa: E402
from ttb_cola.images.store import sha256_hex  # noqa: E402
from ttb_cola_sim import labels  # noqa: E402
from ttb_cola_sim.attachments import AttachmentConfig  # noqa: E402

DAY = date(2025, 6, 14)  # a Saturday: about 50 COLAs
TODAY = date(2025, 6, 30)
COLUMNS = "ttb_id, position, status, sha256, format, bytes, width_px, image_url, requests, mixups"


@pytest.fixture(scope="module")
def sim():
    with running_simulator(seed=9, as_of=TODAY) as server:
        yield server


@pytest.fixture
def wh(sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    warehouse = Warehouse(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "form")
    monkeypatch.setenv("SOURCES__TTB_COLA__IMAGES_URL", str(tmp_path / "images"))
    # one sequence at a time per partition: no form is fetched ahead and set aside, so every image
    # request the simulator answers belongs to a row
    monkeypatch.setenv("SOURCES__TTB_COLA__PROBE_LOOKAHEAD", "1")
    yield warehouse
    sim.attachments.config = AttachmentConfig()


def _crawl(wh: Warehouse, sim, *args: str) -> int:
    return wh.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", "001,002", *args, today=TODAY)


def _served(sim, ttb_id: str, position: int) -> bytes:
    """The label the simulator serves for a position (a form may list one file name twice)."""
    raw = sim.registry.raw(ttb_id)
    names = [i["filename"] for i in raw["label_images"]]
    return labels.label_image(sim.registry.seed, raw, names.index(names[position - 1]))[0]


def _check_rows(wh: Warehouse, sim, which: str) -> list[tuple]:
    """Exactly the selected positions of every loaded form have a row; stored ones hold the served bytes."""
    colas = [t for (t,) in wh.query("select ttb_id from ttb_cola.cola_forms")]
    wanted = {(t, i + 1) for t in colas for i in select(sim.registry.raw(t)["label_images"], which)}
    rows = wh.query(f"select {COLUMNS} from ttb_cola.cola_images")
    assert {(r[0], r[1]) for r in rows} == wanted and len(rows) == len(wanted)
    stored = [r for r in rows if r[2] == "stored"]
    assert len(stored) > 0.8 * len(rows)
    for ttb_id, position, _, sha256, fmt, size, width, url, *_ in stored:
        body = _served(sim, ttb_id, position)
        assert sha256 == sha256_hex(body) and size == len(body) and fmt in ("JPEG", "PNG") and width > 0
        assert Path(url).read_bytes() == body
    assert {r[2] for r in rows} <= {"stored", "unavailable"}
    return rows


def _second_opinions(rows: list[tuple]) -> tuple[int, int]:
    """(image requests, form requests) the safeguards added: each row's count beyond its one request."""
    fresh_forms = len({r[0] for r in rows if r[8] > 1})
    return sum(r[8] - 1 for r in rows) - fresh_forms, fresh_forms


def test_front_images_during_the_crawl_then_a_rerun_fetches_none_and_all_each_file_stored_once(
    wh: Warehouse, sim
) -> None:
    forms, images = form_requests(sim), attachment_requests(sim)
    assert _crawl(wh, sim, "--images", "front") == 0
    rows = _check_rows(wh, sim, "front")
    extra_images, extra_forms = _second_opinions(rows)
    assert attachment_requests(sim) - images == len(rows) + extra_images
    [(pages,)] = wh.query("select count(*) from ttb_cola.cola_forms")
    assert form_requests(sim) - forms >= pages + extra_forms
    [(crawl_requests,)] = wh.query("select sum(requests) from ttb_cola.crawl_partitions")
    assert crawl_requests == (form_requests(sim) - forms) + (attachment_requests(sim) - images)  # one budget

    # a rerun fetching every form again asks for no image already stored (or unavailable just now)
    forms, images = form_requests(sim), attachment_requests(sim)
    assert _crawl(wh, sim, "--images", "front", "--reprobe") == 0
    assert form_requests(sim) - forms >= pages and attachment_requests(sim) == images
    assert wh.query(f"select {COLUMNS} from ttb_cola.cola_images order by 1, 2") == sorted(rows)
    # images=all on the same warehouse fetches only the positions not stored yet
    assert _crawl(wh, sim, "--images", "all", "--reprobe") == 0
    all_rows = _check_rows(wh, sim, "all")
    extra_images_all, _ = _second_opinions([r for r in all_rows if (r[0], r[1]) not in {(s[0], s[1]) for s in rows}])
    assert attachment_requests(sim) - images == len(all_rows) - len(rows) + extra_images_all
    files = list((wh.root / "images").rglob("*.*"))  # each file once, in a folder named for its hash's start
    assert len(files) == len({r[3] for r in all_rows if r[2] == "stored"})
    assert all(p.parent.name == p.name[:2] for p in files)


def test_images_none_makes_no_image_request(wh: Warehouse, sim) -> None:
    images = attachment_requests(sim)
    assert _crawl(wh, sim, "--images", "none") == 0
    assert wh.query("select count(*) from ttb_cola.cola_forms")[0][0] > 0
    assert attachment_requests(sim) == images
    tables = {t for (t,) in wh.query("select table_name from information_schema.tables")}
    assert "cola_images" not in tables


def test_mixups_and_html_answers_during_the_crawl_never_store_a_wrong_image(wh: Warehouse, sim) -> None:
    sim.attachments.configure(broken_rate=0.0, stale_rate=0.3, unrenderable_rate=0.1)
    before = dict(sim.attachments.counts)
    assert _crawl(wh, sim, "--images", "all") == 0
    counts = {k: v - before.get(k, 0) for k, v in sim.attachments.counts.items()}
    rows = wh.query(f"select {COLUMNS} from ttb_cola.cola_images")
    wrong = [(r[0], r[1]) for r in rows if r[2] == "stored" and r[3] != sha256_hex(_served(sim, r[0], r[1]))]
    assert counts.get("stale", 0) > 5 and counts.get("unable_to_render", 0) > 5
    assert not wrong, f"{len(wrong)} wrong images stored, e.g. {wrong[:3]}"
    assert 0 < sum(r[9] for r in rows) <= counts["stale"]
    unavailable = sum(r[2] == "unavailable" for r in rows)
    assert unavailable < counts["unable_to_render"] and sum(r[2] == "stored" for r in rows) > 0.8 * len(rows)


def test_search_strategy_fetches_the_images_of_listed_colas(wh: Warehouse, sim) -> None:
    images = attachment_requests(sim)
    sunday = date(2025, 6, 29)  # searches of a weekend's completed dates: a short list
    sim.set_as_of(sunday)
    try:
        assert wh.ingest(sim.base_url, "--start", "2025-06-28", "--end", "2025-06-28", "--methods", "001",
                         "--strategy", "search", "--images", "front", today=sunday) == 0
    finally:
        sim.set_as_of(TODAY)
    [(listed,)] = wh.query("select count(*) from ttb_cola.cola_listings")
    assert listed > 0
    rows = _check_rows(wh, sim, "front")
    assert attachment_requests(sim) - images == len(rows) + _second_opinions(rows)[0]


def test_images_on_the_local_lake_and_a_rerun(wh: Warehouse, sim, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = wh.root / "lake"
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", lake.as_uri())
    monkeypatch.delenv("SOURCES__TTB_COLA__IMAGES_URL")
    images = attachment_requests(sim)
    assert _crawl(wh, sim, "--images", "front", "--destination", "filesystem") == 0
    fetched = attachment_requests(sim) - images
    stored = list((lake / "images").rglob("*.*"))  # <bucket_url>/images by default
    assert fetched > 0 and stored
    assert list((lake / "ttb_cola" / "cola_images").glob("*.parquet"))
    images = attachment_requests(sim)
    assert _crawl(wh, sim, "--images", "front", "--destination", "filesystem", "--reprobe") == 0
    assert attachment_requests(sim) == images  # the lake's cola_images said they are stored


def test_image_requests_count_in_the_run_budget(wh: Warehouse, sim) -> None:
    forms, images = form_requests(sim), attachment_requests(sim)
    # two one-day chunks: the first (about 50 COLAs and their images) spends the budget midway, the second
    # never starts; the COLA whose images were being fetched when it ran out is left for the next run
    assert wh.ingest(sim.base_url, "--start", DAY.isoformat(), "--end", "2025-06-15", "--methods", "001",
                     "--chunk-days", "1", "--images", "all", "--max-requests", "60", today=TODAY) == 75
    spent = (form_requests(sim) - forms) + (attachment_requests(sim) - images)
    probed = wh.query("select partition_key, requests from ttb_cola.crawl_partitions")
    assert probed == [(f"{DAY}|001", spent)] and spent == 60
    rows = _check_rows(wh, sim, "all")
    assert attachment_requests(sim) - images >= len(rows) + _second_opinions(rows)[0]
