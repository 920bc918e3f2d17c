"""The classifier and parsers on mutated real pages never raise: a parse or ``unknown``."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.export import parse_export
from ttb_cola.registry.pages import PageKind, classify
from ttb_cola.runs.parse import parse_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = sorted(p for p in FIXTURES.glob("*.html"))
EXPORTS = sorted(FIXTURES.glob("*.csv"))
BODIES = {p.name: p.read_bytes() for p in PAGES}
KINDS = {str(k) for k in PageKind}
COUNTS: Counter[str] = Counter()
# Fragments that matter to the classifier and parsers: markers, cells, entities, line ends, closers.
FRAGMENTS = [
    b"</td>", b"<td>", b"<tr>", b"</tr>", b"</table>", b"<strong>TTB ID: </strong>", b"&nbsp;", b"&amp;", b"&#",
    b"&#x110000;", b"\r\n", b"\n", b"\x00", b"\xff\xfe", b"</html>", b"</body>", b"<html>", b"<!--", b"-->",
    b"Unable to process request", b"What code is in the image?", b"timeout has occurred", b'<div class="label">',
    b'<div class="data">', b"13/45/2024", b"99/99/9999", b"Status:", b"APPROVED", b"\xe9", b"<script>", b"'",
]


@st.composite
def mutated(draw: st.DrawFn, bodies: dict[str, bytes]) -> tuple[str, bytes]:
    """A real page with 1-6 edits: cut, delete or duplicate a span, insert a fragment or random bytes, flip a byte."""
    name = draw(st.sampled_from(sorted(bodies)))
    body = bytearray(bodies[name])
    for _ in range(draw(st.integers(1, 6))):
        if not body:
            break
        op = draw(st.sampled_from(["cut", "delete", "duplicate", "insert", "random", "flip"]))
        at = draw(st.integers(0, len(body) - 1))
        span = draw(st.integers(1, 400))
        if op == "cut":
            del body[at:]
        elif op == "delete":
            del body[at:at + span]
        elif op == "duplicate":
            body[at:at] = body[at:at + span]
        elif op == "insert":
            body[at:at] = draw(st.sampled_from(FRAGMENTS))
        elif op == "random":
            body[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            body[at] ^= draw(st.integers(1, 255))
    return name, bytes(body)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(BODIES), st.sampled_from([200, 200, 200, 404, 500, 503]))
def test_classify_never_raises_and_never_calls_a_mutated_page_not_found(case: tuple[str, bytes], status: int) -> None:
    name, body = case
    kind = classify(body, status)
    assert kind in PageKind
    if status != 200 or not name.startswith("notfound"):
        # "not found" is the one verdict that loses data; a damaged detail, form or search page never gets it.
        assert kind is not PageKind.NOT_FOUND or (status == 200 and b"Unable to process request" in body)
    COUNTS[f"classify:{kind}"] += 1


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(BODIES))
def test_parse_file_gives_a_parse_or_unknown(case: tuple[str, bytes]) -> None:
    """What `ttb-cola parse` does with each page: a kind and a record (or None), never an exception."""
    _, body = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_bytes(body)
        result = parse_file(path)
    assert result["kind"] in KINDS
    assert result["record"] is None or isinstance(result["record"], dict)
    if result["kind"] in ("detail", "form"):
        assert result["record"] is not None and "ttb_id" in result["record"]
    if result["kind"] == "unknown":
        assert result["record"] is None
    json.dumps(result, ensure_ascii=False)  # printable as the CLI's JSON line
    COUNTS[f"parse:{result['kind']}"] += 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated({p.name: p.read_bytes() for p in EXPORTS}))
def test_export_parser_gives_records_and_quarantine_or_a_parse_error(case: tuple[str, bytes]) -> None:
    _, body = case
    try:
        records, quarantined = parse_export(body)
    except ParseError:
        return
    assert isinstance(records, list) and isinstance(quarantined, list)
    assert all(isinstance(r, dict) for r in records)


def test_fuzzing_reached_real_parses() -> None:
    """The mutations leave many pages parseable, so the parsers themselves were exercised (counted over
    the fuzz run of the test above, or over one of its own when that test did not run first)."""
    if not any(key.startswith("parse:") for key in COUNTS):
        test_parse_file_gives_a_parse_or_unknown()
    assert COUNTS["parse:detail"] + COUNTS["parse:form"] > 20, COUNTS
