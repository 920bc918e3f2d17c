"""A parsed page shaped for its table (``page_row``): blanks become None, list fields lists, set values kept."""

from __future__ import annotations

import pytest

from ttb_cola.records import FORM_FIELDS, page_row

TTB_ID = "23223001000234"


def test_page_row_turns_blanks_to_none_and_keeps_every_value_set() -> None:
    parsed = {"ttb_id": TTB_ID, "brand_name": "", "fanciful_name": "  ", "wine_vintage": 0, "grape_varietals": False,
              "type_of_application": [], "other_permits": None, "label_images": [{"filename": "a.jpg"}],
              "serial_number": "23-1", "not_a_field": "x"}
    row = page_row(FORM_FIELDS, parsed, source_url="https://x", fetched_at="2026-01-01T00:00:00+00:00")
    assert set(row) >= set(FORM_FIELDS) and "not_a_field" not in row
    assert row["brand_name"] is None  # "" is blank
    assert row["fanciful_name"] == "  "  # not cleaned here: the parsers clean
    assert row["wine_vintage"] == 0 and row["grape_varietals"] is False  # falsy, but set
    assert row["type_of_application"] == [] and row["other_permits"] == []  # list fields stay lists
    assert "label_images" not in row and row["serial_number"] == "23-1"  # a field of the form's other table
    assert row["formula"] is None  # absent
    assert (row["receipt_date"], row["receipt_method"], row["sequence"]) == ("2023-08-11", "001", 234)
    assert row["source_url"] == "https://x"
    with pytest.raises(TypeError, match="unknown provenance field"):
        page_row(FORM_FIELDS, parsed, source="x")
