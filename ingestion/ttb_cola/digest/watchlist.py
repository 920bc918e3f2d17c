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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ttb_cola.serve.filters import FILTER_NAMES, BadInput, ColaFilters, cola_filters

COLUMNS = ("entry_name", "brand_name", "company_name", "permit_number", "class_type", "origin")
CRITERIA = COLUMNS[1:]
#: The search filter each CSV criterion column gives.
CSV_FILTERS = {"brand_name": "brand", "company_name": "company", "permit_number": "permit",
               "class_type": "class_type", "origin": "origin"}
#: The filters a watch entry may give: those of a search, without the page (limit, offset).
WATCH_FILTERS = tuple(name for name in FILTER_NAMES if name not in ("limit", "offset"))
#: Where the dbt project reads the watchlist from, relative to the repository root.
DEFAULT_WATCHLIST = Path("transform/seeds/watchlist.csv")


class WatchlistError(ValueError):
    """A malformed watchlist file; the message names the file and line."""


@dataclass(frozen=True)
class WatchlistEntry:
    """One entry: its name, the line it starts on and the search filters it gives (as text, empty ones left
    out; names as :data:`WATCH_FILTERS`)."""

    line: int
    name: str
    filters: dict[str, str]

    @property
    def search(self) -> ColaFilters:
        """The entry's filters, checked as the API checks a search."""
        return cola_filters(self.filters)


def checked_entry(where: str, line: int, name: str, filters: dict[str, str],
                  line_of: Callable[[str], int] | None = None) -> WatchlistEntry:
    """The entry starting on ``line``, once the API's checks accept its filters.

    Raises:
        WatchlistError: a filter the API would refuse, or none at all; the message names ``where`` and the
            line (``line_of`` of the filter at fault when given, else ``line``).
    """
    if not filters:
        raise WatchlistError(f"{where} line {line}: entry {name!r} gives no criterion ({', '.join(WATCH_FILTERS)})")
    entry = WatchlistEntry(line, name, filters)
    try:
        entry.search  # noqa: B018 - checked now, so a bad value is named with its line
    except BadInput as exc:
        at_fault = next((key for key in filters if str(exc).startswith(f"{key} ")), None)
        where_line = line_of(at_fault) if line_of and at_fault else line
        raise WatchlistError(f"{where} line {where_line}: entry {name!r}: {exc}") from None
    return entry


def read_watchlist(path: Path) -> list[WatchlistEntry]:
    """The entries of ``path`` (saved searches when it ends in ``.toml``, else the CSV), every one checked.

    Raises:
        WatchlistError: a malformed file; the message names the line.
    """
    if path.suffix.lower() == ".toml":
        from ttb_cola.digest.saved_searches import read_saved_searches

        return read_saved_searches(path)
    return read_csv_watchlist(path)


def read_csv_watchlist(path: Path) -> list[WatchlistEntry]:
    """The entries of the CSV ``path``, after checking every line.

    Raises:
        WatchlistError: a missing file, a wrong header, a line with the wrong number of fields, an
            entry without a name or without any criterion, a name used twice, a control character.
    """
    where = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WatchlistError(f"{path}: no such watchlist file") from None
    except UnicodeDecodeError as exc:
        raise WatchlistError(f"{where}: not UTF-8 text ({exc.reason})") from None
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
