"""The parked COLAs' book (pure): parking, parking again, closing on a loaded page, a run of parks."""

from __future__ import annotations

import pytest

from ttb_cola.parked.book import PARKED_SPECS, PARKED_TABLE, ParkedBook
from ttb_cola.parked.give_up import GiveUp
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
        "given_up": False,
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


def _park_daily(state: dict, give_up: GiveUp, days: int, first_day: int = 1) -> list[ParkedBook]:
    """Park ID once a day for ``days`` runs, each run a new book over the same state."""
    books = []
    for day in range(first_day, first_day + days):
        book = ParkedBook(state, f"run{day}", give_up)
        book.park(Parked(ID, "form", f"still unreadable on day {day}"), f"2025-07-{day:02d}T10:00:00+00:00")
        books.append(book)
    return books


def test_a_cola_failing_n_attempts_is_given_up_kept_and_no_longer_retried() -> None:
    state: dict = {}
    before = _park_daily(state, GiveUp(attempts=3, days=0), 2)
    assert before[-1].open_ids() == [ID] and all(book.given_up == [] for book in before)
    [row] = before[-1].rows()
    assert row.data["given_up"] is False and row.data["attempts"] == 2
    [last] = _park_daily(state, GiveUp(attempts=3, days=0), 1, first_day=3)
    # the third failed attempt gives it up: kept in the state and the table, out of the retried ones
    assert last.given_up == [ID] and last.open_ids() == [] and last.entries[ID]["given_up"] is True
    [row] = last.rows()
    assert row.data["given_up"] is True and not row.data["resolved"] and row.data["attempts"] == 3
    assert state[ID]["given_up"] is True
    # parked again later (a search lists it again): still given up, not given up twice
    [later] = _park_daily(state, GiveUp(attempts=3, days=0), 1, first_day=9)
    assert later.given_up == [] and later.open_ids() == [] and later.rows()[0].data["given_up"] is True
    # its page loads after all: closed like any parked COLA
    later.resolve(TableRow(DETAILS_TABLE, {"ttb_id": ID}), "2025-07-10T10:00:00+00:00")
    [closed] = later.rows()
    assert closed.data["resolved"] and closed.data["given_up"] is False and state == {}


def test_a_cola_failing_again_n_days_after_it_was_first_parked_is_given_up() -> None:
    state: dict = {}
    book = ParkedBook(state, "run1", GiveUp(attempts=0, days=30))
    book.park(Parked(ID, "detail", "x"), "2025-06-01T10:00:00+00:00")
    book = ParkedBook(state, "run2", GiveUp(attempts=0, days=30))
    book.park(Parked(ID, "detail", "x"), "2025-06-30T10:00:00+00:00")  # 29 days on: still retried
    assert book.open_ids() == [ID] and book.given_up == []
    book = ParkedBook(state, "run3", GiveUp(attempts=0, days=30))
    book.park(Parked(ID, "detail", "x"), "2025-07-01T10:00:00+00:00")  # 30 days on
    assert book.given_up == [ID] and book.open_ids() == [] and state[ID]["attempts"] == 3


def test_give_up_limits_of_zero_never_give_up_and_negative_ones_are_refused() -> None:
    state: dict = {}
    books = _park_daily(state, GiveUp(attempts=0, days=0), 20)
    assert books[-1].open_ids() == [ID] and state[ID]["attempts"] == 20 and "given_up" not in state[ID]
    with pytest.raises(ValueError, match="must be >= 0"):
        GiveUp(attempts=-1)
