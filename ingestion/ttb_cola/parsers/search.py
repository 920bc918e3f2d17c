"""Parse a Basic Search results page (``publicSearchColasBasicProcess.do`` and its paging links), and
the registry's current date from the search form (``publicSearchColasBasic.do``).

The page holds up to 20 rows in a 10-column table, a counter "1 to 20 of 28 (Total Matching
Records: 28)" and, when there is a further page, a "Next >" link. Columns are found by their header
text, not their position, so a reordered table still parses and a changed one fails loudly.
"""

from __future__ import annotations

import re
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.tree import html_tree
from ttb_cola.text import decode, squash, us_date

# Header text of each results column -> row key (record field names of ttb_cola.records where they exist).
COLUMNS: dict[str, str] = {
    "TTB ID": "ttb_id",
    "Permit No.": "permit_number",
    "Serial Number": "serial_number",
    "Completed Date": "completed_date",
    "Fanciful Name": "fanciful_name",
    "Brand Name": "brand_name",
    "Origin": "origin_code",
    "Origin Desc": "origin_description",
    "Class/Type": "class_type_code",
    "Class/Type Desc": "class_type_description",
}

NO_RESULTS_TEXT = "No results were found that match the search criteria specified."
_COUNTER = re.compile(r"(\d+) to (\d+) of (\d+) \(Total Matching Records: (\d+)\)")
_TTB_ID = re.compile(r"^\d{14}$")


def parse_search_results(body: bytes | str) -> dict:
    """Read the rows, the counter and the next-page link of a search results page.

    Returns:
        ``{"rows": [...], "first": int, "last": int, "total": int, "next_url": str | None}``; each
        row has the keys of :data:`COLUMNS` (``completed_date`` ISO, blanks None). A "no results"
        page gives no rows and zeros. ``next_url`` is the page's own relative link, given only while
        rows remain (the server re-serves the last page when asked past the end).

    Raises:
        ParseError: the page is not a results page, or its table or counter do not add up.
    """
    text = decode(body)
    tree = html_tree(text)
    if not any(squash(h1.text()) == "Search Results: COLAs" for h1 in tree.css("h1")):
        raise ParseError("not a search results page (no 'Search Results: COLAs' heading)")
    counter = _counter(tree)
    if counter is None:
        body_text = squash(tree.body.text()) if tree.body is not None else None
        if body_text and NO_RESULTS_TEXT in body_text:
            return {"rows": [], "first": 0, "last": 0, "total": 0, "next_url": None}
        raise ParseError("no 'N to M of T (Total Matching Records: T)' counter and no 'No results' text")
    first, last, total = counter
    rows = _rows(tree)
    if len(rows) != last - first + 1:
        raise ParseError(f"counter says rows {first} to {last} but the table has {len(rows)}")
    return {
        "rows": rows,
        "first": first,
        "last": last,
        "total": total,
        "next_url": _next_url(tree, last, total),
    }


def _plain(node: LexborNode) -> str | None:
    """Cell text with whitespace collapsed (the DOM has already decoded entities once)."""
    return squash(node.text(deep=True))


def _counter(tree: LexborHTMLParser) -> tuple[int, int, int] | None:
    for node in tree.css("div.pagination"):
        match = _COUNTER.search(squash(node.text()) or "")
        if match:
            first, last, of_total, total = (int(g) for g in match.groups())
            if of_total != total or not (1 <= first <= last <= total):
                raise ParseError(f"inconsistent counter: {match.group(0)!r}")
            return first, last, total
    return None


def _rows(tree: LexborHTMLParser) -> list[dict]:
    header_row = next((th.parent for th in tree.css("th") if _plain(th) == "TTB ID"), None)
    if header_row is None or header_row.parent is None:
        raise ParseError("no results table (no 'TTB ID' column header)")
    names = [_plain(th) or "" for th in _children(header_row, "th")]
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in COLUMNS if name not in names]
    if unknown or missing:
        raise ParseError(f"results table columns changed: unknown {unknown}, missing {missing}")
    keys = [COLUMNS[name] for name in names]

    rows = []
    for tr in _children(header_row.parent, "tr"):
        cells = _children(tr, "td")
        if not cells:
            continue
        if len(cells) != len(keys):
            raise ParseError(f"results row with {len(cells)} cells, expected {len(keys)}")
        row = {key: _plain(cell) for key, cell in zip(keys, cells, strict=True)}
        if not row["ttb_id"] or not _TTB_ID.match(row["ttb_id"]):
            raise ParseError(f"results row with a bad TTB ID: {row['ttb_id']!r}")
        try:
            row["completed_date"] = us_date(row["completed_date"])
        except ValueError as exc:
            raise ParseError(f"row {row['ttb_id']}: {exc}") from exc
        rows.append(row)
    return rows


def _children(node: LexborNode, tag: str) -> list[LexborNode]:
    """Direct children with this tag (the results table sits inside layout tables)."""
    return [child for child in node.iter() if child.tag == tag]


def _next_url(tree: LexborHTMLParser, last: int, total: int) -> str | None:
    if last >= total:
        return None
    for link in tree.css("div.pagination a"):
        href = link.attributes.get("href") or ""
        if "pgfcn=nextset" in href:
            return href
    return None


def parse_form_date(body: bytes | str) -> date | None:
    """The registry's current date: the Basic Search form pre-fills "Date Completed (To)"
    (``searchCriteria.dateCompletedTo``) with it. None when the page has no such field or its value
    is not a MM/DD/YYYY date."""
    tree = html_tree(decode(body))
    field = tree.css_first('input[name="searchCriteria.dateCompletedTo"]')
    value = (field.attributes.get("value") or "") if field is not None else ""
    try:
        return date.fromisoformat(us_date(value) or "")
    except ValueError:
        return None
