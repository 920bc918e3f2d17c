"""One watch: a named search in the filters of ``GET /colas``, as a watchlist file gives it (a CSV line or a
saved search), checked by the API's own checks so a bad value is named with its line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ttb_cola.serve.filters import FILTER_NAMES, BadInput, ColaFilters, cola_filters

#: The filters a watch entry may give: those of a search, without the page (limit, offset).
WATCH_FILTERS = tuple(name for name in FILTER_NAMES if name not in ("limit", "offset"))


class WatchlistError(ValueError):
    """A malformed watchlist file; the message names the file and line."""


def watchlist_text(path: Path) -> str:
    """The text of the watchlist file ``path``.

    Raises:
        WatchlistError: no such file, or not UTF-8 text.
    """
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WatchlistError(f"{path}: no such watchlist file") from None
    except UnicodeDecodeError as exc:
        raise WatchlistError(f"{path.name}: not UTF-8 text ({exc.reason})") from None


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
