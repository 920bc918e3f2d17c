"""The crawl hook fetch_images: the servlet protocol and every safeguard, over loopback."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from image_helpers import attachment_requests, form_requests, raw_records

from ttb_cola.images import fetch_images
from ttb_cola.images.fetch import STORED, UNAVAILABLE, select
from ttb_cola.images.store import ImageStore, sha256_hex
from ttb_cola.images.verify import check
from ttb_cola.registry.client import RegistryClient
from ttb_cola_sim import labels
from ttb_cola_sim.server import SimulatorServer


def _working(sim: SimulatorServer, n: int, min_images: int = 1) -> list[dict[str, Any]]:
    out = [r for r in raw_records(sim) if len(r["label_images"]) >= min_images
           and not any(sim.attachments.broken(r["ttb_id"], p) for p in range(len(r["label_images"])))
           and not any("WARNING" in i["filename"].upper() for i in r["label_images"])]
    return out[:n]


def _truth(sim: SimulatorServer, record: dict[str, Any], position: int) -> bytes:
    return labels.label_image(sim.registry.seed, record, position)[0]


def test_all_images_verified_and_stored_by_content(sim: SimulatorServer, client: RegistryClient,
                                                    store: ImageStore) -> None:
    record = _working(sim, 1, min_images=2)[0]
    page = client.form(record["ttb_id"])
    before = attachment_requests(sim)
    results = fetch_images(client, record["ttb_id"], page, "all", store)
    assert attachment_requests(sim) - before == len(record["label_images"])  # one request per image
    assert [r.position for r in results] == list(range(1, len(record["label_images"]) + 1))
    for result in results:
        body = _truth(sim, record, result.position - 1)
        assert result.status == STORED and result.sha256 == sha256_hex(body) and result.bytes == len(body)
        assert result.filename == record["label_images"][result.position - 1]["filename"]
        checked = check(body)
        assert (result.image_format, result.width_px, result.height_px) == (checked.image_format, checked.width,
                                                                              checked.height)
        path = store.path(result.sha256, result.extension)
        assert path.endswith(f"/{result.sha256[:2]}/{result.sha256}.{result.extension}")
        assert store.get(result.sha256, result.extension) == body
        assert result.requests == 1 and not result.mixups


def test_front_fetches_only_the_brand_label(sim: SimulatorServer, client: RegistryClient, store: ImageStore) -> None:
    record = _working(sim, 1, min_images=2)[0]
    results = fetch_images(client, record["ttb_id"], client.form(record["ttb_id"]), "front", store)
    assert [r.position for r in results] == [1] and results[0].image_type.startswith("Brand (front)")
    assert fetch_images(client, record["ttb_id"], client.form(record["ttb_id"]), "none", store) == []
    assert select([{"image_type": "Back"}, {"image_type": "Other"}], "front") == [0]
    with pytest.raises(ValueError):
        select([], "some")


def test_unable_to_render_once_is_retried_in_a_fresh_session(sim: SimulatorServer, client: RegistryClient,
                                                             store: ImageStore) -> None:
    record = _working(sim, 1)[0]
    page = client.form(record["ttb_id"])
    sim.attachments.fail_next = 1
    forms, images = form_requests(sim), attachment_requests(sim)
    [result, *_] = fetch_images(client, record["ttb_id"], page, "front", store)
    assert result.status == STORED and result.sha256 == sha256_hex(_truth(sim, record, 0))
    assert (form_requests(sim) - forms, attachment_requests(sim) - images, result.requests) == (1, 2, 3)


def test_unrenderable_for_good_is_unavailable_and_never_stored(sim: SimulatorServer, client: RegistryClient,
                                                               store: ImageStore) -> None:
    broken = [(r, p) for r in raw_records(sim) for p in range(len(r["label_images"]))
              if sim.attachments.broken(r["ttb_id"], p)]
    record, position = broken[0]
    results = fetch_images(client, record["ttb_id"], client.form(record["ttb_id"]), "all", store)
    result = results[position]
    assert result.status == UNAVAILABLE and result.sha256 is None and result.requests >= 2
    assert result.detail == "Unable to render attachment"
    assert store.writes == sum(r.status == STORED for r in results)


def test_a_session_that_did_not_display_the_form_gets_html_then_a_fresh_session(
        sim: SimulatorServer, client: RegistryClient, store: ImageStore) -> None:
    record = _working(sim, 1)[0]
    with RegistryClient(sim.base_url, requests_per_second=0) as other:
        page = other.form(record["ttb_id"])  # our client's session never displayed this form
    [result] = fetch_images(client, record["ttb_id"], page, "front", store)
    assert result.status == STORED and result.requests == 3
    assert result.sha256 == sha256_hex(_truth(sim, record, 0))


def test_a_mixup_with_the_previous_cola_is_discarded(sim: SimulatorServer, client: RegistryClient,
                                                     store: ImageStore) -> None:
    a, b = _working(sim, 2)
    fetch_images(client, a["ttb_id"], client.form(a["ttb_id"]), "front", store)
    sim.attachments.configure(stale_rate=1.0)  # the servlet now serves the previous COLA's image
    [result] = fetch_images(client, b["ttb_id"], client.form(b["ttb_id"]), "front", store)
    assert result.mixups == 1 and not result.shared_with_previous
    assert result.status == STORED and result.sha256 == sha256_hex(_truth(sim, b, 0))
    assert result.sha256 != sha256_hex(_truth(sim, a, 0))


def _sharing_pair(sim: SimulatorServer) -> tuple[tuple[dict[str, Any], int], tuple[dict[str, Any], int]]:
    by: dict[tuple[str, str], list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for record in raw_records(sim):
        for position, image in enumerate(record["label_images"]):
            if "WARNING" in image["filename"].upper() and not sim.attachments.broken(record["ttb_id"], position):
                by[(record["permit_number"], image["filename"][-4:])].append((record, position))
    pairs = [v for v in by.values() if len(v) > 1]
    return pairs[0][0], pairs[0][1]


def test_a_label_shared_with_the_previous_cola_is_kept_and_stored_once(
        sim: SimulatorServer, client: RegistryClient, store: ImageStore) -> None:
    (a, pa), (b, pb) = _sharing_pair(sim)
    first = fetch_images(client, a["ttb_id"], client.form(a["ttb_id"]), "all", store)
    second = fetch_images(client, b["ttb_id"], client.form(b["ttb_id"]), "all", store)
    shared_a, shared_b = first[pa], second[pb]
    assert shared_a.sha256 == shared_b.sha256 and shared_a.written and not shared_b.written
    assert shared_b.shared_with_previous and not shared_b.mixups and shared_b.status == STORED
    assert shared_b.requests == 3  # its image, then a fresh session's form and image
    stored = {(r.sha256, r.extension) for r in first + second if r.status == STORED}
    assert store.writes == len(stored)


def test_skipped_positions_cost_nothing(sim: SimulatorServer, client: RegistryClient, store: ImageStore) -> None:
    record = _working(sim, 1, min_images=2)[0]
    page = client.form(record["ttb_id"])
    before = attachment_requests(sim)
    positions = range(1, len(record["label_images"]) + 1)
    assert fetch_images(client, record["ttb_id"], page, "all", store, skip=positions) == []
    assert attachment_requests(sim) == before


def test_not_a_form_page_is_refused(sim: SimulatorServer, client: RegistryClient, store: ImageStore) -> None:
    record = _working(sim, 1)[0]
    with pytest.raises(ValueError):
        fetch_images(client, record["ttb_id"], client.detail(record["ttb_id"]), "all", store)


def test_threads_sharing_one_client_never_mix_their_colas(sim: SimulatorServer, client: RegistryClient,
                                                         store: ImageStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    records = _working(sim, 24)

    def crawl(record: dict[str, Any]) -> list:
        return fetch_images(client, record["ttb_id"], client.form(record["ttb_id"]), "all", store)

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(crawl, records))
    for record, results in zip(records, outcomes, strict=True):
        for result in results:
            assert result.status == STORED and not result.mixups
            names = [i["filename"] for i in record["label_images"]]
            served = names.index(names[result.position - 1])  # a form may list one file twice
            assert result.sha256 == sha256_hex(_truth(sim, record, served))
