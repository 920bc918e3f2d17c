"""A file of saved searches (TOML): named searches in the filters of ``GET /colas``, checked entry by entry.

Each ``[[search]]`` table is one watch: a ``name`` and any of the filters (``q``, ``permit``, ``brand``,
``company``, ``class_type``, ``origin``, ``status``, ``signal``, ``approved_from``, ``approved_to``), all
combined with AND, exactly as the API reads them::

    [[search]]
    name = "Reposado from importers"
    q = "reposado"
    class_type = "%TEQUILA%"
    permit = "%-I-%"

A malformed file is one :class:`~ttb_cola.digest.watchlist.WatchlistError` naming the line: TOML syntax
(as the parser reports it), an unknown key, a value that is not text, a filter the API would refuse.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from ttb_cola.digest.watch_entry import (
    WATCH_FILTERS,
    WatchlistEntry,
    WatchlistError,
    checked_entry,
    watchlist_text,
)

#: The table each saved search is written in.
TABLE = "search"
_HEADER = re.compile(rf"^\s*\[\[\s*{TABLE}\s*\]\]\s*(#.*)?$")
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)$")


def _key_line(lines: list[str], key: str, start: int = 0, end: int | None = None) -> int:
    """The line (1-based) in ``lines[start:end]`` that sets ``key`` (or opens its table), else ``start + 1``."""
    quoted = rf"(\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})"
    pattern = re.compile(rf"^\s*({quoted}\s*=|\[+\s*{quoted}\s*[].])")
    stop = len(lines) if end is None else min(end, len(lines))
    return next((n + 1 for n in range(start, stop) if pattern.match(lines[n])), start + 1)


def _text(value: Any) -> str | None:
    """A filter value as the API takes it (a TOML date as YYYY-MM-DD); None for any other type."""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return None


def read_saved_searches(path: Path) -> list[WatchlistEntry]:
    """The saved searches of the TOML file ``path``, every one checked.

    Raises:
        WatchlistError: a missing or malformed file; the message names the line.
    """
    where = path.name
    text = watchlist_text(path)
    lines = text.splitlines()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _AT_LINE.search(message)
        line = found.group(1) if found else str(len(lines))
        raise WatchlistError(f"{where} line {line}: {_AT_LINE.sub('', message).strip()} (TOML)") from None
    for key in document:
        if key != TABLE:
            raise WatchlistError(f"{where} line {_key_line(lines, key, 0, len(lines))}: unknown table or key "
                                 f"{key!r} (each saved search is a [[{TABLE}]] table)")
    searches = document.get(TABLE, [])
    if not isinstance(searches, list) or not all(isinstance(item, dict) for item in searches):
        raise WatchlistError(f"{where} line {_key_line(lines, TABLE, 0, len(lines))}: {TABLE} must be "
                             f"[[{TABLE}]] tables")
    starts = [n for n, line in enumerate(lines) if _HEADER.match(line)]
    if len(starts) != len(searches):  # written as an inline array: every entry reported at its key
        starts = [_key_line(lines, TABLE, 0, len(lines)) - 1] * len(searches)
    entries: list[WatchlistEntry] = []
    seen: dict[str, int] = {}
    for number, (search, start) in enumerate(zip(searches, starts, strict=True)):
        end = starts[number + 1] if number + 1 < len(starts) and starts[number + 1] > start else len(lines)
        name = search.get("name")
        if not isinstance(name, str) or not name.strip():
            raise WatchlistError(f"{where} line {_key_line(lines, 'name', start, end)}: a [[{TABLE}]] needs a "
                                 "name (name = \"...\")")
        name = name.strip()
        if name.lower() in seen:
            raise WatchlistError(f"{where} line {_key_line(lines, 'name', start, end)}: name {name!r} is already "
                                 f"used on line {seen[name.lower()]}")
        filters: dict[str, str] = {}
        for key, value in search.items():
            if key == "name":
                continue
            line = _key_line(lines, key, start, end)
            if key not in WATCH_FILTERS:
                raise WatchlistError(f"{where} line {line}: search {name!r}: unknown filter {key!r} "
                                     f"(filters: {', '.join(WATCH_FILTERS)})")
            value_text = _text(value)
            if value_text is None:
                raise WatchlistError(f"{where} line {line}: search {name!r}: {key} must be text in quotes or a date, "
                                     f"got {value!r}")
            if value_text.strip():
                filters[key] = value_text
        entry = checked_entry(where, start + 1, name, filters, partial(_key_line, lines, start=start, end=end))
        seen[name.lower()] = start + 1
        entries.append(entry)
    return entries
