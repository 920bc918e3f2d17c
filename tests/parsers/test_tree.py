"""The parsers' tree (built without lexbor's DOM mutation events) is the tree a default build makes, on every
real page in tests/fixtures, and the events it leaves out are real (a page that needs them builds otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from ttb_cola.parsers.tree import html_tree
from ttb_cola.text import decode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = sorted(FIXTURES.glob("*.html"))


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_a_real_page_builds_the_same_tree(path: Path) -> None:
    body = path.read_bytes()
    text = decode(body)
    assert html_tree(text).html == LexborHTMLParser(text).html
    if body.isascii():  # the form parser hands ASCII pages over as bytes
        assert html_tree(body).html == LexborHTMLParser(body).html


def test_the_events_left_out_change_only_what_a_registry_page_never_holds() -> None:
    html = "<select><selectedcontent></selectedcontent><option>chosen</option></select>"
    assert "chosen</selectedcontent>" in (LexborHTMLParser(html).html or "")
    assert "<selectedcontent></selectedcontent>" in (html_tree(html).html or "")
    assert not any(b"selectedcontent" in path.read_bytes().lower() for path in PAGES)
