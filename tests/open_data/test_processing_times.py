"""The processing-time parsers: the shape known from its element and column names (padded values,
month/day/year), and anything else refused in one line."""

from __future__ import annotations

from datetime import date

import pytest

from ttb_cola.open_data.processing_times import parse_formula_times, parse_label_times
from ttb_cola.open_data.refused import FileRefused


def _xml(*elements: str, root: str = "dataroot") -> bytes:
    return f'<?xml version="1.0"?><{root}>{"".join(elements)}</{root}>'.encode()


def _element(commodity: str = "DS", median: str = " 6 ", month: str = "6", day: str = "9") -> str:
    return (f"<FOR_XML2><commodity> {commodity} </commodity><Turnaround_Time_Median>{median}"
            f"</Turnaround_Time_Median><month>{month}</month><day>{day}</day><year>2026</year>"
            f"<now_time>06/15/2026 06:00:01</now_time></FOR_XML2>")


def test_label_times_are_trimmed_and_dated() -> None:
    rows = parse_label_times(_xml(_element("DS", " 6 ", "6", "9"), _element("MB", "1", "6", "11")))
    assert rows == [
        {"commodity": "DS", "median_days": 6, "processing_received_date": date(2026, 6, 9),
         "generated_at_text": "06/15/2026 06:00:01"},
        {"commodity": "MB", "median_days": 1, "processing_received_date": date(2026, 6, 11),
         "generated_at_text": "06/15/2026 06:00:01"},
    ]


def test_label_elements_nested_anywhere_are_found() -> None:
    rows = parse_label_times(_xml(f"<section>{_element('Wine')}</section>"))
    assert [row["commodity"] for row in rows] == ["Wine"]


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (_xml("<row><commodity>DS</commodity></row>"), "no FOR_XML2 element"),
    (_xml(_element())[:-12], "not well-formed"),
    (_xml(_element(median="six")), "is not days"),
    (_xml(_element(month="13")), "no valid date"),
    (_xml("<FOR_XML2><commodity>DS</commodity></FOR_XML2>"), "lacks Turnaround_Time_Median"),
    (_xml(_element("DS"), _element("DS")), "appears twice"),
])
def test_unknown_label_shapes_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(FileRefused, match=reason):
        parse_label_times(data)


def test_formula_times_keep_dates_as_text_and_parse_the_known_forms() -> None:
    data = (b"\xef\xbb\xbfapplication_type,processing_time,processing_new,creation_date\r\n"
            b"Wine Formulas,16,06/14/2026,2026-06-30 06:00:00\r\n"
            b"All Formulas that require Sample Analysis,15,June 8,\r\n")
    rows = parse_formula_times(data)
    assert rows[0] == {"application_type": "Wine Formulas", "processing_days": 16, "processing_new_text": "06/14/2026",
                       "processing_new_date": date(2026, 6, 14), "created_text": "2026-06-30 06:00:00",
                       "created_date": date(2026, 6, 30)}
    assert rows[1]["processing_new_text"] == "June 8" and rows[1]["processing_new_date"] is None


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"type,days\r\nWine,3\r\n", "unexpected header"),
    (b"application_type,processing_time,processing_new,creation_date\r\n", "no rows"),
    (b"application_type,processing_time,processing_new,creation_date\r\nWine Formulas,three,x,y\r\n", "not a row"),
    (b"application_type,processing_time,processing_new,creation_date\r\nWine Formulas,3\r\n", "has 2 fields"),
])
def test_unknown_formula_shapes_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(FileRefused, match=reason):
        parse_formula_times(data)
