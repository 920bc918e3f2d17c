"""The search results parser against the real "Old Potrero" results page and the no-results page.

Expected values were typed in from reading the page source (entities decoded by hand).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.search import parse_form_date, parse_search_results

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGE = FIXTURES / "search_results_old_potrero_page1.html"
NO_RESULTS = FIXTURES / "search_results_noresults.html"
FORM = FIXTURES / "search_form_error_daterange15y.html"

KEYS = (
    "ttb_id",
    "permit_number",
    "serial_number",
    "completed_date",
    "fanciful_name",
    "brand_name",
    "origin_code",
    "origin_description",
    "class_type_code",
    "class_type_description",
)
DESSERT = "DESSERT /PORT/SHERRY/(COOKING) WINE"
CA = ("01", "CALIFORNIA")
EXPECTED_ROWS = [
    (
        "12172001000006",
        "BWN-CA-16509",
        "12OP11",
        "2012-07-12",
        "OLD POTRERO",
        "FIELD RECORDINGS",
        *CA,
        "88",
        DESSERT,
    ),
    (
        "17073001000933",
        "DSP-CA-15105",
        "17020A",
        "2017-04-13",
        "TRADITIONAL",
        "OLD POTRERO",
        *CA,
        "641",
        "WHISKY SPECIALTIES",
    ),
    (
        "17073001000962",
        "DSP-CA-15105",
        "17021A",
        "2017-04-13",
        "TRADITIONAL",
        "OLD POTRERO",
        *CA,
        "641",
        "WHISKY SPECIALTIES",
    ),
    (
        "17093001000512",
        "DSP-CA-15105",
        "17030A",
        "2017-04-13",
        "TRADITIONAL",
        "OLD POTRERO",
        *CA,
        "641",
        "WHISKY SPECIALTIES",
    ),
    (
        "17135001000218",
        "BR-CA-GOL-15001",
        "170317",
        "2017-05-24",
        "OLD POTRERO BARREL AGED",
        "ANCHOR BREWING COMPANY",
        *CA,
        "904",
        "STOUT",
    ),
    (
        "18162001000740",
        "DSP-CA-15105",
        "18031A",
        "2018-08-01",
        "18TH CENTURY",
        "OLD POTRERO",
        *CA,
        "142",
        "RYE WHISKY",
    ),
    (
        "18162001000784",
        "DSP-CA-15105",
        "18035A",
        "2018-08-15",
        "STRAIGHT",
        "OLD POTRERO",
        *CA,
        "102",
        "STRAIGHT RYE WHISKY",
    ),
    (
        "18226001000914",
        "DSP-CA-15105",
        "18031A",
        "2018-08-21",
        "18TH CENTURY",
        "OLD POTRERO",
        *CA,
        "142",
        "RYE WHISKY",
    ),
    (
        "18275001000990",
        "DSP-CA-15105",
        "18065A",
        "2018-10-18",
        "HOTALING'S",
        "OLD POTRERO",
        *CA,
        "140",
        "WHISKY",
    ),
    (
        "18275001000995",
        "DSP-CA-15105",
        "18066A",
        "2018-10-18",
        "PORT CASK",
        "OLD POTRERO",
        *CA,
        "641",
        "WHISKY SPECIALTIES",
    ),
    (
        "18291001000797",
        "DSP-CA-15105",
        "18067A",
        "2018-10-27",
        "HOTALING'S",
        "OLD POTRERO",
        *CA,
        "149",
        "OTHER WHISKY (FLAVORED)",
    ),
    (
        "19043001001429",
        "BWN-CA-16509",
        "19OPZ1",
        "2019-02-27",
        "OLD POTRERO",
        "FIELD RECORDINGS.",
        *CA,
        "88",
        DESSERT,
    ),
    (
        "21106001000944",
        "DSP-CA-267",
        "210010",
        "2021-05-19",
        None,
        "OLD POTRERO",
        *CA,
        "109",
        "OTHER STRAIGHT WHISKY",
    ),
    (
        "21132001000620",
        "DSP-CA-267",
        "210027",
        "2021-05-14",
        "6 YO",
        "OLD POTRERO",
        *CA,
        "102",
        "STRAIGHT RYE WHISKY",
    ),
    (
        "21173001000999",
        "DSP-CA-267",
        "210034",
        "2021-06-24",
        None,
        "OLD POTRERO",
        *CA,
        "102",
        "STRAIGHT RYE WHISKY",
    ),
    (
        "22145001000780",
        "DSP-CA-267",
        "220016",
        "2022-05-26",
        "SINGLE BARREL RESERVE",
        "OLD POTRERO",
        *CA,
        "102",
        "STRAIGHT RYE WHISKY",
    ),
    (
        "22145001000786",
        "DSP-CA-267",
        "220017",
        "2022-05-26",
        "SINGLE BARREL RESERVE PORT FINISH",
        "OLD POTRERO",
        *CA,
        "102",
        "STRAIGHT RYE WHISKY",
    ),
    (
        "22145001000792",
        "DSP-CA-267",
        "220018",
        "2022-05-26",
        "SINGLE BARREL RESERVE SHERRY FINISH",
        "OLD POTRERO",
        *CA,
        "102",
        "STRAIGHT RYE WHISKY",
    ),
    (
        "23080001000820",
        "DSP-CA-267",
        "230004",
        "2023-03-29",
        "TOASTED BARREL",
        "OLD POTRERO",
        *CA,
        "142",
        "RYE WHISKY",
    ),
    (
        "23117001000590",
        "DSP-CA-15097",
        "230021",
        "2023-05-01",
        "6 YEARS OLD",
        "OLD POTRERO",
        *CA,
        "102",
        "STRAIGHT RYE WHISKY",
    ),
]


def _page() -> str:
    return PAGE.read_bytes().decode("iso-8859-1")


def test_counter_and_next_link() -> None:
    result = parse_search_results(PAGE.read_bytes())
    assert result["first"] == 1
    assert result["last"] == 20
    assert result["total"] == 28
    assert result["next_url"] == "publicPageBasicCola.do?action=page&pgfcn=nextset"
    assert set(result) == {"rows", "first", "last", "total", "next_url"}


def test_every_row_value() -> None:
    rows = parse_search_results(PAGE.read_bytes())["rows"]
    assert len(rows) == 20
    for row, expected in zip(rows, EXPECTED_ROWS, strict=True):
        assert tuple(row) == KEYS
        assert row == dict(zip(KEYS, expected, strict=True))


def test_text_input_gives_the_same_result() -> None:
    assert parse_search_results(_page()) == parse_search_results(PAGE.read_bytes())


def test_no_results_page() -> None:
    assert parse_search_results(NO_RESULTS.read_bytes()) == {
        "rows": [],
        "first": 0,
        "last": 0,
        "total": 0,
        "next_url": None,
    }


def test_last_page_has_no_next_url() -> None:
    """A last page (rows 21-28 of 28) must not send the crawler round the re-served last page."""
    text = _page()
    tbody_rows = text.split('<tr class="')
    # Keep the header part and the first 8 data rows, then the rest of the page after the table.
    table_end = text.index("</table>", text.index("23117001000590"))
    kept = '<tr class="'.join(tbody_rows[:9])
    kept = kept[: kept.rindex("</tr>") + len("</tr>")] + "\n          " + text[table_end:]
    kept = kept.replace(
        "1 to 20 of 28 (Total Matching Records: 28)", "21 to 28 of 28 (Total Matching Records: 28)"
    )
    kept = kept.replace("<a href='publicPageBasicCola.do?action=page&pgfcn=nextset'>Next &gt;</a>", "")
    result = parse_search_results(kept)
    assert (result["first"], result["last"], result["total"]) == (21, 28, 28)
    assert len(result["rows"]) == 8
    assert result["next_url"] is None


def test_entities_are_decoded_once() -> None:
    text = _page().replace(
        '<td width="82">TRADITIONAL</td>', '<td width="82">A &amp; B &amp;amp;GT&#x2f;&nbsp;&nbsp;C </td>', 1
    )
    rows = parse_search_results(text)["rows"]
    assert rows[1]["fanciful_name"] == "A & B &amp;GT/ C"


def test_row_count_must_match_counter() -> None:
    text = _page().replace(
        "1 to 20 of 28 (Total Matching Records: 28)", "1 to 19 of 28 (Total Matching Records: 28)"
    )
    with pytest.raises(ParseError, match="counter says"):
        parse_search_results(text)


def test_changed_columns_fail_loudly() -> None:
    text = _page().replace(">Origin Desc</a>", ">Origin Description</a>")
    with pytest.raises(ParseError, match="columns changed"):
        parse_search_results(text)


def test_bad_date_fails() -> None:
    text = _page().replace("07&#x2f;12&#x2f;2012", "13&#x2f;45&#x2f;2012")
    with pytest.raises(ParseError, match="12172001000006"):
        parse_search_results(text)


@pytest.mark.parametrize(
    "name",
    [
        "detail_24011001000462.html",
        "form_24011001000462.html",
        "notfound_99999999999999.html",
        "search_form_error_daterange15y.html",
    ],
)
def test_other_pages_raise(name: str) -> None:
    with pytest.raises(ParseError):
        parse_search_results((FIXTURES / name).read_bytes())


def test_truncated_page_raises() -> None:
    text = _page()
    with pytest.raises(ParseError):
        parse_search_results(text[: text.index("18275001000990")])
    with pytest.raises(ParseError):
        parse_search_results(text[: text.index("Search Results: COLAs") + 5])


def test_the_search_form_carries_the_registrys_date() -> None:
    # the real form: "Date Completed (To)" pre-filled with 09/29/2026 (the capture's date, SOURCES.md)
    assert parse_form_date(FORM.read_bytes()) == date(2026, 9, 29)


@pytest.mark.parametrize("body", [
    NO_RESULTS.read_bytes(),
    FORM.read_bytes().replace(b'value="09/29/2026"', b'value=""'),
    FORM.read_bytes().replace(b'value="09/29/2026"', b'value="9/31/2026"'),
])
def test_no_date_when_the_page_has_none(body: bytes) -> None:
    assert parse_form_date(body) is None
