"""The CSV export parser against the real Quilceda/Leonetti export and broken rows built in its shape.

Expected values were typed in from reading the CSV.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ttb_cola.parsers.errors import ParseError
from ttb_cola.parsers.export import parse_export

EXPORT = Path(__file__).parents[1] / "fixtures" / "export_quilceda_leonetti_20260921.csv"
HEADER = (
    "TTB ID,Permit No.,Serial Number,Completed Date,Fanciful Name,Brand Name,Origin,Origin Desc,"
    "Class/Type,Class/Type Desc"
)
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
WA = ("07", "WASHINGTON", "88", DESSERT)
EXPECTED_ROWS = [
    ("24045001000976", "BW-WA-68", "24CABS", "2024-02-15", None, "QUILCEDA CREEK", *WA),
    ("24045001000988", "BW-WA-68", "24PALE", "2024-02-15", "PALENGAT", "QUILCEDA CREEK", *WA),
    ("24045001000994", "BW-WA-68", "24TCHE", "2024-02-15", "TCHELISTCHEFF", "QUILCEDA CREEK", *WA),
    ("26012001000650", "BW-WA-67", "260001", "2026-01-15", None, "LEONETTI CELLAR", *WA),
]
TAIL = ",07,WASHINGTON,88,DESSERT /PORT/SHERRY/(COOKING) WINE"


def _row(*values: str | None) -> dict:
    return dict(zip(KEYS, values, strict=True))


def _csv(*lines: str, newline: str = "\n") -> str:
    return newline.join((HEADER, *lines)) + newline


def test_real_export_every_value() -> None:
    rows, quarantined = parse_export(EXPORT.read_bytes())
    assert quarantined == []
    assert rows == [_row(*values) for values in EXPECTED_ROWS]
    assert all(tuple(row) == KEYS for row in rows)


def test_text_and_crlf_input() -> None:
    text = EXPORT.read_bytes().decode("iso-8859-1")
    assert parse_export(text) == parse_export(EXPORT.read_bytes())
    rows, quarantined = parse_export(text.replace("\n", "\r\n"))
    assert quarantined == []
    assert rows == [_row(*values) for values in EXPECTED_ROWS]


def test_comma_in_brand_with_empty_fanciful_is_repaired() -> None:
    rows, quarantined = parse_export(
        _csv(f"'24045001000976',BW-WA-68,24CABS,02/15/2024,,QUILCEDA CREEK, INC{TAIL}")
    )
    assert quarantined == []
    assert rows == [
        _row("24045001000976", "BW-WA-68", "24CABS", "2024-02-15", None, "QUILCEDA CREEK, INC", *WA),
    ]


def test_comma_space_in_brand_after_a_fanciful_name_is_repaired() -> None:
    line = f"'24045001000988',BW-WA-68,24PALE,02/15/2024,PALENGAT,QUILCEDA CREEK, LLC{TAIL}"
    rows, quarantined = parse_export(_csv(line))
    assert quarantined == []
    assert rows == [
        _row("24045001000988", "BW-WA-68", "24PALE", "2024-02-15", "PALENGAT", "QUILCEDA CREEK, LLC", *WA),
    ]


def test_comma_space_in_fanciful_name_is_repaired() -> None:
    line = f"'24045001000994',BW-WA-68,24TCHE,02/15/2024,TCHELISTCHEFF, RESERVE,QUILCEDA CREEK{TAIL}"
    rows, quarantined = parse_export(_csv(line))
    assert quarantined == []
    assert rows[0]["fanciful_name"] == "TCHELISTCHEFF, RESERVE"
    assert rows[0]["brand_name"] == "QUILCEDA CREEK"


def test_comma_without_space_between_two_names_is_quarantined_as_ambiguous() -> None:
    line = f"'24045001000994',BW-WA-68,24TCHE,02/15/2024,TCHELISTCHEFF,RESERVE,QUILCEDA CREEK{TAIL}"
    rows, quarantined = parse_export(_csv(line))
    assert rows == []
    assert quarantined == [{"line_number": 2, "raw": line, "reason": quarantined[0]["reason"]}]
    reason = quarantined[0]["reason"]
    assert reason.startswith("ambiguous")
    assert "fanciful_name" in reason and "brand_name" in reason


def test_comma_in_origin_and_class_descriptions_is_repaired() -> None:
    line = (
        "'24045001000976',BW-WA-68,24CABS,02/15/2024,,QUILCEDA CREEK,5K,KOREA, REPUBLIC OF,80,TABLE, RED WINE"
    )
    rows, quarantined = parse_export(_csv(line))
    assert quarantined == []
    assert rows == [
        _row(
            "24045001000976",
            "BW-WA-68",
            "24CABS",
            "2024-02-15",
            None,
            "QUILCEDA CREEK",
            "5K",
            "KOREA, REPUBLIC OF",
            "80",
            "TABLE, RED WINE",
        ),
    ]


def test_newline_in_fanciful_name_is_repaired() -> None:
    first = "'24045001000988',BW-WA-68,24PALE,02/15/2024,PALEN"
    second = f"GAT,QUILCEDA CREEK{TAIL}"
    last = f"'26012001000650',BW-WA-67,260001,01/15/2026,,LEONETTI CELLAR{TAIL}"
    rows, quarantined = parse_export(_csv(first, second, last))
    assert quarantined == []
    assert rows == [
        _row("24045001000988", "BW-WA-68", "24PALE", "2024-02-15", "PALEN GAT", "QUILCEDA CREEK", *WA),
        _row("26012001000650", "BW-WA-67", "260001", "2026-01-15", None, "LEONETTI CELLAR", *WA),
    ]


def test_crlf_newline_and_comma_in_the_same_record_are_repaired() -> None:
    first = "'24045001000988',BW-WA-68,24PALE,02/15/2024,PALENGAT"
    second = f"SECOND LINE,QUILCEDA CREEK, INC{TAIL}"
    rows, quarantined = parse_export(_csv(first, second, newline="\r\n"))
    assert quarantined == []
    assert rows[0]["fanciful_name"] == "PALENGAT SECOND LINE"
    assert rows[0]["brand_name"] == "QUILCEDA CREEK, INC"
    assert rows[0]["class_type_description"] == DESSERT


def test_cut_record_is_quarantined_and_the_rest_kept() -> None:
    good = f"'24045001000976',BW-WA-68,24CABS,02/15/2024,,QUILCEDA CREEK{TAIL}"
    cut = "'24045001000988',BW-WA-68,24PALE,02/15/2024,PALENGAT,QUILCEDA CR"
    rows, quarantined = parse_export(_csv(good, cut))
    assert [row["ttb_id"] for row in rows] == ["24045001000976"]
    assert quarantined == [{"line_number": 3, "raw": cut, "reason": quarantined[0]["reason"]}]
    assert quarantined[0]["reason"].startswith("too few fields: 6 of 10")


def test_line_numbers_count_physical_lines() -> None:
    split_first = "'24045001000988',BW-WA-68,24PALE,02/15/2024,PALEN"
    split_second = f"GAT,QUILCEDA CREEK{TAIL}"
    bad = f"'24045001000994',BW-WA-68,24TCHE,13/45/2024,TCHELISTCHEFF,QUILCEDA CREEK{TAIL}"
    rows, quarantined = parse_export(_csv(split_first, split_second, bad))
    assert [row["ttb_id"] for row in rows] == ["24045001000988"]
    assert [(item["line_number"], item["raw"]) for item in quarantined] == [(4, bad)]
    assert "completed date" in quarantined[0]["reason"]


def test_misplaced_codes_are_quarantined() -> None:
    line = "'24045001000976',BW-WA-68,24CABS,02/15/2024,,QUILCEDA CREEK,WASHINGTON,07,DESSERT WINE,88"
    rows, quarantined = parse_export(_csv(line))
    assert rows == []
    assert "no way to place them" in quarantined[0]["reason"]


def test_orphan_first_line_is_quarantined() -> None:
    line = f"24045001000976,BW-WA-68,24CABS,02/15/2024,,QUILCEDA CREEK{TAIL}"
    rows, quarantined = parse_export(_csv(line))
    assert rows == []
    assert quarantined[0]["line_number"] == 2
    assert "TTB ID" in quarantined[0]["reason"]


def test_names_are_not_html_decoded() -> None:
    line = f"'24045001000976',BW-WA-68,24CABS,02/15/2024,M&GT  &amp; CO,QUILCEDA CREEK{TAIL}"
    rows, _ = parse_export(_csv(line))
    assert rows[0]["fanciful_name"] == "M&GT &amp; CO"


def test_header_only_gives_nothing() -> None:
    assert parse_export(HEADER + "\n") == ([], [])


@pytest.mark.parametrize(
    "body",
    [
        "",
        b"",
        "<html><body>Your support ID is: 1</body></html>",
        "TTB ID,Permit No.,Serial Number\n'24045001000976',BW-WA-68,24CABS\n",
    ],
)
def test_not_an_export_raises(body: str | bytes) -> None:
    with pytest.raises(ParseError):
        parse_export(body)


def test_record_with_far_too_many_fields_is_quarantined_quickly() -> None:
    line = "'24045001000976',BW-WA-68,24CABS,02/15/2024," + ",".join(["X"] * 400) + TAIL
    rows, quarantined = parse_export(_csv(line))
    assert rows == []
    assert quarantined[0]["reason"].startswith("too many fields")


def test_twelve_extra_commas_still_placed() -> None:
    brand = ", ".join(["B"] * 13)
    line = f"'24045001000976',BW-WA-68,24CABS,02/15/2024,,{brand}{TAIL}"
    rows, quarantined = parse_export(_csv(line))
    assert quarantined == []
    assert rows[0]["brand_name"] == brand


def test_byte_order_mark_is_ignored() -> None:
    rows, quarantined = parse_export(b"\xef\xbb\xbf" + EXPORT.read_bytes())
    assert quarantined == []
    assert len(rows) == 4
