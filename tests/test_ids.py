"""TTB ID model: parsing, formatting, partition keys, with property tests."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttb_cola.ids import (
    RECEIPT_METHODS,
    InvalidTtbId,
    TtbId,
    format_ttb_id,
    parse_partition_key,
    parse_ttb_id,
    partition_key,
)

methods = st.sampled_from(sorted(RECEIPT_METHODS))
dates = st.dates(min_value=date(1970, 1, 1), max_value=date(2069, 12, 31))
sequences = st.integers(min_value=0, max_value=999_999)


def test_documented_example() -> None:
    parsed = parse_ttb_id("24011001000462")
    assert parsed == TtbId(date(2024, 1, 11), "001", 462)
    assert parsed.partition_key == "2024-01-11|001"
    assert str(parsed) == "24011001000462"


def test_real_ids_from_the_fixtures() -> None:
    assert parse_ttb_id("23223001000234").receipt_date == date(2023, 8, 11)
    assert parse_ttb_id("19362001000052").receipt_date == date(2019, 12, 28)
    # 1999 IDs exist in the real list; 97-99 map to the 1900s.
    assert parse_ttb_id("99013000000112").receipt_date == date(1999, 1, 13)
    assert parse_ttb_id("00013000000112").receipt_date == date(2000, 1, 13)


def test_day_366_only_in_leap_years() -> None:
    assert parse_ttb_id("24366001000001").receipt_date == date(2024, 12, 31)
    assert parse_ttb_id("00366001000001").receipt_date == date(2000, 12, 31)
    with pytest.raises(InvalidTtbId, match="day of year 366 is not in 001-365 for 2023"):
        parse_ttb_id("23366001000001")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2401100100046", "has 13 digits, expected 14"),
        ("240110010004620", "has 15 digits, expected 14"),
        ("2401100100046A", "must contain only digits"),
        ("24011 01000462", "must contain only digits"),
        ("", "has 0 digits"),
        ("24000001000462", "day of year 000"),
        ("24367001000462", "day of year 367"),
        ("24011004000462", "unknown receipt method '004'"),
        ("２４０１１００１０００４６２", "must contain only digits"),
    ],
)
def test_invalid_ids_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(InvalidTtbId, match=message):
        parse_ttb_id(text)


@given(dates, methods, sequences)
def test_format_then_parse_round_trips(receipt_date: date, method: str, sequence: int) -> None:
    text = format_ttb_id(receipt_date, method, sequence)
    assert len(text) == 14 and text.isdigit()
    assert parse_ttb_id(text) == TtbId(receipt_date, method, sequence)


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_any_14_digits_either_parse_and_round_trip_or_raise(text: str) -> None:
    try:
        parsed = parse_ttb_id(text)
    except InvalidTtbId:
        return
    assert parsed.value == text


@given(dates, methods)
def test_partition_keys_round_trip(receipt_date: date, method: str) -> None:
    key = partition_key(receipt_date, method)
    assert key == f"{receipt_date.isoformat()}|{method}"
    assert parse_partition_key(key) == (receipt_date, method)


@pytest.mark.parametrize("key", ["2024-01-11", "2024-01-11|01", "2024-02-30|001", "2024-01-11|009"])
def test_bad_partition_keys(key: str) -> None:
    with pytest.raises(InvalidTtbId):
        parse_partition_key(key)


def test_format_rejects_out_of_range_values() -> None:
    with pytest.raises(InvalidTtbId, match="cannot be written"):
        format_ttb_id(date(2070, 1, 1), "001", 1)
    with pytest.raises(InvalidTtbId, match="unknown receipt method"):
        format_ttb_id(date(2024, 1, 1), "9", 1)


@given(dates)
def test_day_of_year_matches_calendar(receipt_date: date) -> None:
    text = format_ttb_id(receipt_date, "001", 1)
    assert int(text[2:5]) == (receipt_date - date(receipt_date.year, 1, 1)).days + 1
    assert receipt_date - timedelta(days=int(text[2:5]) - 1) == date(receipt_date.year, 1, 1)
