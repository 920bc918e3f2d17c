"""The printable form parser against every real form in tests/fixtures.

Expected values were typed in from reading each HTML file (not from the parser's output). Fields the
form never prints (vendor code, origin description, vintage) and boxes blank on every captured form
come from ``BLANK``; each record lists everything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.form import parse_form

FIXTURES = Path(__file__).parents[1] / "fixtures"

BLANK: dict[str, Any] = {
    "vendor_code": None,
    "origin_description": None,
    "wine_vintage": None,
    "email": None,
    "expiration_date": None,
    "rep_id": None,
    "mailing_address": None,
    "container_info": None,
    "other_permits": [],
    "for_sale_in": None,
    "total_bottle_capacity": None,
    "previous_ttb_id": None,
    "status": "APPROVED",
    "type_of_application": ["LABEL APPROVAL"],
    "formula": None,
    "wine_appellation": None,
    "grape_varietals": "N/A",
    "dba_name": None,
    "parse_warnings": [],
    # items 12 and 13 of the edition before mid-2016 (tests/parsers/test_parse_form_contents.py)
    "net_contents": None,
    "alcohol_content": None,
    "net_contents_ml": None,
    "abv_percent": None,
}

TYPE_SIZE_QUALIFICATION = (
    "TTB has not reviewed this label for type size, characters per inch or contrasting background. "
    "The responsible industry member must continue to ensure that the mandatory information on the "
    "actual labels is displayed in the correct type size, number of characters per inch, and on a "
    "contrasting background in accordance with the TTB labeling regulations, 27 CFR parts 4, 5, 7, "
    "and 16, as applicable."
)
BRAND = "Brand (front) or keg collar"


def label(image_type: str, filename: str, width: float, height: float) -> dict[str, Any]:
    return {"image_type": image_type, "filename": filename, "width_in": width, "height_in": height}


EXPECTED: dict[str, dict[str, Any]] = {
    "19363001000082": {
        "serial_number": "190029",
        "class_type_code": "82M",
        "origin_code": "07",
        "class_type_description": "HONEY BASED TABLE WINE",
        "brand_name": "MR. B'S MEADERY",
        "fanciful_name": "GINGER CARDAMOM",
        "formula": "1338433",
        "permit_number": "BWN-WA-21464",
        "company_name": "Mr. B's Mead LLC",
        "address_street": "2000 AIRPORT WAY S UNIT 3",
        "address_city": "Seattle",
        "address_state": "WA",
        "address_zip": "98134",
        "dba_name": "MR. B'S MEAD LLC",
        "source_of_product": "Domestic",
        "type_of_product": "Wine",
        "phone": "(206) 355-4067",
        "contact_name": "Brandon Eller",
        "date_of_application": "2019-12-29",
        "date_issued": "2020-01-12",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        "label_images": [label(BRAND, "Ginger Cardamom.jpg", 5.0, 4.0)],
    },
    "20014001001179": {
        "serial_number": "20PQRE",
        "class_type_code": "80",
        "origin_code": "51",
        "class_type_description": "TABLE RED WINE",
        "brand_name": "WHAT THE PHOQUE",
        "fanciful_name": "CABERNET SAUVIGNON",
        "grape_varietals": "100% CABERNET SAUVIGNON",
        "wine_appellation": "VIN DE FRANCE",
        "permit_number": "NY-I-21382",
        "company_name": "AJS Imports Inc",
        "address_street": "67 WEST ST STE 401 UNT.41",
        "address_city": "Brooklyn",
        "address_state": "NY",
        "address_zip": "11222",
        "source_of_product": "Imported",
        "type_of_product": "Wine",
        "phone": "(718) 666-2668",
        "contact_name": "JOLANTA SZATYNSKI",
        "date_of_application": "2020-01-14",
        "date_issued": "2020-01-15",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        "label_images": [
            label(BRAND, "CE What the Phoque - VDF Cabernet Sauvignon - 2018 - front.JPG", 2.75, 2.75),
            label("Back", "ETQ What the Phoque - VDF Cabernet Sauvignon - 2018 - back.JPG", 4.33, 3.15),
        ],
    },
    "20023001000513": {
        "serial_number": "200005",
        "class_type_code": "956",
        "origin_code": "5B",
        "class_type_description": "MALT BEVERAGES SPECIALITIES",
        "brand_name": "OMNIPOLLO",
        "fanciful_name": "WHISKY BARREL-AGED AON",
        "permit_number": "NY-I-15367",
        "company_name": "TWELVE PERCENT LLC",
        "address_street": "560 S THIRD AVE",
        "address_city": "MT VERNON",
        "address_state": "NY",
        "address_zip": "10550",
        "source_of_product": "Imported",
        "type_of_product": "Malt Beverage",
        "phone": "(347) 804-8420",
        "contact_name": "BRIAN EWING",
        "date_of_application": "2020-01-23",
        "date_issued": "2020-02-07",
        "qualifications": "This COLA is conditioned upon compliance with TTB Ruling 2015-1\n"
        + TYPE_SIZE_QUALIFICATION,
        # the space before ".jpg" is in the registry's URL and must be kept to fetch the image
        "label_images": [label(BRAND, "Omni Whisky Barrel Aged Aon .jpg", 4.01, 4.01)],
    },
    "20055001000188": {
        "serial_number": "200111",
        "class_type_code": "81",
        "origin_code": "51",
        "class_type_description": "TABLE WHITE WINE",
        "brand_name": "DOMAINE RAMONET",
        "fanciful_name": "CHARDONNAY",
        "wine_appellation": "BOURGOGNE",
        "permit_number": "NY-I-15590",
        "company_name": "INVOER EKKE LLC",
        "address_street": "20 PARADISE AVE",
        "address_city": "PIERMONT",
        "address_state": "NY",
        "address_zip": "10968",
        "dba_name": "CANOPY WINE SELECTIONS",
        "source_of_product": "Imported",
        "type_of_product": "Wine",
        "phone": "(060) 935-2004",
        "contact_name": "Benjamin Royer",
        "date_of_application": "2020-02-24",
        "date_issued": "2020-02-27",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        "label_images": [
            label(BRAND, "Jean Claude Ramonet Bourgogne Chardonnay White.jpg", 4.0, 3.0),
            label("Back", "BL White Wine 14.jpg", 4.0, 1.0),
        ],
    },
    "20099001000399": {
        "serial_number": "20N010",
        "class_type_code": "699",
        "origin_code": "81",
        "class_type_description": "OTHER SPECIALTIES & PROPRIETARIES",
        "brand_name": "NETA",
        "fanciful_name": "TEQUILANA",
        "formula": "1330431",
        "permit_number": "DE-I-15030",
        "company_name": "PM SPIRITS LLC",
        "address_street": "1220 N MARKET ST STE 806",
        "address_city": "WILMINGTON",
        "address_state": "DE",
        "address_zip": "19801",
        "source_of_product": "Imported",
        "type_of_product": "Distilled Spirits",
        "phone": "(347) 689-4414",
        "contact_name": "Nicolas Palazzi",
        "date_of_application": "2020-04-08",
        "date_issued": "2020-04-20",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        "label_images": [
            label(BRAND, "Neta Tequilana FRONT.jpeg", 3.15, 3.15),
            label(BRAND, "etiqueta_circular_TEQUILANA.jpg", 1.38, 1.38),
            label("Back", "NETA_NewYork_Tequilana_TEQCAN1203.jpg", 3.0, 5.0),
            label("Back", "WARNING LABEL copy.jpeg", 3.0, 1.37),
        ],
    },
    "20124001000063": {
        "serial_number": "20CHSO",
        "class_type_code": "81",
        "origin_code": "01",
        "class_type_description": "TABLE WHITE WINE",
        "brand_name": "NORTH COAST WINE CLUB",
        # two lines joined by a CRLF in the served page
        "fanciful_name": "CHARDONNAY OAKED SONOMA COAST CA.",
        "grape_varietals": "Chardonnay",
        "wine_appellation": "SONOMA COAST CA.",
        "type_of_application": ["EXEMPTION"],
        "for_sale_in": "OH",
        "permit_number": "BWN-OH-21195",
        "company_name": "NORTH COAST WINE CLUB, NORTH COAST WINE CLUB LLC",
        "address_street": "30700 BAINBRIDGE RD UNIT C",
        "address_city": "SOLON",
        "address_state": "OH",
        "address_zip": "44139",
        "dba_name": "NORTH COAST WINE CLUB LLC",
        "source_of_product": "Domestic",
        "type_of_product": "Wine",
        "phone": "(216) 215-2586",
        "contact_name": "David Sabo",
        "date_of_application": "2020-05-03",
        "date_issued": "2020-05-05",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        "label_images": [label(BRAND, "ChardonnayOakSonoma Coast 2019.jpg", 7.0, 4.0)],
    },
    "20268001000065": {
        "serial_number": "200030",
        "class_type_code": "720",
        "origin_code": "02",
        "class_type_description": "COCKTAILS UNDER 48 PROOF",
        "brand_name": "HAIBALL",
        "fanciful_name": "WHISKY SELTZER",
        "formula": "1362151",
        "permit_number": "DSP-NY-15004",
        "company_name": "MAZZA CHAUTAUQUA CELLARS, ROBERT MAZZA, INC.",
        "address_street": "8398 W ROUTE 20",
        "address_city": "WESTFIELD",
        "address_state": "NY",
        "address_zip": "14787",
        "dba_name": "HAIBALL COMPANY",
        "source_of_product": "Domestic",
        "type_of_product": "Distilled Spirits",
        "phone": "(814) 725-8695",
        "contact_name": "MARIO MAZZA",
        "date_of_application": "2020-09-24",
        "date_issued": "2020-10-16",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        "label_images": [label(BRAND, "Haiball round 2 v2_edit2.jpg", 8.0, 6.1)],
    },
    "21132001000620": {
        "serial_number": "210027",
        "class_type_code": "102",
        "origin_code": "01",
        "class_type_description": "STRAIGHT RYE WHISKY",
        "brand_name": "OLD POTRERO",
        "fanciful_name": "6 YO",
        "permit_number": "DSP-CA-267",
        "company_name": "Hotaling & Co., LLC",
        "address_street": "PIER 50, SHED B",
        "address_city": "San Francisco",
        "address_state": "CA",
        "address_zip": "94158",
        "source_of_product": "Domestic",
        "type_of_product": "Distilled Spirits",
        "phone": "(555) 555-0100",
        "contact_name": "Contact Person",
        "date_of_application": "2021-05-12",
        "date_issued": "2021-05-14",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        # the first label is shown "reduced to fit"; the signature image is not a label
        "label_images": [
            label(BRAND, "op 6yo brand label NEW.jpg", 7.37, 4.8),
            label("Other", "op 6yo strip label NEW.jpg", 0.83, 2.77),
        ],
    },
    "23223001000234": {
        "status": "SURRENDERED",
        "serial_number": "230805",
        "class_type_code": "101",
        "origin_code": "22",
        "class_type_description": "STRAIGHT BOURBON WHISKY",
        "brand_name": "WHISKEY THIEF",
        "fanciful_name": None,
        "permit_number": "DSP-KY-20002",
        "company_name": "Whiskey Thief Distilling Company, Whiskey Thief Distilling Company, Inc.",
        "address_street": "283 CRAB ORCHARD RD",
        "address_city": "Frankfort",
        "address_state": "KY",
        "address_zip": "40601",
        "source_of_product": "Domestic",
        "type_of_product": "Distilled Spirits",
        "phone": "(502) 609-2384",
        "contact_name": "Allison Motley Purcell",
        "date_of_application": "2023-08-11",
        "date_issued": "2023-08-15",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        # the page's image types win over the file names, which say back/front the other way round
        "label_images": [
            label(BRAND, "WTWHPTTBProofsback275x325.png", 2.75, 3.25),
            label("Back", "WTWHPTTBProofsfront3x425.png", 3.0, 4.25),
        ],
    },
    "24011001000462": {
        "serial_number": "240003",
        "class_type_code": "153",
        "origin_code": "5K",
        "class_type_description": "SINGLE MALT SCOTCH WHISKY",
        "brand_name": "LAPHROAIG",
        "fanciful_name": None,
        "permit_number": "IL-I-198",
        "company_name": "JIM BEAM BRANDS CO.",
        "address_street": "222 MERCHANDISE MART PLZ",
        "address_city": "CHICAGO",
        "address_state": "IL",
        "address_zip": "60654",
        "dba_name": "BEAM SUNTORY IMPORT CO.",
        "source_of_product": "Imported",
        "type_of_product": "Distilled Spirits",
        "phone": "(555) 555-0100",
        "contact_name": "Contact Person",
        "date_of_application": "2024-01-11",
        "date_issued": "2024-01-11",
        "qualifications": TYPE_SIZE_QUALIFICATION,
        "label_images": [
            label(BRAND, "BKL44 L01148.jpeg", 2.2, 2.6),
            label("Back", "BTL 44 B00078.jpeg", 3.44, 12.3),
        ],
    },
    "24362001000403": {
        "serial_number": "24GN24",
        "class_type_code": "901",
        "origin_code": "38",
        "class_type_description": "BEER",
        "brand_name": "GINORMOUS IMPERIAL IPA",
        "fanciful_name": None,
        "permit_number": "BR-OR-20000",
        "company_name": "Gigantic Brewing Company, Gigantic Brewing Company, LLC",
        "address_street": "5224 SE 26TH AVE",
        "address_city": "Portland",
        "address_state": "OR",
        "address_zip": "97202",
        "source_of_product": "Domestic",
        "type_of_product": "Malt Beverage",
        "phone": "(503) 805-3487",
        "contact_name": "Benjamin Love",
        "date_of_application": "2024-12-27",
        "date_issued": "2025-01-06",
        # numeric character references decoded; the &#xd;&#xa; inside the second one collapses
        "qualifications": "\n".join(
            [
                "It is the responsibility of the COLA holder to ensure that the appropriate "
                "authorization is obtained for the use of the person and/or organization depicted on "
                "the label. The authorization must be kept at the permittee's address and made "
                "available for review upon request.",
                "When new labels are printed, the alcohol content statement must be changed to one of "
                'the following: "Alc. ___% by Vol.."," Alc. by Vol.. __%", ___% Alc. by Vol.." or '
                '"___% Alc. / Vol". See 27 CFR 7.65(b)(3).',
                TYPE_SIZE_QUALIFICATION,
            ]
        ),
        "label_images": [label(BRAND, "GINORMOUS 192 TALL Can Cola.jpg", 8.5, 7.3)],
    },
}


def form_bytes(ttb_id: str) -> bytes:
    return (FIXTURES / f"form_{ttb_id}.html").read_bytes()


def expected_record(ttb_id: str) -> dict[str, Any]:
    return {**BLANK, "ttb_id": ttb_id, **EXPECTED[ttb_id]}


def test_every_form_fixture_is_covered() -> None:
    on_disk = {path.stem.removeprefix("form_") for path in FIXTURES.glob("form_*.html")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("ttb_id", sorted(EXPECTED))
def test_form_record(ttb_id: str) -> None:
    assert parse_form(form_bytes(ttb_id)) == expected_record(ttb_id)


@pytest.mark.parametrize("ttb_id", sorted(EXPECTED))
def test_str_and_bytes_give_the_same_record(ttb_id: str) -> None:
    body = form_bytes(ttb_id)
    assert parse_form(body.decode("iso-8859-1")) == parse_form(body)


def test_two_line_fanciful_name_fixture_really_has_a_crlf() -> None:
    assert b"CHARDONNAY OAKED\r\nSONOMA COAST CA." in form_bytes("20124001000063")


def test_record_carries_the_design_field_names() -> None:
    design_fields = {
        "ttb_id", "status", "vendor_code", "serial_number", "class_type_description",
        "origin_description", "class_type_code", "origin_code", "brand_name", "fanciful_name",
        "type_of_application", "for_sale_in", "total_bottle_capacity", "grape_varietals",
        "wine_vintage", "wine_appellation", "formula", "qualifications", "permit_number",
        "company_name", "address_street", "address_city", "address_state", "address_zip",
        "other_permits", "dba_name", "contact_name", "phone", "email", "source_of_product",
        "type_of_product", "date_of_application", "date_issued", "expiration_date", "label_images",
    }  # fmt: skip
    assert design_fields <= set(parse_form(form_bytes("24011001000462")))


# Variants of a real form, edited the way the registry would render other values.


def edited(ttb_id: str, *replacements: tuple[str, str]) -> str:
    text = form_bytes(ttb_id).decode("iso-8859-1")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def tick(alt: str) -> tuple[str, str]:
    return f'value="" alt="{alt}"', f'value="" checked alt="{alt}"'


def untick(alt: str) -> tuple[str, str]:
    return f'value="" checked alt="{alt}"', f'value="" alt="{alt}"'


def test_bottle_capacity_and_resubmission_boxes() -> None:
    page = edited(
        "24011001000462",
        tick("Distinctive Liquor Bottle Approval"),
        tick("Previous TTB Id"),
        ("<strong></strong>_____ (Fill in amount)", "<strong>750 ML</strong>_____ (Fill in amount)"),
        ("TTB ID. NO. ___<strong></strong>", "TTB ID. NO. ___<strong> 23001001000017 </strong>"),
    )
    record = parse_form(page)
    assert record["type_of_application"] == [
        "LABEL APPROVAL",
        "DISTINCTIVE LIQUOR BOTTLE APPROVAL",
        "RESUBMISSION AFTER REJECTION",
    ]
    assert record["total_bottle_capacity"] == "750 ML"
    assert record["previous_ttb_id"] == "23001001000017"
    assert record["for_sale_in"] is None


def test_no_box_ticked_gives_nulls_and_empty_list() -> None:
    page = edited(
        "24011001000462",
        untick("Source of Product: Imported"),
        untick("Type of Product: Distilled Spirits"),
        untick("Type of Application"),
    )
    record = parse_form(page)
    assert record["source_of_product"] is None
    assert record["type_of_product"] is None
    assert record["type_of_application"] == []


def test_blank_boxes_are_none() -> None:
    page = edited(
        "24011001000462",
        ('<div class="data">LAPHROAIG</div>', '<div class="data">&nbsp; \n </div>'),
        ('<div class="data">(555) 555-0100</div>', '<div class="data"></div>'),
    )
    record = parse_form(page)
    assert record["brand_name"] is None
    assert record["phone"] is None


def test_further_permits_become_other_permits() -> None:
    page = edited("24011001000462", ("IL-I-198\n", "IL-I-198<br>KY-I-22\n"))
    record = parse_form(page)
    assert record["permit_number"] == "IL-I-198"
    assert record["other_permits"] == [
        {
            "permit_number": "KY-I-22",
            "company_name": None,
            "address_street": None,
            "address_city": None,
            "address_state": None,
            "address_zip": None,
        }
    ]


def test_filled_expiration_date_and_percent_encoded_filename() -> None:
    page = edited(
        "24011001000462",
        ('<div class="label">EXPIRATION DATE (If any)</div>\n            \t\t<div class="data"></div>',
         '<div class="label">EXPIRATION DATE (If any)</div><div class="data">12/31/2030</div>'),
        ("filename=BKL44 L01148.jpeg&filetype=l", "filename=BKL44%20L01148%231.jpeg&amp;filetype=l"),
    )  # fmt: skip
    record = parse_form(page)
    assert record["expiration_date"] == "2030-12-31"
    assert record["label_images"][0]["filename"] == "BKL44 L01148#1.jpeg"


@pytest.mark.parametrize(
    ("field", "label", "bad", "warning"),
    [
        ("date_of_application", "DATE OF APPLICATION", "2024-01-11", "not a MM/DD/YYYY date: '2024-01-11'"),
        ("date_issued", "19. DATE ISSUED", "01/11/24x", "not a MM/DD/YYYY date: '01/11/24x'"),
        ("date_issued", "19. DATE ISSUED", "13/45/2024", "month must be in 1..12"),
    ],
)  # fmt: skip
def test_bad_date_is_null_with_a_warning(field: str, label: str, bad: str, warning: str) -> None:
    """Derived: a real form with one date box not a date; that value is None, the rest is read."""
    page = edited(
        "24011001000462",
        (f"{label}</div>\n            \t\t<div class=\"data\">01/11/2024</div>",
         f"{label}</div>\n            \t\t<div class=\"data\">{bad}</div>"),
    )  # fmt: skip
    assert parse_form(page) == {**expected_record("24011001000462"), field: None,
                                "parse_warnings": [f"{field}: {warning}"]}


@pytest.mark.parametrize(
    "name",
    ["notfound_99999999999999.html", "detail_24011001000462.html", "search_results_noresults.html"],
)
def test_other_pages_are_parse_errors(name: str) -> None:
    with pytest.raises(ParseError):
        parse_form((FIXTURES / name).read_bytes())


@pytest.mark.parametrize("body", [b"", "", "<html><body>Unable to process request.</body></html>"])
def test_empty_or_foreign_bodies_are_parse_errors(body: bytes | str) -> None:
    with pytest.raises(ParseError):
        parse_form(body)


def test_mailing_address_and_container_text() -> None:
    page = edited(
        "24011001000462",
        ("IF DIFFERENT</div>\n            \t\t<div class=\"data\"></div>",
         "IF DIFFERENT</div><div class=\"data\">PO BOX 12<br>CHICAGO IL 60601<br></div>"),
        ("AFFIXED BELOW.  ALSO, SHOW TRANSLATIONS OF FOREIGN LANGUAGE TEXT APPEARING ON LABELS.<br>\n"
         "              \t\t\t\t<br>",
         "AFFIXED BELOW.  ALSO, SHOW TRANSLATIONS OF FOREIGN LANGUAGE TEXT APPEARING ON LABELS.<br>\n"
         "<br>NET CONTENTS 700 ML BLOWN IN GLASS"),
    )  # fmt: skip
    record = parse_form(page)
    assert record["mailing_address"] == "PO BOX 12, CHICAGO IL 60601"
    assert record["container_info"] == "NET CONTENTS 700 ML BLOWN IN GLASS"
