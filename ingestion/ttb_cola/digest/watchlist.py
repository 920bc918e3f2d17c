"""The user's watchlist: the CSV seed ``transform/seeds/watchlist.csv`` or a file of saved searches
(``.toml``, :mod:`ttb_cola.digest.saved_searches`), checked entry by entry.

dbt loads the seed as it is; this check runs first (``ttb-cola digest``, ``alerts``, ``serve``, ``mcp``)
so a malformed entry is reported as ``watchlist.csv line N: what is wrong`` rather than as a silent
non-match. Every entry is a named search in the filters of ``GET /colas`` (a CSV column gives one of
them), checked by the API's own checks; those commands then match the entries of the file they were
given against the marts (:mod:`ttb_cola.serve.matches`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from ttb_cola.digest.saved_searches import read_saved_searches
from ttb_cola.digest.watch_entry import WatchlistEntry, WatchlistError, checked_entry, watchlist_text

__all__ = ["DEFAULT_WATCHLIST", "WatchlistEntry", "WatchlistError", "read_watchlist"]

COLUMNS = ("entry_name", "brand_name", "company_name", "permit_number", "class_type", "origin")
CRITERIA = COLUMNS[1:]
#: The search filter each CSV criterion column gives.
CSV_FILTERS = {"brand_name": "brand", "company_name": "company", "permit_number": "permit",
               "class_type": "class_type", "origin": "origin"}
#: Where the dbt project reads the watchlist from, relative to the repository root.
DEFAULT_WATCHLIST = Path("transform/seeds/watchlist.csv")


def read_watchlist(path: Path) -> list[WatchlistEntry]:
    """The entries of ``path`` (saved searches when it ends in ``.toml``, else the CSV), every one checked.

    Raises:
        WatchlistError: a malformed file; the message names the line.
    """
    if path.suffix.lower() == ".toml":
        return read_saved_searches(path)
    return read_csv_watchlist(path)


def read_csv_watchlist(path: Path) -> list[WatchlistEntry]:
    """The entries of the CSV ``path``, after checking every line.

    Raises:
        WatchlistError: a missing file, a wrong header, a line with the wrong number of fields, an
            entry without a name or without any criterion, a name used twice, a control character.
    """
    where = path.name
    text = watchlist_text(path)
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise WatchlistError(f"{where} line 1: empty file, expected the header {','.join(COLUMNS)}") from None
    if sorted(header) != sorted(COLUMNS):
        raise WatchlistError(
            f"{where} line 1: header must name the columns {','.join(COLUMNS)}, got {','.join(header)}"
        )
    entries: list[WatchlistEntry] = []
    seen: dict[str, int] = {}
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise WatchlistError(f"{where} line {reader.line_num}: {exc}") from None
        line = reader.line_num
        if not any(field.strip() for field in fields):
            continue  # a blank line
        if len(fields) != len(header):
            raise WatchlistError(
                f"{where} line {line}: {len(fields)} fields, expected {len(header)} ({','.join(header)})"
            )
        values = {name: value.strip() for name, value in zip(header, fields, strict=True)}
        for name, value in values.items():
            if any(ord(char) < 32 for char in value):
                raise WatchlistError(f"{where} line {line}: {name} holds a control character")
        name = values["entry_name"]
        if not name:
            raise WatchlistError(f"{where} line {line}: entry_name is empty")
        if name.lower() in seen:
            raise WatchlistError(
                f"{where} line {line}: entry_name {name!r} is already used on line {seen[name.lower()]}"
            )
        criteria = {key: values[key] for key in CRITERIA if values[key]}
        if not criteria:
            raise WatchlistError(f"{where} line {line}: entry {name!r} gives no criterion ({', '.join(CRITERIA)})")
        if any(value.strip("%") == "" for value in criteria.values()):
            bad = next(key for key, value in criteria.items() if value.strip("%") == "")
            raise WatchlistError(f"{where} line {line}: {bad} {criteria[bad]!r} matches everything")
        seen[name.lower()] = line
        entries.append(checked_entry(where, line, name, {CSV_FILTERS[key]: value for key, value in criteria.items()}))
    return entries
