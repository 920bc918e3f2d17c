"""Classify a registry response before any parser sees it.

Called on every response, so it works on substring checks of the decoded text and never builds a
DOM. The one verdict that can lose data is ``NOT_FOUND`` (the crawler records the ID as absent and
moves on), so it is only given to a complete page, served with HTTP 200, that is exactly the
registry's "Unable to process request" error page and nothing else; anything doubtful is
``UNKNOWN``, which the crawler retries.
"""

from __future__ import annotations

import enum
import re

from ttb_cola.text import decode


class PageKind(enum.StrEnum):
    """What a registry response is; the values are the ``kind`` strings of ``ttb-cola parse``."""

    DETAIL = "detail"
    FORM = "form"
    NOT_FOUND = "not_found"
    CAPTCHA = "captcha"
    SESSION_TIMEOUT = "session_timeout"
    SEARCH_RESULTS = "search_results"
    NO_RESULTS = "no_results"
    ERROR = "error"
    SEARCH_FORM = "search_form"
    EXPORT = "export"
    UNKNOWN = "unknown"


#: The blank basic-search form's path (a :attr:`PageKind.SEARCH_FORM` page): served to anyone, it starts a
#: search session, and the run's preflight and the page-fault check ask for it.
SEARCH_FORM_PATH = "publicSearchColasBasic.do"

# Blocking pages, matched case-insensitively anywhere (they are not registry templates).
_CAPTCHA_MARKERS = (
    "what code is in the image",
    "your support id is",
    "testing whether you are a human visitor",
)
_TIMEOUT_MARKERS = ("timeout has occurred",)

# Registry templates, matched exactly as the server writes them.
_DETAIL_MARKERS = (
    "<title>TTB Online - COLAs Online - Application Detail</title>",
    "<h1>COLA Detail</h1>",
    "<strong>TTB ID: </strong>",
)
_FORM_MARKERS = (
    "<title>OMB No. 1513-0020</title>",
    "APPLICATION FOR AND CERTIFICATION/EXEMPTION OF LABEL/BOTTLE APPROVAL",
    '<div class="label">TTB ID</div>',
)
_RESULTS_MARKERS = (
    "<h1>Search Results: COLAs</h1>",
    "Search Results</title>",
)
_NO_RESULTS_TEXT = "No results were found that match the search criteria specified."
_COUNTER = re.compile(r"\d+ to \d+ of \d+ \(Total Matching Records: \d+\)")
_SEARCH_FORM_MARKERS = (
    "<h1>Search for COLAs</h1>",
    'name="searchCriteriaForm"',
)
_ERROR_TITLE = "<title>TTB Online - COLAs Online - Error Message</title>"
_ERROR_H1 = "<h1>Error</h1>"
_ERROR_BOX = '<div class="errorbox">'
_ERROR_LIST = re.compile(r'<ul class="errorList">(.*?)</ul>', re.S)
_LIST_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_WS = re.compile(r"\s+")
_NOT_FOUND_MESSAGE = (
    "Unable to process request. If you continue having problems using the system, contact customer support."
)
_FOOTER_END = "<!--end footer table-->"
_EXPORT_HEADER = (
    "TTB ID,Permit No.,Serial Number,Completed Date,Fanciful Name,Brand Name,Origin,Origin Desc,Class/Type,"
    "Class/Type Desc"
)


def classify(body: bytes | str, status_code: int = 200) -> PageKind:
    """Say what kind of page a registry response is.

    Args:
        body: the response body, raw bytes (decoded as ISO-8859-1) or text.
        status_code: the HTTP status the page came with.

    Returns:
        The page kind; ``UNKNOWN`` for anything truncated, unexpected or served with a status other
        than 200 (except the blocking pages, recognised whatever the status).
    """
    text = decode(body)
    if not text.strip():
        return PageKind.UNKNOWN
    if status_code == 200 and text.lstrip("\ufeff").startswith(_EXPORT_HEADER):
        # A CSV export cannot show it is whole; the search reconciles its rows with the total.
        return PageKind.EXPORT
    complete = _is_complete(text)

    # Pages carrying registry data first, so a name quoting a blocking-page phrase cannot hide a record.
    if complete and status_code == 200:
        if _has_all(text, _DETAIL_MARKERS):
            return PageKind.DETAIL
        if _has_all(text, _FORM_MARKERS):
            return PageKind.FORM
        if _has_all(text, _RESULTS_MARKERS):
            if _NO_RESULTS_TEXT in text:
                return PageKind.NO_RESULTS
            if _COUNTER.search(text):
                return PageKind.SEARCH_RESULTS

    lowered = text.lower()
    if any(marker in lowered for marker in _CAPTCHA_MARKERS):
        return PageKind.CAPTCHA
    if any(marker in lowered for marker in _TIMEOUT_MARKERS):
        return PageKind.SESSION_TIMEOUT

    if not complete or status_code != 200:
        return PageKind.UNKNOWN
    if _has_all(text, _SEARCH_FORM_MARKERS):
        # The search form comes back with an error box when the criteria are rejected; without one
        # it is the blank form that starts a search session.
        return PageKind.ERROR if _ERROR_BOX in text else PageKind.SEARCH_FORM
    if _ERROR_TITLE in text and _ERROR_H1 in text and _ERROR_BOX in text:
        return PageKind.NOT_FOUND if _is_not_found(text) else PageKind.ERROR
    return PageKind.UNKNOWN


def _has_all(text: str, markers: tuple[str, ...]) -> bool:
    return all(marker in text for marker in markers)


def _is_complete(text: str) -> bool:
    """True when the page ends with its closing ``</html>`` (trailing whitespace aside)."""
    return text.rstrip()[-7:].lower() == "</html>"


def _is_not_found(text: str) -> bool:
    """True only for the registry's error page carrying the single "Unable to process request" message.

    Everything is checked that distinguishes it from a cut, doubled or different error page: one
    document, one error list with exactly that one message, the footer and body closed after it.
    """
    lowered = text.lower()
    if lowered.count("<html") != 1 or lowered.count("</html>") != 1 or lowered.count("</body>") != 1:
        return False
    lists = _ERROR_LIST.findall(text)
    if len(lists) != 1:
        return False
    items = [_WS.sub(" ", item).strip() for item in _LIST_ITEM.findall(lists[0])]
    if items != [_NOT_FOUND_MESSAGE]:
        return False
    if any(_has_all(text, markers) for markers in (_DETAIL_MARKERS, _FORM_MARKERS, _RESULTS_MARKERS)):
        return False
    message_at = text.find(_NOT_FOUND_MESSAGE.split(".")[0])
    footer_at = text.find(_FOOTER_END)
    return 0 <= message_at < footer_at < lowered.find("</body>")
