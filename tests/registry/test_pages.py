"""The page classifier against every real page, cut pages, junk and synthetic blocking pages.

The worst bug is calling something "not found" that is not the complete real error page, so most
of these tests try to make the classifier say NOT_FOUND when it must not.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ttb_cola.registry.pages import PageKind, classify

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOT_FOUND_FILE = FIXTURES / "notfound_99999999999999.html"
UNABLE = "Unable to process request"

EXPECTED = {
    "detail_": PageKind.DETAIL,
    "form_": PageKind.FORM,
    "notfound_": PageKind.NOT_FOUND,
    "search_form_error_": PageKind.ERROR,
    "search_results_noresults": PageKind.NO_RESULTS,
    "search_results_old_potrero": PageKind.SEARCH_RESULTS,
}
HTML_FIXTURES = sorted(FIXTURES.glob("*.html"))


def _expected(path: Path) -> PageKind:
    kinds = [kind for prefix, kind in EXPECTED.items() if path.name.startswith(prefix)]
    assert len(kinds) == 1, f"no expected kind for fixture {path.name}"
    return kinds[0]


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _not_found_text() -> str:
    return NOT_FOUND_FILE.read_bytes().decode("iso-8859-1")


def test_every_fixture_kind_is_known() -> None:
    assert len(HTML_FIXTURES) == 28
    seen = {_expected(path) for path in HTML_FIXTURES}
    assert seen == set(EXPECTED.values())


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=lambda p: p.name)
def test_real_page_kind(path: Path) -> None:
    body = path.read_bytes()
    assert classify(body) == _expected(path)
    assert classify(body, 200) == _expected(path)
    assert classify(body.decode("iso-8859-1")) == _expected(path)


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("status", [500, 502, 503, 504, 404, 403, 429, 302])
def test_real_page_with_error_status_is_unknown(path: Path, status: int) -> None:
    assert classify(path.read_bytes(), status) == PageKind.UNKNOWN


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=lambda p: p.name)
def test_real_page_with_crlf_line_endings_keeps_its_kind(path: Path) -> None:
    text = path.read_bytes().decode("iso-8859-1").replace("\r\n", "\n").replace("\n", "\r\n")
    assert classify(text) == _expected(path)


def _cut_points(text: str) -> list[int]:
    end = len(text.rstrip())
    points = {1, 100, len(text) // 10, len(text) // 3, len(text) // 2, 9 * len(text) // 10}
    points |= {end - 1, end - len("</html>"), end - len("</html>") + 3}
    for marker in ("</head>", "<body", "</table>", "<!--end footer table-->", "</body>"):
        at = text.find(marker)
        if at >= 0:
            points |= {at, at + len(marker)}
    return sorted(p for p in points if 0 < p < end)


CUT_FILES = [
    "notfound_99999999999999.html",
    "detail_24011001000462.html",
    "detail_20124001000063.html",
    "form_24011001000462.html",
    "form_20124001000063.html",
    "search_results_old_potrero_page1.html",
    "search_results_noresults.html",
    "search_form_error_daterange15y.html",
]


@pytest.mark.parametrize("name", CUT_FILES)
def test_truncated_real_page_is_unknown(name: str) -> None:
    text = _read(name).decode("iso-8859-1")
    for cut in _cut_points(text):
        assert classify(text[:cut]) == PageKind.UNKNOWN, f"{name} cut at {cut}"
        assert classify(text[:cut].encode("iso-8859-1")) == PageKind.UNKNOWN, f"{name} cut at {cut}"


def test_not_found_cut_right_after_the_message_is_unknown() -> None:
    text = _not_found_text()
    at = text.index(UNABLE)
    for cut in (at, at + len(UNABLE), at + len(UNABLE) + 1, text.index("</ul>", at) + len("</ul>")):
        assert classify(text[:cut]) == PageKind.UNKNOWN
        assert classify(text[:cut], 200) == PageKind.UNKNOWN


def test_not_found_cut_then_closed_by_someone_else_is_not_not_found() -> None:
    """A proxy or a buggy reader could cut the page and close the document itself."""
    text = _not_found_text()
    at = text.index(UNABLE)
    for cut in (at + len(UNABLE), text.index("</ul>", at) + len("</ul>"), text.index("<!--begin footer")):
        patched = text[:cut] + "\n</body>\n</html>\n"
        assert classify(patched) != PageKind.NOT_FOUND


def test_not_found_trailing_whitespace_does_not_matter() -> None:
    text = _not_found_text()
    assert classify(text.rstrip()) == PageKind.NOT_FOUND
    assert classify(text.rstrip() + "\r\n") == PageKind.NOT_FOUND


def test_not_found_requires_status_200() -> None:
    body = NOT_FOUND_FILE.read_bytes()
    assert classify(body, 200) == PageKind.NOT_FOUND
    for status in (500, 503, 404, 400, 204, 301):
        assert classify(body, status) == PageKind.UNKNOWN


def test_doubled_not_found_page_is_not_not_found() -> None:
    text = _not_found_text()
    assert classify(text + text) != PageKind.NOT_FOUND


def test_error_page_with_another_message_is_error() -> None:
    text = _not_found_text()
    start = text.index(UNABLE)
    end = text.index("</li>", start)
    other = text[:start] + "The system is temporarily unavailable." + text[end:]
    assert classify(other) == PageKind.ERROR


def test_error_page_with_a_second_message_is_error() -> None:
    text = _not_found_text()
    end = text.index("</li>", text.index(UNABLE)) + len("</li>")
    extra = text[:end] + "<li>Database connection lost.</li>" + text[end:]
    assert classify(extra) == PageKind.ERROR


def test_error_template_announcing_a_timeout_is_session_timeout() -> None:
    text = _not_found_text()
    start = text.index(UNABLE)
    end = text.index("</li>", start)
    timeout = text[:start] + "A session timeout has occurred. Please start a new search." + text[end:]
    assert classify(timeout) == PageKind.SESSION_TIMEOUT


def test_detail_page_quoting_a_blocking_phrase_stays_detail() -> None:
    text = _read("detail_24011001000462.html").decode("iso-8859-1")
    assert "Application Detail" in text
    brand_at = text.index("<strong>TTB ID: </strong>")
    quoted = text[:brand_at] + "WHAT CODE IS IN THE IMAGE? A TIMEOUT HAS OCCURRED " + text[brand_at:]
    assert classify(quoted) == PageKind.DETAIL


@pytest.mark.parametrize("body", [b"", "", b"   \n\t", b"\r\n\r\n", "\n"])
def test_empty_body_is_unknown(body: bytes | str) -> None:
    assert classify(body) == PageKind.UNKNOWN


def test_binary_junk_is_unknown() -> None:
    rng = random.Random(20260921)
    for size in (1, 7, 512, 4096, 65536):
        junk = bytes(rng.randrange(256) for _ in range(size))
        assert classify(junk) == PageKind.UNKNOWN
    gzip_start = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(256))
    assert classify(gzip_start) == PageKind.UNKNOWN
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    assert classify(png) == PageKind.UNKNOWN


def test_arbitrary_html_is_unknown() -> None:
    assert classify("<html><body><p>Hello</p></body></html>") == PageKind.UNKNOWN
    assert classify("<!DOCTYPE html><html><head><title>Error</title></head></html>") == PageKind.UNKNOWN
    assert classify('{"error": "Unable to process request"}') == PageKind.UNKNOWN
    assert classify("Unable to process request.</html>") == PageKind.UNKNOWN


MAINTENANCE = """<!DOCTYPE html>
<html>
<head><title>TTB Online - Scheduled Maintenance</title></head>
<body>
<h1>Error</h1>
<p>COLAs Online is unavailable due to scheduled maintenance. Unable to process request at this time.</p>
<p>Please try again later.</p>
</body>
</html>
"""


@pytest.mark.parametrize("status", [200, 503])
def test_maintenance_page_is_unknown(status: int) -> None:
    assert classify(MAINTENANCE, status) == PageKind.UNKNOWN
    assert classify(MAINTENANCE.encode("iso-8859-1"), status) == PageKind.UNKNOWN


def test_plain_search_form_is_the_search_form() -> None:
    """The blank search form (the real page without its error box) starts a search session; only the
    form re-shown with an error box is ERROR, and a cut one is UNKNOWN."""
    text = _read("search_form_error_daterange15y.html").decode("iso-8859-1")
    start = text.index('<div class="errorbox">')
    end = text.index("</div></div>", start) + len("</div></div>")
    blank = text[:start] + text[end:]
    assert classify(blank) == PageKind.SEARCH_FORM
    assert classify(blank[: len(blank) // 2]) == PageKind.UNKNOWN


# A synthetic challenge page in the shape of the F5 "support ID" pages that front the registry.
CAPTCHA = """<html>
<head><title>Request Rejected</title></head>
<body>
<p>This question is for testing whether you are a human visitor and to prevent automated spam
submission.</p>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="captcha">
<p>What code is in the image?</p>
<input type="text" name="answer"><input type="submit" value="Submit">
<p>Your support ID is: 1234567890123456789</p>
</body>
</html>
"""


@pytest.mark.parametrize("status", [200, 403, 503])
def test_captcha_page(status: int) -> None:
    assert classify(CAPTCHA, status) == PageKind.CAPTCHA
    assert classify(CAPTCHA.encode("iso-8859-1"), status) == PageKind.CAPTCHA


def test_captcha_recognised_by_either_phrase_and_when_cut() -> None:
    assert classify("<html><body>What code is in the image?</body></html>") == PageKind.CAPTCHA
    assert classify("<html><body>Your support ID is: 42</body></html>") == PageKind.CAPTCHA
    assert classify(CAPTCHA[: CAPTCHA.index("<input")]) == PageKind.CAPTCHA


SESSION_TIMEOUT = """<html>
<head><title>TTB Online - COLAs Online - Session Timeout</title></head>
<body>
<h1>Session Timeout</h1>
<p>A session timeout has occurred. Please return to the search page and search again.</p>
<a href="publicSearchColasBasic.do">Search Public COLA Registry</a>
</body>
</html>
"""


@pytest.mark.parametrize("status", [200, 500])
def test_session_timeout_page(status: int) -> None:
    assert classify(SESSION_TIMEOUT, status) == PageKind.SESSION_TIMEOUT
    assert classify(SESSION_TIMEOUT.encode("iso-8859-1"), status) == PageKind.SESSION_TIMEOUT


def test_sessiontimeout_script_on_every_page_is_not_a_timeout() -> None:
    """Every registry page loads javascript/sessiontimeout.js; that alone must not count."""
    assert "sessiontimeout.js" in _not_found_text()
    assert classify(_not_found_text()) == PageKind.NOT_FOUND


def test_kind_values_are_the_cli_strings() -> None:
    assert [kind.value for kind in PageKind] == [
        "detail",
        "form",
        "not_found",
        "captcha",
        "session_timeout",
        "search_results",
        "no_results",
        "error",
        "search_form",
        "export",
        "unknown",
    ]
    assert PageKind("not_found") is PageKind.NOT_FOUND


def test_the_real_csv_export_is_an_export_and_only_with_status_200() -> None:
    body = (FIXTURES / "export_quilceda_leonetti_20260921.csv").read_bytes()
    assert classify(body) is PageKind.EXPORT
    assert classify(b"\xef\xbb\xbf" + body) is not PageKind.NOT_FOUND
    assert classify(body, 500) is PageKind.UNKNOWN
    assert classify(body.replace(b"Class/Type Desc", b"Class Desc", 1)) is PageKind.UNKNOWN
    assert classify(b"TTB ID,Permit No.\n") is PageKind.UNKNOWN


_NOT_FOUND = _not_found_text()
_CONTENT_END = len(_NOT_FOUND.rstrip())


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=_CONTENT_END - 1))
def test_no_prefix_of_the_not_found_page_is_not_found(cut: int) -> None:
    """Every prefix that stops before the final ``</html>`` is complete is never NOT_FOUND.

    (Prefixes that only drop trailing whitespace after ``</html>`` are the whole page.)
    """
    assert classify(_NOT_FOUND[:cut]) != PageKind.NOT_FOUND
    assert classify(_NOT_FOUND[:cut].encode("iso-8859-1")) != PageKind.NOT_FOUND


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=_CONTENT_END - 1), st.sampled_from(["</html>", "</body></html>"]))
def test_no_prefix_closed_by_hand_is_not_found(cut: int, closing: str) -> None:
    """Even with closing tags stuck on, a prefix cut before the footer is never NOT_FOUND."""
    if cut >= _NOT_FOUND.index("<!--end footer table-->") + len("<!--end footer table-->"):
        return
    assert classify(_NOT_FOUND[:cut] + closing) != PageKind.NOT_FOUND
