"""The detail-page parser against every real detail page in tests/fixtures.

Expected values were typed in from reading each page's HTML, not copied from parser output. Pages
with features no capture has (other permits, an email, several application types, 9-digit zips)
are tested on real pages edited in one place, marked "derived".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ttb_cola.parsers.detail import parse_detail
from ttb_cola.parsers.errors import ParseError

FIXTURES = Path(__file__).parents[1] / "fixtures"

# On every page; served with two spaces after "background." (collapsed to one here).
NOT_REVIEWED = (
    "TTB has not reviewed this label for type size, characters per inch or contrasting background. "
    "The responsible industry member must continue to ensure that the mandatory information on the "
    "actual labels is displayed in the correct type size, number of characters per inch, and on a "
    "contrasting background in accordance with the TTB labeling regulations, 27 CFR parts 4, 5, 7, "
    "and 16, as applicable."
)
LABEL_APPROVAL = ["LABEL APPROVAL"]


def _page(ttb_id: str) -> bytes:
    return (FIXTURES / f"detail_{ttb_id}.html").read_bytes()


EXPECTED: dict[str, dict[str, Any]] = {
    "19362001000052": {
        "ttb_id": "19362001000052",
        "status": "APPROVED",
        "vendor_code": "39363",
        "serial_number": "191228",
        "class_type_description": "GIN SPECIALTIES",
        "origin_description": "ILLINOIS",
        "brand_name": "SKE?TIC",  # the '?' is literal in the capture
        "fanciful_name": "GINQUILA REPOSADO",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": "1342163",
        "approval_date": "2020-02-04",
        "qualifications": NOT_REVIEWED,
        "permit_number": "DSP-IL-20044",
        "company_name": "Skeptic Distillery CO.",
        "address_street": "2525 W LE MOYNE ST",
        "address_city": "Melrose Park",
        "address_state": "IL",
        "address_zip": "60160",
        "other_permits": [],
        "contact_name": "Karl Loepke",
        "phone": "(773) 910-1339",
        "email": None,
    },
    "19363001000082": {
        "ttb_id": "19363001000082",
        "status": "APPROVED",
        "vendor_code": "40873",
        "serial_number": "190029",
        "class_type_description": "HONEY BASED TABLE WINE",
        "origin_description": "WASHINGTON",
        "brand_name": "MR. B'S MEADERY",  # served as &#39;
        "fanciful_name": "GINGER CARDAMOM",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": "N/A",
        "wine_vintage": None,
        "formula": "1338433",
        "approval_date": "2020-01-12",
        "qualifications": NOT_REVIEWED,
        "permit_number": "BWN-WA-21464",
        "company_name": "Mr. B's Mead LLC",  # served as &#x27;
        "address_street": "2000 AIRPORT WAY S UNIT 3",
        "address_city": "Seattle",
        "address_state": "WA",
        "address_zip": "98134",
        "other_permits": [],
        "contact_name": "Brandon Eller",
        "phone": "(206) 355-4067",
        "email": None,
    },
    "20014001001179": {
        "ttb_id": "20014001001179",
        "status": "APPROVED",
        "vendor_code": "36473",
        "serial_number": "20PQRE",
        "class_type_description": "TABLE RED WINE",
        "origin_description": "FRANCE",
        "brand_name": "WHAT THE PHOQUE",
        "fanciful_name": "CABERNET SAUVIGNON",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": "100% CABERNET SAUVIGNON",
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2020-01-15",
        "qualifications": NOT_REVIEWED,
        "permit_number": "NY-I-21382",
        "company_name": "AJS Imports Inc",
        "address_street": "67 WEST ST STE 401 UNT.41",
        "address_city": "Brooklyn",
        "address_state": "NY",
        "address_zip": "11222",
        "other_permits": [],
        "contact_name": "JOLANTA SZATYNSKI",
        "phone": "(718) 666-2668",
        "email": None,
    },
    "20023001000513": {
        "ttb_id": "20023001000513",
        "status": "APPROVED",
        "vendor_code": "16545",
        "serial_number": "200005",
        "class_type_description": "MALT BEVERAGES SPECIALITIES",
        "origin_description": "SWEDEN",
        "brand_name": "OMNIPOLLO",
        "fanciful_name": "WHISKY BARREL-AGED AON",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2020-02-07",
        "qualifications": "This COLA is conditioned upon compliance with TTB Ruling 2015-1\n" + NOT_REVIEWED,
        "permit_number": "NY-I-15367",
        "company_name": "TWELVE PERCENT LLC",
        "address_street": "560 S THIRD AVE",
        "address_city": "MT VERNON",
        "address_state": "NY",
        "address_zip": "10550",
        "other_permits": [],
        "contact_name": "BRIAN EWING",
        "phone": "(347) 804-8420",
        "email": None,
    },
    "20055001000188": {
        "ttb_id": "20055001000188",
        "status": "APPROVED",
        "vendor_code": "40301",
        "serial_number": "200111",
        "class_type_description": "TABLE WHITE WINE",
        "origin_description": "FRANCE",
        "brand_name": "DOMAINE RAMONET",
        "fanciful_name": "CHARDONNAY",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": "N/A",
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2020-02-27",
        "qualifications": NOT_REVIEWED,
        "permit_number": "NY-I-15590",
        "company_name": "INVOER EKKE LLC",
        "address_street": "20 PARADISE AVE",
        "address_city": "PIERMONT",
        "address_state": "NY",
        "address_zip": "10968",
        "other_permits": [],
        "contact_name": "Benjamin Royer",
        "phone": "(060) 935-2004",
        "email": None,
    },
    "20099001000399": {
        "ttb_id": "20099001000399",
        "status": "APPROVED",
        "vendor_code": "33878",
        "serial_number": "20N010",
        "class_type_description": "OTHER SPECIALTIES & PROPRIETARIES",  # a bare "&" on the page
        "origin_description": "MEXICO",
        "brand_name": "NETA",
        "fanciful_name": "TEQUILANA",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": "1330431",
        "approval_date": "2020-04-20",
        "qualifications": NOT_REVIEWED,
        "permit_number": "DE-I-15030",
        "company_name": "PM SPIRITS LLC",
        "address_street": "1220 N MARKET ST STE 806",
        "address_city": "WILMINGTON",
        "address_state": "DE",
        "address_zip": "19801",
        "other_permits": [],
        "contact_name": "Nicolas Palazzi",
        "phone": "(347) 689-4414",
        "email": None,
    },
    "20124001000063": {
        "ttb_id": "20124001000063",
        "status": "APPROVED",
        "vendor_code": "39392",
        "serial_number": "20CHSO",
        "class_type_description": "TABLE WHITE WINE",
        "origin_description": "CALIFORNIA",
        "brand_name": "NORTH COAST WINE CLUB",
        "fanciful_name": "CHARDONNAY OAKED SONOMA COAST CA.",  # two lines on the page
        "type_of_application": ["EXEMPTION"],
        "for_sale_in": "OH",
        "total_bottle_capacity": None,
        "grape_varietals": "Chardonnay",
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2020-05-05",
        "qualifications": NOT_REVIEWED,
        "permit_number": "BWN-OH-21195",
        "company_name": "NORTH COAST WINE CLUB, NORTH COAST WINE CLUB LLC",
        "address_street": "30700 BAINBRIDGE RD UNIT C",
        "address_city": "SOLON",
        "address_state": "OH",
        "address_zip": "44139",
        "other_permits": [],
        "contact_name": "David Sabo",
        "phone": "(216) 215-2586",
        "email": None,
    },
    "20268001000065": {
        "ttb_id": "20268001000065",
        "status": "APPROVED",
        "vendor_code": "14076",
        "serial_number": "200030",
        "class_type_description": "COCKTAILS UNDER 48 PROOF",
        "origin_description": "NEW YORK",
        "brand_name": "HAIBALL",
        "fanciful_name": "WHISKY SELTZER",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": "1362151",
        "approval_date": "2020-10-16",
        "qualifications": NOT_REVIEWED,
        "permit_number": "DSP-NY-15004",
        "company_name": "MAZZA CHAUTAUQUA CELLARS, ROBERT MAZZA, INC.",  # double space on the page
        "address_street": "8398 W ROUTE 20",
        "address_city": "WESTFIELD",
        "address_state": "NY",
        "address_zip": "14787",
        "other_permits": [],
        "contact_name": "MARIO MAZZA",
        "phone": "(814) 725-8695",
        "email": None,
    },
    "21132001000620": {
        "ttb_id": "21132001000620",
        "status": "APPROVED",
        "vendor_code": "21009",
        "serial_number": "210027",
        "class_type_description": "STRAIGHT RYE WHISKY",
        "origin_description": "CALIFORNIA",
        "brand_name": "OLD POTRERO",
        "fanciful_name": "6 YO",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2021-05-14",
        "qualifications": NOT_REVIEWED,
        "permit_number": "DSP-CA-267",
        "company_name": "Hotaling & Co., LLC",  # served as &amp;
        "address_street": "PIER 50, SHED B",  # a comma, but not the city line
        "address_city": "San Francisco",
        "address_state": "CA",
        "address_zip": "94158",
        "other_permits": [],
        "contact_name": "Contact Person",  # redacted by the fixture's author
        "phone": "(555) 555-0100",
        "email": None,
    },
    "23223001000234": {
        "ttb_id": "23223001000234",
        "status": "SURRENDERED",
        "vendor_code": "51317",
        "serial_number": "230805",
        "class_type_description": "STRAIGHT BOURBON WHISKY",
        "origin_description": "KENTUCKY",
        "brand_name": "WHISKEY THIEF",
        "fanciful_name": None,
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2023-08-15",
        "qualifications": NOT_REVIEWED,
        "permit_number": "DSP-KY-20002",
        "company_name": "Whiskey Thief Distilling Company, Whiskey Thief Distilling Company, Inc.",
        "address_street": "283 CRAB ORCHARD RD",
        "address_city": "Frankfort",
        "address_state": "KY",
        "address_zip": "40601",
        "other_permits": [],
        "contact_name": "Allison Motley Purcell",
        "phone": "(502) 609-2384",
        "email": None,
    },
    "24011001000462": {
        "ttb_id": "24011001000462",
        "status": "APPROVED",
        "vendor_code": "52913",
        "serial_number": "240003",
        "class_type_description": "SINGLE MALT SCOTCH WHISKY",
        "origin_description": "SCOTLAND",
        "brand_name": "LAPHROAIG",
        "fanciful_name": None,
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2024-01-11",
        "qualifications": NOT_REVIEWED,
        "permit_number": "IL-I-198",
        "company_name": "JIM BEAM BRANDS CO.",
        "address_street": "222 MERCHANDISE MART PLZ",
        "address_city": "CHICAGO",
        "address_state": "IL",
        "address_zip": "60654",
        "other_permits": [],
        "contact_name": "Contact Person",
        "phone": "(555) 555-0100",
        "email": None,
    },
    "24362001000403": {
        "ttb_id": "24362001000403",
        "status": "APPROVED",
        "vendor_code": "33972",
        "serial_number": "24GN24",
        "class_type_description": "BEER",
        "origin_description": "OREGON",
        "brand_name": "GINORMOUS IMPERIAL IPA",
        "fanciful_name": None,
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": None,
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2025-01-06",
        # &#x2f; &#x27; &#xd;&#xa; &#x3a; &quot; &#x25; &#x28; &#x29; all decoded, CR LF collapsed.
        "qualifications": "\n".join(
            [
                "It is the responsibility of the COLA holder to ensure that the appropriate authorization "
                "is obtained for the use of the person and/or organization depicted on the label. The "
                "authorization must be kept at the permittee's address and made available for review "
                "upon request.",
                "When new labels are printed, the alcohol content statement must be changed to one of "
                'the following: "Alc. ___% by Vol.."," Alc. by Vol.. __%", ___% Alc. by Vol.." or '
                '"___% Alc. / Vol". See 27 CFR 7.65(b)(3).',
                NOT_REVIEWED,
            ]
        ),
        "permit_number": "BR-OR-20000",
        "company_name": "Gigantic Brewing Company, Gigantic Brewing Company, LLC",
        "address_street": "5224 SE 26TH AVE",
        "address_city": "Portland",
        "address_state": "OR",
        "address_zip": "97202",
        "other_permits": [],
        "contact_name": "Benjamin Love",
        "phone": "(503) 805-3487",
        "email": None,
    },
    "25093001000084": {
        "ttb_id": "25093001000084",
        "status": "APPROVED",
        "vendor_code": "51562",
        "serial_number": "254178",
        "class_type_description": "SPARKLING WINE/CHAMPAGNE",
        "origin_description": "FRANCE",
        "brand_name": "GINGLINGER-FIX",
        "fanciful_name": "ROSE",
        "type_of_application": LABEL_APPROVAL,
        "for_sale_in": None,
        "total_bottle_capacity": None,
        "grape_varietals": "N/A",
        "wine_vintage": None,
        "formula": None,
        "approval_date": "2025-04-09",
        "qualifications": NOT_REVIEWED,
        "permit_number": "CA-I-23336",
        "company_name": "New Last Bottle, Inc.",
        "address_street": "255 LOMBARD RD STE B",
        "address_city": "American Canyon",
        "address_state": "CA",
        "address_zip": "94503",
        "other_permits": [],
        "contact_name": "Cristofer Van Treese",
        "phone": "(707) 251-8186",
        "email": None,
    },
}

for _expected in EXPECTED.values():  # every real page reads without a warning
    _expected["parse_warnings"] = []


def test_every_detail_fixture_has_expectations() -> None:
    on_disk = {path.stem.removeprefix("detail_") for path in FIXTURES.glob("detail_*.html")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("ttb_id", sorted(EXPECTED))
def test_real_page(ttb_id: str) -> None:
    assert parse_detail(_page(ttb_id)) == EXPECTED[ttb_id]


@pytest.mark.parametrize("ttb_id", sorted(EXPECTED))
def test_str_and_bytes_agree(ttb_id: str) -> None:
    body = _page(ttb_id)
    assert parse_detail(body.decode("iso-8859-1")) == parse_detail(body)


def test_field_names_are_the_contract() -> None:
    record = parse_detail(_page("21132001000620"))
    contract = {
        "ttb_id", "status", "vendor_code", "serial_number", "class_type_description",
        "origin_description", "brand_name", "fanciful_name", "type_of_application", "for_sale_in",
        "total_bottle_capacity", "grape_varietals", "wine_vintage", "formula", "approval_date",
        "qualifications", "permit_number", "company_name", "address_street", "address_city",
        "address_state", "address_zip", "other_permits", "contact_name", "phone", "email",
        "parse_warnings",
    }  # fmt: skip
    assert set(record) == contract


# --- not a detail page ---------------------------------------------------------------------------


def test_not_found_page_raises() -> None:
    body = (FIXTURES / "notfound_99999999999999.html").read_bytes()
    with pytest.raises(ParseError):
        parse_detail(body)


@pytest.mark.parametrize("name", ["form_21132001000620.html", "search_results_old_potrero_page1.html"])
def test_other_registry_pages_raise(name: str) -> None:
    with pytest.raises(ParseError):
        parse_detail((FIXTURES / name).read_bytes())


@pytest.mark.parametrize("body", [b"", "", "<html><body>hello</body></html>"])
def test_empty_or_unrelated_body_raises(body: bytes | str) -> None:
    with pytest.raises(ParseError):
        parse_detail(body)


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(ParseError, ValueError)


def test_blank_ttb_id_raises() -> None:
    """Derived: the real page with its TTB ID cell emptied."""
    body = _page("24011001000462").replace(b"\n                    24011001000462\n", b"\n", 1)
    with pytest.raises(ParseError, match="TTB ID"):
        parse_detail(body)


@pytest.mark.parametrize(
    ("bad", "warning"),
    [("13/45/2024", "month must be in 1..12"), ("01/11/24x", "not a MM/DD/YYYY date: '01/11/24x'"),
     ("2024-01-11", "not a MM/DD/YYYY date: '2024-01-11'")],
)  # fmt: skip
def test_bad_approval_date_is_null_with_a_warning(bad: str, warning: str) -> None:
    """Derived: the real page with its approval date not a date; every other field is read."""
    body = _page("24011001000462").replace(b"01/11/2024", bad.encode(), 1)
    assert parse_detail(body) == {
        **EXPECTED["24011001000462"], "approval_date": None, "parse_warnings": [f"approval_date: {warning}"],
    }


# --- derived pages: features no capture shows ----------------------------------------------------

OTHER_HEADER = (
    b'Brewers No (Other) field in a new window"></a>\n                  </td>\n                </tr>\n'
)


def _plant_rows(*lines: str) -> bytes:
    """Rows laid out exactly like the principal plant block of the real pages."""
    rows = "".join(
        f'\n        <tr> \n            <td colspan="2">{line}</td>\n        </tr>\n' for line in lines
    )
    return rows.encode("iso-8859-1")


def test_other_permits() -> None:
    """Derived: two "(Other)" plants after the header, the second with no blank row before it."""
    page = _page("20055001000188")
    assert page.count(OTHER_HEADER) == 1
    extra = _plant_rows(
        "BWN-NY-12345",
        "SMITH &amp; SONS, INC.",
        "1 MAIN ST",
        "SUITE 2",
        "Hudson,&nbsp;NY&nbsp;12534-1234",
        "DSP-KY-99",
        "O&#39;Brien Spirits",
        "9 RIVER RD",
        "Bardstown,&nbsp;KY&nbsp;400041234",
    )
    record = parse_detail(page.replace(OTHER_HEADER, OTHER_HEADER + extra))
    assert record["other_permits"] == [
        {
            "permit_number": "BWN-NY-12345",
            "company_name": "SMITH & SONS, INC.",
            "address_street": "1 MAIN ST, SUITE 2",
            "address_city": "Hudson",
            "address_state": "NY",
            "address_zip": "12534-1234",
        },
        {
            "permit_number": "DSP-KY-99",
            "company_name": "O'Brien Spirits",
            "address_street": "9 RIVER RD",
            "address_city": "Bardstown",
            "address_state": "KY",
            "address_zip": "400041234",
        },
    ]
    # The principal plant and the contact are untouched.
    assert record["permit_number"] == "NY-I-15590"
    assert record["contact_name"] == "Benjamin Royer"


@pytest.mark.parametrize("zip_code", ["60160", "60160-1234", "601601234"])
def test_zip_five_or_nine_digits_kept_as_shown(zip_code: str) -> None:
    body = _page("19362001000052").replace(b"IL&nbsp;60160", b"IL&nbsp;" + zip_code.encode(), 1)
    record = parse_detail(body)
    assert (record["address_city"], record["address_state"], record["address_zip"]) == (
        "Melrose Park",
        "IL",
        zip_code,
    )


def test_blank_city_line_gives_none() -> None:
    body = _page("19362001000052").replace(b"Melrose Park,&nbsp;IL&nbsp;60160", b",&nbsp;&nbsp;", 1)
    record = parse_detail(body)
    assert record["address_street"] == "2525 W LE MOYNE ST"
    assert (record["address_city"], record["address_state"], record["address_zip"]) == (None, None, None)


def test_several_application_types() -> None:
    """Derived: no capture shows two types; one per line, <br> or comma is accepted."""
    body = _page("21132001000620").replace(
        b"LABEL APPROVAL\n",
        b"LABEL APPROVAL<br>DISTINCTIVE LIQUOR BOTTLE APPROVAL,\n RESUBMISSION AFTER REJECTION\n",
        1,
    )
    assert parse_detail(body)["type_of_application"] == [
        "LABEL APPROVAL",
        "DISTINCTIVE LIQUOR BOTTLE APPROVAL",
        "RESUBMISSION AFTER REJECTION",
    ]


def test_email_row() -> None:
    """Derived: the third contact row (blank on every capture) holding an address."""
    page = _page("20055001000188")
    blank_email_row = b'<td colspan="2">\n                   \n                   &nbsp;\n'
    assert page.count(blank_email_row) == 1
    body = page.replace(blank_email_row, blank_email_row + b"JANE.SMITH@EXAMPLE.COM\n")
    record = parse_detail(body)
    assert record["email"] == "JANE.SMITH@EXAMPLE.COM"
    assert record["contact_name"] == "Benjamin Royer"
    assert record["phone"] == "(060) 935-2004"


def test_crlf_inside_a_value() -> None:
    """The served 20124001000063 page very likely had CRLF in the two-line fanciful name."""
    body = _page("20124001000063").replace(b"OAKED\nSONOMA", b"OAKED\r\nSONOMA", 1)
    assert parse_detail(body)["fanciful_name"] == "CHARDONNAY OAKED SONOMA COAST CA."


def test_entities_are_decoded_once() -> None:
    """&amp;notes must give "&notes", not "¬es" (a second decode would read "&not")."""
    body = _page("20099001000399").replace(
        b"&nbsp;\n                    NETA\n", b"NETA &amp;notes &amp;amp;\n", 1
    )
    assert parse_detail(body)["brand_name"] == "NETA &notes &amp;"


def test_iso_8859_1_bytes() -> None:
    body = _page("25093001000084").replace(b"                    ROSE\n", b"                    ROS\xc9\n", 1)
    assert parse_detail(body)["fanciful_name"] == "ROS\u00c9"


def test_whole_page_parsed_when_markers_missing() -> None:
    """Derived: without the actionbox marker the parser falls back to the full page, same result."""
    body = _page("23223001000234").replace(b'<div class="actionbox">', b'<div class="action-box">')
    assert parse_detail(body) == EXPECTED["23223001000234"]
