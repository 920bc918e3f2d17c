"""The watchlist a user names is the one whose matches they get: the digest matches the file it is given
against the marts (not the seed built into fct_watchlist_matches), and matching the seed gives exactly
what dbt's fct_watchlist_matches holds."""

from __future__ import annotations

import duckdb
from digest_helpers import sheet_rows
from serve_helpers import DAY, ROOT, TODAY

from ttb_cola.cli import main
from ttb_cola.digest.watchlist import read_watchlist
from ttb_cola.serve.matches import watch_matches


def test_digest_shows_the_named_files_matches(published, tmp_path) -> None:
    out = tmp_path / "digest"
    assert main(["digest", "--duckdb", str(published.path), "--since", DAY.isoformat(), "--until",
                 TODAY.isoformat(), "--today", TODAY.isoformat(), "--watchlist", str(published.watchlist),
                 "--out", str(out)]) == 0
    approved = {r["ttb_id"] for r in published.rows(
        "select ttb_id from marts.fct_cola_approvals where approval_date between ? and ?", [DAY, TODAY])}
    shown = {(row["entry"], row["ttb_id"]) for row in sheet_rows(out / "digest.xlsx", "Watchlist matches")}
    assert shown == {(entry, ttb_id) for entry, ttb_id in published.expected if ttb_id in approved}
    assert shown and not {entry for entry, _ in shown} & {r["entry_name"] for r in published.rows(
        "select entry_name from marts.fct_watchlist_matches")}  # none of the seed's entries


def test_matching_the_seed_gives_dbts_matches(published) -> None:
    entries = read_watchlist(ROOT / "transform" / "seeds" / "watchlist.csv")
    with duckdb.connect(str(published.path), read_only=True) as con:
        computed = {(m["entry_name"], m["ttb_id"]) for m in watch_matches(con, entries)}
    built = {(r["entry_name"], r["ttb_id"]) for r in published.rows(
        "select entry_name, ttb_id from marts.fct_watchlist_matches")}
    assert built and computed == built
