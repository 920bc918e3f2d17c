"""The printable form parser reads every page exactly as the parser before its speed-up did
(tests/parsers/form_before.py): same fields, same values, same key order, same errors.

Pages: every real page in tests/fixtures, those forms cut in random places (a page of any shape), forms
edited into the rare shapes the fast parser handles apart (classes in other letter case, escaped text,
markup inside a box, non-ASCII text), and forms the simulator renders from its varied records.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from form_before import parse_form as parse_form_before

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.form import parse_form

FIXTURES = Path(__file__).parents[1] / "fixtures"
FORMS = sorted(FIXTURES.glob("form_*.html"))


def outcome(parse: Any, body: bytes | str) -> tuple[str, Any]:
    """What a parser makes of a page: its record as (key, value) pairs in order, or its error."""
    try:
        return "record", list(parse(body).items())
    except ParseError as exc:
        return "error", str(exc)


def assert_same(body: bytes | str) -> None:
    assert outcome(parse_form, body) == outcome(parse_form_before, body)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.html")), ids=lambda path: path.name)
def test_every_real_page(path: Path) -> None:
    body = path.read_bytes()
    assert_same(body)
    assert_same(body.decode("iso-8859-1"))


@pytest.mark.parametrize("path", FORMS, ids=lambda path: path.name)
def test_real_forms_cut_in_random_places(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    rng = random.Random(path.name)
    for _ in range(60):
        kept = lines[:]
        for _ in range(rng.randint(1, 4)):
            start = rng.randrange(len(kept))
            del kept[start : start + rng.randint(1, 6)]
        assert_same(b"\n".join(kept))


REAL = (FIXTURES / "form_20099001000399.html").read_text(encoding="iso-8859-1")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # classes in other letter case: a class selector matches them in quirks mode only
        ('<div class="data">NETA</div>', '<div class="DATA">NETA</div>'),
        ('<div class="label">9. FORMULA</div>', '<div class="Label">9. FORMULA</div>'),
        ("<html>", "<!DOCTYPE html><html>"),
        ('<div class="data">NETA</div>', '<div class="data extra">NETA</div>'),
        ('<div class="data">NETA</div>', '<div class="data\xa0x">NETA</div>'),
        ('<div class="boldlabel">6. BRAND NAME', '<div class="boldlabel data">6. BRAND NAME'),
        ('alt="Source of Product: Imported"', 'type="CHECKBOX" alt="Source of Product: Imported"'),
        ('<input type="checkbox" disabled="true" value="" checked alt="Type of Application">',
         '<input type="radio" disabled="true" value="" checked alt="Type of Application">'),
        # escaped text, markup and other lines inside the boxes read line by line
        ("PM SPIRITS LLC<br>", "PM &amp; SPIRITS &lt;LLC&gt;&nbsp;&amp;amp;<br>"),
        ("PM SPIRITS LLC<br>", "PM <b>SPIRITS</b> LLC<br>"),
        ("PM SPIRITS LLC<br>", "PM SPIRITS<!-- x --> LLC<br>"),
        ("PM SPIRITS LLC<br>", "PM SPIRITS LLC<br clear=all>"),
        ("PM SPIRITS LLC<br>", "PM SPIRITS LLC<br>NETA&nbsp;(Used on label)<br>"),
        ("DE-I-15030", "DE-I-15030<br>TX-I-1 &amp; 2"),
        ("1220 N MARKET ST STE 806", "1220 N MARKET ST STE 806 \u00c9T\u00c9"),
        # item 15's heading in other letter case, with text after it
        ("APPEARING ON LABELS.<br>", "appearing on labels. BLOWN IN GLASS<br>"),
        ("APPEARING ON LABELS.<br>", "APPEARING ON LABELS. NET 750 ML \u00e9<br>"),
        ("APPEARING ON LABELS.<br>", "APPEARING ON LABEL\u017f.<br>"),
        # the TTB ID in other decimal digits (read) and with a digit that is not decimal (refused)
        ('<div class="data">20099001000399</div>', '<div class="data">\uff12\uff10099001000399</div>'),
        ('<div class="data">20099001000399</div>', '<div class="data">2009900100039\u00b2</div>'),
        # a state of two letters that are not ASCII, and of one letter
        ("              \t\t\t\tDE \n", "              \t\t\t\t\u00d6R \n"),
        ("              \t\t\t\tDE \n", "              \t\t\t\tD \n"),
        # dates that do not read, then read again from the cache
        ("04/08/2020", "4/8/2020"),
        ("04/20/2020", "04/31/2020"),
    ],
)
def test_edited_forms(old: str, new: str) -> None:
    assert REAL.count(old) >= 1, old
    page = REAL.replace(old, new)
    assert_same(page)
    assert_same(page.encode("iso-8859-1", errors="xmlcharrefreplace"))


def test_simulated_forms() -> None:
    from ttb_cola_sim.registry import Registry
    from ttb_cola_sim.render import form_page

    registry = Registry(seed=11, as_of=date(2026, 1, 1))
    day, checked = date(2023, 5, 1), 0
    while checked < 200:
        for record in islice(registry.records(day, day, ["001", "002"]), 20):
            raw = registry.raw(record["ttb_id"])
            assert raw is not None
            assert_same(form_page(raw))
            checked += 1
        day += timedelta(days=3)
