"""Served pages keep the real registry's markup: tag skeletons compared with the real captures."""

from __future__ import annotations

import urllib.parse
from datetime import date

import pytest
from sim_helpers import FIXTURES, Client, detail_path, form_path, skeleton

from ttb_cola.parsers.detail import parse_detail
from ttb_cola.registry.pages import PageKind, classify
from ttb_cola_sim import render
from ttb_cola_sim.server import SimulatorServer


def _raw_records(sim: SimulatorServer, days: int = 6) -> list[dict]:
    out = []
    for day in range(2, 2 + days):
        for record in sim.registry.partition_records(date(2025, 4, day), "001"):
            out.append(sim.registry.raw(record["ttb_id"]))
    return out


def _fits(px_width: float) -> bool:
    return round(px_width * render.PX_PER_INCH) <= render.MAX_IMAGE_PX


def test_detail_page_skeleton_matches_capture(sim: SimulatorServer, client: Client) -> None:
    records = _raw_records(sim)
    plain = next(r for r in records if r["type_of_product"] != "WINE" and not r["other_permits"]
                 and len(r["qualifications"]) == 1)
    wine = next(r for r in records if r["type_of_product"] == "WINE" and not r["wine_vintage"]
                and not r["other_permits"] and len(r["qualifications"]) == 1)
    for record, capture in ((plain, "detail_21132001000620.html"), (wine, "detail_20055001000188.html")):
        body = client.get(detail_path(record["ttb_id"]))
        assert skeleton(body) == skeleton((FIXTURES / capture).read_bytes())
        assert classify(body) == PageKind.DETAIL


@pytest.mark.parametrize("capture", sorted(p.name for p in FIXTURES.glob("detail_*.html")))
def test_detail_rendered_from_capture_values_has_capture_skeleton(capture: str) -> None:
    body = (FIXTURES / capture).read_bytes()
    parsed = parse_detail(body)
    first, _, last = (parsed["contact_name"] or "").partition(" ")
    record = dict(parsed, contact_first=first, contact_last=last,
                  type_of_product="WINE" if b"Grape Varietal(s)" in body else "MALT BEVERAGE",
                  qualifications=(parsed["qualifications"] or "").split("\n"))
    assert skeleton(render.detail_page(record)) == skeleton(body)


def test_form_page_skeleton_matches_capture(sim: SimulatorServer, client: Client) -> None:
    record = next(
        r for r in _raw_records(sim, 10)
        if len(r["label_images"]) == 2 and all(_fits(i["width_in"]) for i in r["label_images"])
        and r["dba_name"] and not r["formula"] and len(r["qualifications"]) == 1
    )
    body = client.get(form_path(record["ttb_id"]))

    def unchecked(tags: list) -> list:
        # Which boxes are ticked is data, not markup: compare without the "checked" attribute.
        return [(tag, tuple(a for a in attrs if a != "checked")) for tag, attrs in tags]

    capture = (FIXTURES / "form_24011001000462.html").read_bytes()
    assert unchecked(skeleton(body)) == unchecked(skeleton(capture))
    assert body.count(b'value="" checked alt=') == capture.count(b'value="" checked alt=') == 3
    assert classify(body) == PageKind.FORM


def test_not_found_page_is_the_capture(sim: SimulatorServer, client: Client) -> None:
    for ttb_id in ("99999999999999", "25100001999999", "abc", "30001001000001"):
        status, _, body = client.request("GET", detail_path(ttb_id))
        assert status == 200
        assert body == (FIXTURES / "notfound_99999999999999.html").read_bytes()
        assert classify(body) == PageKind.NOT_FOUND


def _search(client: Client, first: str, last: str, **extra: str) -> bytes:
    client.get("publicSearchColasBasic.do")
    form = {"searchCriteria.dateCompletedFrom": first, "searchCriteria.dateCompletedTo": last,
            "searchCriteria.productNameSearchType": "B", **extra}
    status, _, body = client.request("POST", "publicSearchColasBasicProcess.do?action=search",
                                     urllib.parse.urlencode(form).encode())
    assert status == 200
    return body


def test_search_pages_skeletons_match_captures(client: Client) -> None:
    body = _search(client, "06/03/2025", "06/03/2025")
    assert skeleton(body) == skeleton((FIXTURES / "search_results_old_potrero_page1.html").read_bytes())
    none = _search(client, "06/03/2025", "06/03/2025", **{"searchCriteria.productOrFancifulName": "NO SUCH%"})
    assert none == (FIXTURES / "search_results_noresults.html").read_bytes()
    error = _search(client, "01/01/1990", "09/29/2026", **{"searchCriteria.productOrFancifulName": "OLD POTRERO%"})
    assert skeleton(error) == skeleton((FIXTURES / "search_form_error_daterange15y.html").read_bytes())
    assert classify(error) == PageKind.ERROR


def test_blocking_pages_classify(client: Client) -> None:
    assert classify(render.captcha_page("123")) == PageKind.CAPTCHA
    assert classify(render.session_timeout_page()) == PageKind.SESSION_TIMEOUT
    status, _, body = client.request("GET", "publicSearchColasBasicProcess.do?action=search")
    assert status == 200 and classify(body) == PageKind.SESSION_TIMEOUT


def test_label_images_and_signature_are_served(sim: SimulatorServer, client: Client) -> None:
    record = _raw_records(sim, 1)[0]
    client.get(form_path(record["ttb_id"]))  # the image servlet answers from the session's last form
    referer = {"Referer": f"{sim.base_url}/{form_path(record['ttb_id'])}"}
    for position, image in enumerate(record["label_images"]):
        name = urllib.parse.quote(image["filename"])
        status, headers, body = client.request("GET", f"publicViewAttachment.do?filename={name}&filetype=l",
                                               headers=referer)
        broken = sim.attachments.broken(record["ttb_id"], position)
        assert status == 200 and (broken or headers["content-type"].startswith("image/")) and len(body) > 20
    status, headers, body = client.request("GET", f"publicViewSignature.do?ttbid={record['ttb_id']}")
    assert status == 200 and body.startswith(b"GIF89a")
