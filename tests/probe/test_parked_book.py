"""The parked COLAs' book (pure): parking, parking again, closing on a loaded page, a run of parks."""

from __future__ import annotations

import pytest

from ttb_cola.parked.book import PARKED_SPECS, PARKED_TABLE, ParkedBook
from ttb_cola.parked.model import MAX_PARKED_IN_A_ROW, Parked, ParkedInARow, TooManyParked
from ttb_cola.records import DETAILS_TABLE, LISTINGS_TABLE, TableRow

ID = "25171002000002"


def test_park_again_counts_attempts_and_a_loaded_page_closes_the_entry() -> None:
    state: dict = {}
    book = ParkedBook(state, "run1")
    book.park(Parked(ID, "detail", "is for another ID"), "2025-06-26T10:00:00+00:00")
    [first] = book.rows()
    assert first.table == PARKED_TABLE and set(first.data) == set(PARKED_SPECS)
    assert first.data == {
        "ttb_id": ID, "receipt_date": "2025-06-20", "receipt_method": "002", "sequence": 2, "page": "detail",
        "error": "is for another ID", "attempts": 1, "first_seen": "2025-06-26T10:00:00+00:00",
        "last_seen": "2025-06-26T10:00:00+00:00", "run_id": "run1", "resolved": False, "resolved_at": None,
    }
    book = ParkedBook(state, "run2")
    book.park(Parked(ID, "detail", "still"), "2025-06-27T10:00:00+00:00")
    [again] = book.rows()
    assert (again.data["attempts"], again.data["first_seen"], again.data["error"]) == (
        2, "2025-06-26T10:00:00+00:00", "still")
    assert book.open_ids() == [ID]
    book.resolve(TableRow(LISTINGS_TABLE, {"ttb_id": ID}), "x")  # a listing loads nothing
    assert book.open_ids() == [ID]
    book.resolve(TableRow(DETAILS_TABLE, {"ttb_id": ID}), "2025-06-28T10:00:00+00:00")
    book.resolve(TableRow(DETAILS_TABLE, {"ttb_id": ID}), "later")  # closed once
    # parked and loaded in one run: one row, the latest (closed)
    [closed] = book.rows()
    assert closed.data["resolved"] and closed.data["resolved_at"] == "2025-06-28T10:00:00+00:00"
    assert closed.data["attempts"] == 2 and state == {} and book.resolved == [ID]


def test_a_run_of_parked_colas_is_systemic() -> None:
    in_a_row = ParkedInARow()
    for _ in range(MAX_PARKED_IN_A_ROW - 1):
        in_a_row.park(Parked(ID, "detail", "x"))
    in_a_row.loaded()
    for _ in range(MAX_PARKED_IN_A_ROW - 1):
        in_a_row.park(Parked(ID, "detail", "x"))
    with pytest.raises(TooManyParked, match=f"{MAX_PARKED_IN_A_ROW} COLAs in a row"):
        in_a_row.park(Parked(ID, "detail", "x"))


def test_an_unanswered_cola_is_closed_by_a_not_found_answer_and_no_other() -> None:
    """A COLA parked because its page never answered (public or not unknown) keeps that mark when parked
    again; the registry's not-found page closes it. A COLA parked for any other reason stays open."""
    state: dict = {}
    book = ParkedBook(state, "run1")
    book.park(Parked(ID, "detail", "HTTP 500", unanswered=True), "2025-06-26T10:00:00+00:00")
    book.park(Parked("25171002000003", "listing", "listed, but not found"), "2025-06-26T10:00:00+00:00")
    again = ParkedBook(state, "run2")
    again.park(Parked(ID, "detail", "HTTP 500 again"), "2025-06-27T10:00:00+00:00")  # unmarked this time
    assert again.unanswered_ids() == {ID}
    again.not_public("25171002000003", "now")
    assert "25171002000003" in state
    again.not_public(ID, "2025-06-28T10:00:00+00:00")
    again.not_public(ID, "later")  # closed once
    [closed] = [row for row in again.rows() if row.data["ttb_id"] == ID]
    assert closed.data["resolved"] and "not found" in closed.data["error"]
    assert closed.data["resolved_at"] == "2025-06-28T10:00:00+00:00"
    assert closed.data["attempts"] == 2 and ID not in state and again.resolved == [ID]
