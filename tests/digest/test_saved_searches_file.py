"""A saved-search file (TOML) is read into named searches checked by the API's own checks; anything wrong is
one line naming the file and the line at fault."""

from __future__ import annotations

from datetime import date

import pytest

from ttb_cola.digest.watchlist import WatchlistError, read_watchlist

GOOD = """\
# my saved searches
[[search]]
name = "Reposado from importers"
q = "reposado"
class_type = "%TEQUILA%"
permit = "%-i-%"

[[search]]
name = "Kentucky bourbon"   # a comment
class_type = "%BOURBON%"
"status" = "approved"
approved_from = 2025-01-01
approved_to = ""
"""


def test_saved_searches_are_the_apis_filters(tmp_path) -> None:
    path = tmp_path / "searches.toml"
    path.write_text(GOOD, encoding="utf-8")
    first, second = read_watchlist(path)
    assert (first.line, first.name, first.filters) == (
        2, "Reposado from importers", {"q": "reposado", "class_type": "%TEQUILA%", "permit": "%-i-%"})
    assert first.search.permit == "%-I-%"  # checked and normalised as the API does
    assert (second.line, second.search.status, second.search.approved_from, second.search.approved_to) == (
        8, "APPROVED", date(2025, 1, 1), None)


@pytest.mark.parametrize(("change", "message"), [
    (('"status" = "approved"', '"status" = "pending"'),
     "searches.toml line 11: entry 'Kentucky bourbon': status must be one of APPROVED"),
    (('q = "reposado"', 'qq = "reposado"'),
     "searches.toml line 4: search 'Reposado from importers': unknown filter 'qq'"),
    (('q = "reposado"', 'limit = "5"'),
     "searches.toml line 4: search 'Reposado from importers': unknown filter 'limit'"),
    (('name = "Kentucky bourbon"', 'name = "REPOSADO from importers"'),
     "searches.toml line 9: name 'REPOSADO from importers' is already used on line 2"),
    (('name = "Kentucky bourbon"   # a comment', ''), "searches.toml line 8: a [[search]] needs a name"),
    (("approved_from = 2025-01-01", "approved_from = 2025"),
     "searches.toml line 12: search 'Kentucky bourbon': approved_from must be text in quotes or a date"),
    (("approved_from = 2025-01-01", 'approved_from = "2025-13-01"'),
     "searches.toml line 12: entry 'Kentucky bourbon': approved_from must be a date YYYY-MM-DD"),
    (('permit = "%-i-%"', 'permit = "%-i-%'), "searches.toml line 6: "),  # TOML syntax, as the parser says it
    (('permit = "%-i-%"', 'permit = "%%"'), "searches.toml line 6: entry 'Reposado from importers': permit"),
    (("[[search]]\nname = \"Kentucky", "[searches]\nname = \"Kentucky"), "searches.toml line 8: unknown table or key"),
    (('q = "reposado"\nclass_type = "%TEQUILA%"\npermit = "%-i-%"\n', ""),
     "searches.toml line 2: entry 'Reposado from importers' gives no criterion"),
])
def test_a_malformed_saved_search_is_named_by_its_line(tmp_path, change, message) -> None:
    old, new = change
    assert old in GOOD
    path = tmp_path / "searches.toml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        read_watchlist(path)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_saved_search_file(tmp_path) -> None:
    with pytest.raises(WatchlistError, match="no such watchlist file"):
        read_watchlist(tmp_path / "none.toml")
