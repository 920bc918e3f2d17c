"""The digest's inputs: the period options, the warehouse path, and the watchlist check (no warehouse needed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from digest_helpers import ROOT

from ttb_cola.cli import main
from ttb_cola.digest.paths import WarehouseNotFound, marts_path, warehouse_path
from ttb_cola.digest.period import resolve_period, week_period
from ttb_cola.digest.watchlist import WatchlistError, read_watchlist

HEADER = "entry_name,brand_name,company_name,permit_number,class_type,origin\n"


def test_iso_week_and_a_date_in_it_name_the_same_monday_to_sunday():
    by_name, by_day = week_period("2025-W14"), week_period("2025-04-05")
    assert (by_name.start, by_name.end) == (by_day.start, by_day.end) == (date(2025, 3, 31), date(2025, 4, 6))
    assert by_name.previous().start == date(2025, 3, 24) and by_name.previous().end == date(2025, 3, 30)


def test_default_period_is_the_last_full_week_and_since_runs_to_today():
    default = resolve_period(None, None, None, today=date(2025, 4, 2))  # a Wednesday
    assert (default.start, default.end) == (date(2025, 3, 24), date(2025, 3, 30))
    since = resolve_period(None, "2025-03-01", None, today=date(2025, 3, 10))
    assert (since.start, since.end, since.days) == (date(2025, 3, 1), date(2025, 3, 10), 10)
    assert (since.previous().start, since.previous().end) == (date(2025, 2, 19), date(2025, 2, 28))


@pytest.mark.parametrize("week, since, until", [
    ("2025-W54", None, None), ("next week", None, None), ("2025-W14", "2025-01-01", None),
    (None, "2025-02-30", None), (None, "2025-03-02", "2025-03-01"), (None, None, "2025-03-01"),
])
def test_bad_period_options_are_refused(week, since, until):
    with pytest.raises(ValueError):
        resolve_period(week, since, until, today=date(2025, 4, 2))


@pytest.mark.parametrize("week, since, until, today, message", [
    (None, "0001-01-01", None, "2025-04-02", "--since: 0001-01-01 is before 1970-01-01"),
    ("0001-W01", None, None, "2025-04-02", "--week: 0001-01-01 is before 1970-01-01"),
    ("1970-01-01", None, None, "2025-04-02", "--week: 1969-12-29 is before 1970-01-01"),
    (None, "2025-01-01", "9999-12-31", "2025-04-02", "--until: 9999-12-31 is after 2069-12-31"),
    ("9999-W52", None, None, "2025-04-02", "--week: 9999-12-27 is after 2069-12-31"),
    (None, None, None, "0001-01-03", "--today: 0001-01-03 is before 1970-01-01"),
])
def test_a_period_outside_what_a_ttb_id_can_hold_is_refused_in_one_line(week, since, until, today, message, capsys):
    """Dates no COLA can carry are refused by name (they used to overflow the date type: a traceback)."""
    argv = ["digest", "--today", today, "--duckdb", "no-such.duckdb"]
    argv += [*(["--week", week] if week else []), *(["--since", since] if since else [])]
    argv += ["--until", until] if until else []
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err, err


def test_warehouse_path_honours_the_option_then_dbt_variables_then_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("TTB_COLA_DUCKDB", raising=False)
    monkeypatch.delenv("TTB_COLA_LAKE_DUCKDB", raising=False)
    assert warehouse_path("dev", must_exist=False) == Path("data/warehouse.duckdb")
    assert warehouse_path("s3", must_exist=False) == Path("data/ttb_cola_lake.duckdb")
    monkeypatch.setenv("TTB_COLA_DUCKDB", str(tmp_path / "env.duckdb"))
    monkeypatch.setenv("TTB_COLA_LAKE_DUCKDB", str(tmp_path / "lake.duckdb"))
    assert warehouse_path("dev", must_exist=False) == tmp_path / "env.duckdb"
    assert warehouse_path("s3", must_exist=False) == tmp_path / "lake.duckdb"
    assert warehouse_path("dev", tmp_path / "x.duckdb", must_exist=False) == tmp_path / "x.duckdb"
    with pytest.raises(WarehouseNotFound, match="env.duckdb"):
        warehouse_path("dev")


def test_marts_are_read_from_the_published_file_when_there_unless_a_file_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TTB_COLA_DUCKDB", raising=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "warehouse.duckdb").touch()
    assert marts_path("dev") == Path("data/warehouse.duckdb")
    (tmp_path / "data" / "analytics.duckdb").touch()
    assert marts_path("dev") == Path("data/analytics.duckdb")
    assert marts_path("dev", "data/warehouse.duckdb") == Path("data/warehouse.duckdb")
    monkeypatch.setenv("TTB_COLA_DUCKDB", "data/warehouse.duckdb")
    assert marts_path("dev") == Path("data/warehouse.duckdb")
    with pytest.raises(WarehouseNotFound):
        marts_path("s3")


def test_shipped_watchlist_is_valid():
    entries = read_watchlist(ROOT / "transform" / "seeds" / "watchlist.csv")
    assert entries and all(entry.filters for entry in entries)


@pytest.mark.parametrize("body, message", [
    (HEADER + "a,Old Mill,,,,\nb,,,,,\n", "watchlist.csv line 3: entry 'b' gives no criterion"),
    (HEADER + "a,Old Mill,,,,\n\nb,x,,,\n", "watchlist.csv line 4: 5 fields, expected 6"),
    (HEADER + ",Old Mill,,,,\n", "watchlist.csv line 2: entry_name is empty"),
    (HEADER + "a,Old Mill,,,,\nA,x,,,,\n", "watchlist.csv line 3: entry_name 'A' is already used on line 2"),
    (HEADER + "a,%%,,,,\n", "watchlist.csv line 2: brand_name '%%' matches everything"),
    ("entry,brand\n", "watchlist.csv line 1: header must name the columns"),
    (HEADER + 'a,"Old\nMill",,,,\n', "watchlist.csv line 3: brand_name holds a control character"),
])
def test_a_malformed_watchlist_line_is_named(tmp_path, body, message):
    path = tmp_path / "watchlist.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        read_watchlist(path)
    assert str(caught.value).startswith(message)


def test_cli_bad_input_is_one_line_and_non_zero(tmp_path, capsys):
    bad = tmp_path / "watchlist.csv"
    bad.write_text(HEADER + "a,,,,,\n", encoding="utf-8")
    missing = tmp_path / "none.duckdb"
    cases = [
        (["digest", "--duckdb", str(missing), "--week", "2025-W14"], 1, "no warehouse file at"),
        (["report", "--duckdb", str(missing), "--week", "2025-W14"], 1, "no warehouse file at"),
        (["digest", "--duckdb", str(missing), "--week", "2025-W99"], 2, "is not an ISO week"),
        (["digest", "--duckdb", str(missing), "--watchlist", str(bad)], 2, "watchlist.csv line 2"),
    ]
    for argv, status, message in cases:
        assert main([*argv, "--out", str(tmp_path / "out")]) == status
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "out").exists()


def test_dev_default_falls_back_to_the_older_file_name_only_when_alone(tmp_path, monkeypatch):
    monkeypatch.delenv("TTB_COLA_DUCKDB", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ttb_cola.duckdb").write_bytes(b"")
    assert warehouse_path("dev") == Path("data/ttb_cola.duckdb")
    (tmp_path / "data" / "warehouse.duckdb").write_bytes(b"")
    assert warehouse_path("dev") == Path("data/warehouse.duckdb")
