"""The backlog's order (pure): watchlist matches first, as `fct_watchlist_matches` matches, then newest first."""

from __future__ import annotations

from datetime import date

import pytest

from ttb_cola.digest.watchlist import WatchlistEntry
from ttb_cola.fill.plan import Owed, chunked, matches, order


def owed(ttb_id: str, day: int, **fields: str) -> Owed:
    return Owed(ttb_id, date(2025, 7, day), **fields)


def entry(**filters: str) -> WatchlistEntry:
    return WatchlistEntry(2, "e", filters)


@pytest.mark.parametrize(("criteria", "fields", "expected"), [
    ({"brand": "old %"}, {"brand_name": " Old Crow "}, True),  # case and surrounding spaces ignored
    ({"brand": "old_crow"}, {"brand_name": "OLDXCROW"}, False),  # `_` is literal, as on the registry
    ({"class_type": "%BOURBON%"}, {"class_type_description": "STRAIGHT BOURBON WHISKY"}, True),
    ({"class_type": "101"}, {"class_type_code": "101"}, True),
    ({"origin": "Kentucky", "brand": "X"}, {"origin_description": "KENTUCKY", "brand_name": "Y"}, False),
    ({"permit": "NY-I-%"}, {"permit_number": "NY-I-12345"}, True),
    ({"company": "%"}, {"brand_name": "X"}, False),  # a listing has no company name: not judged yet
    ({"q": "crow", "brand": "old %"}, {"brand_name": "Old Crow"}, False),  # nor a full-text search
])
def test_an_entry_matches_a_listing_on_every_criterion_it_gives(
    criteria: dict[str, str], fields: dict[str, str], expected: bool
) -> None:
    assert matches(entry(**criteria), owed("25001001000001", 1, **fields)) is expected


def test_watchlist_matches_come_first_then_the_newest_completed_date_then_the_highest_ttb_id() -> None:
    rows = [owed("1", 3), owed("2", 5), owed("3", 5), owed("4", 1, brand_name="Ours"), owed("5", 4)]
    assert [o.ttb_id for o in order(rows, [entry(brand="ours")])] == ["4", "3", "2", "5", "1"]
    assert [o.ttb_id for o in order(rows)] == ["3", "2", "5", "1", "4"]


def test_chunks_keep_the_order_and_refuse_an_empty_size() -> None:
    rows = [owed(str(n), 1) for n in range(5)]
    assert [[o.ttb_id for o in c] for c in chunked(rows, 2)] == [["0", "1"], ["2", "3"], ["4"]]
    with pytest.raises(ValueError, match="at least one"):
        list(chunked(rows, 0))
