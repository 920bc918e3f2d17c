"""The simulator's image servlet behaves like the registry's (DESIGN.md, label images)."""

from __future__ import annotations

from urllib.parse import quote

import requests
from image_helpers import raw_records

from ttb_cola.images.verify import Verdict, check
from ttb_cola.registry.pages import PageKind, classify
from ttb_cola_sim import labels
from ttb_cola_sim.server import SimulatorServer


def _form(sim: SimulatorServer, session: requests.Session, ttb_id: str) -> str:
    url = f"{sim.base_url}/viewColaDetails.do?action=publicFormDisplay&ttbid={ttb_id}"
    assert classify(session.get(url).content) is PageKind.FORM
    return url


def _image(sim: SimulatorServer, session: requests.Session, filename: str, referer: str | None) -> requests.Response:
    headers = {"Referer": referer} if referer else {}
    return session.get(f"{sim.base_url}/publicViewAttachment.do?filename={quote(filename)}&filetype=l", headers=headers)


def _working(sim: SimulatorServer) -> list[dict]:
    return [r for r in raw_records(sim) if not sim.attachments.broken(r["ttb_id"], 0)]


def test_without_cookie_or_referer_an_html_error_page_with_200(sim: SimulatorServer) -> None:
    record = _working(sim)[0]
    name = record["label_images"][0]["filename"]
    with requests.Session() as fresh:
        answer = _image(sim, fresh, name, f"{sim.base_url}/x")
        assert answer.status_code == 200 and check(answer.content).verdict is Verdict.HTML_ERROR
        referer = _form(sim, fresh, record["ttb_id"])
        assert "JSESSIONID" in fresh.cookies
        no_referer = _image(sim, fresh, name, None)
        assert no_referer.status_code == 200 and check(no_referer.content).verdict is Verdict.HTML_ERROR
        assert check(_image(sim, fresh, name, referer).content).is_image


def test_the_servlet_answers_from_the_sessions_last_form(sim: SimulatorServer) -> None:
    a, b = _working(sim)[:2]
    with requests.Session() as session:
        referer = _form(sim, session, b["ttb_id"])
        answer = _image(sim, session, a["label_images"][0]["filename"], referer)
    assert answer.content == labels.label_image(sim.registry.seed, b, 0)[0]
    assert answer.content != labels.label_image(sim.registry.seed, a, 0)[0]


def test_unable_to_render_is_html_with_200(sim: SimulatorServer) -> None:
    broken = [(r, p) for r in raw_records(sim) for p in range(len(r["label_images"]))
              if sim.attachments.broken(r["ttb_id"], p)]
    assert broken, "the simulator breaks a few images for good"
    record, position = broken[0]
    with requests.Session() as session:
        referer = _form(sim, session, record["ttb_id"])
        answer = _image(sim, session, record["label_images"][position]["filename"], referer)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert check(answer.content).verdict is Verdict.UNABLE_TO_RENDER


def test_stale_answers_serve_the_previous_cola(sim: SimulatorServer) -> None:
    a, b = _working(sim)[:2]
    sim.attachments.configure(stale_rate=1.0)
    with requests.Session() as session:
        _form(sim, session, a["ttb_id"])
        referer = _form(sim, session, b["ttb_id"])
        answer = _image(sim, session, b["label_images"][0]["filename"], referer)
    assert answer.content == labels.label_image(sim.registry.seed, a, 0)[0]


def test_labels_are_deterministic_and_decode(sim: SimulatorServer) -> None:
    record = _working(sim)[0]
    body, content_type = labels.label_image(sim.registry.seed, record, 0)
    assert labels.render_label.__wrapped__(labels.label_spec(sim.registry.seed, record, 0)) == body
    checked = check(body)
    assert checked.is_image and content_type == f"image/{'png' if checked.image_format == 'PNG' else 'jpeg'}"
