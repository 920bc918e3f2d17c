"""Basic Search semantics: sessions, criteria validation, matching, sorting, paging and export.

Like the real registry, a search lives in the server-side session (cookie ``JSESSIONID``) that the
GET of the search form starts: the POST runs the search and shows page 1, the paging links move
through the stored results (asking past the end re-serves the last page), and the export writes the
first rows of the stored results, in their order, at most the server's export cap (default
:data:`EXPORT_CAP`), whatever the date range: a search of several days counts every row and exports
the first ones, as the registry does.
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

from ttb_cola_sim.registry import Registry

PAGE_SIZE = 20
EXPORT_CAP = 1000
MAX_RANGE_YEARS = 15
RANGE_ERROR = (
    "The current Date Completed (From) thru Date Completed (To) is greater than 15 year(s), "
    "please select a range less than or equal to 15 year(s)."
)
DATES_REQUIRED_ERROR = "Date Completed (From) and Date Completed (To) are required."
DATE_FORMAT_ERROR = "Date Completed must be a valid date in the format MM/DD/YYYY."
DATE_ORDER_ERROR = "Date Completed (From) must be on or before Date Completed (To)."
_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
SORT_COLUMNS = {
    "ttbId": "ttb_id",
    "permitId": "permit_number",
    "serialNum": "serial_number",
    "dateCompleted": "completed_date",
    "fancifulName": "fanciful_name",
    "brandName": "brand_name",
    "originCode": "origin_code",
    "originCodeDesc": "origin_description",
    "classType": "class_type_code",
    "classTypeDesc": "class_type_description",
}


@dataclass
class Session:
    """One client's server-side search state."""

    sid: str
    last_used: float
    criteria: dict[str, str] = field(default_factory=dict)
    results: Sequence[dict[str, Any]] | None = None
    page: int = 0

    @property
    def pages(self) -> int:
        """Number of result pages (at least 1 once a search ran)."""
        return max(1, -(-len(self.results or []) // PAGE_SIZE))

    def page_rows(self) -> list[dict[str, Any]]:
        """The rows of the current page."""
        rows = self.results or []
        return list(rows[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE])


class Sessions:
    """The server's session store, with an idle timeout."""

    def __init__(self, ttl_seconds: float = 1800.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}

    def create(self) -> Session:
        """Start a session (the search form's GET does this)."""
        session = Session(sid=secrets.token_hex(16).upper(), last_used=time.monotonic())
        with self._lock:
            self._sessions[session.sid] = session
            if len(self._sessions) > 10_000:
                self._expire_locked()
        return session

    def get(self, sid: str | None) -> Session | None:
        """The live session of a cookie value, or None (missing, unknown or timed out)."""
        if not sid:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.last_used > self.ttl_seconds:
                del self._sessions[sid]
                return None
            session.last_used = now
            return session

    def expire_all(self) -> None:
        """Forget every session (as a server restart would)."""
        with self._lock:
            self._sessions.clear()

    def _expire_locked(self) -> None:
        now = time.monotonic()
        for sid in [s for s, v in self._sessions.items() if now - v.last_used > self.ttl_seconds]:
            del self._sessions[sid]


def parse_us_date(text: str | None) -> date | None:
    """MM/DD/YYYY -> date; None when blank; ValueError when malformed."""
    if not text or not text.strip():
        return None
    match = _US_DATE.match(text)
    if not match:
        raise ValueError(text)
    month, day, year = (int(g) for g in match.groups())
    return date(year, month, day)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validate(criteria: dict[str, str]) -> tuple[str | None, date | None, date | None]:
    """Check the completed-date range: (error message or None, from, to)."""
    try:
        first = parse_us_date(criteria.get("searchCriteria.dateCompletedFrom"))
        last = parse_us_date(criteria.get("searchCriteria.dateCompletedTo"))
    except ValueError:
        return DATE_FORMAT_ERROR, None, None
    if first is None or last is None:
        return DATES_REQUIRED_ERROR, None, None
    if first > last:
        return DATE_ORDER_ERROR, None, None
    if last > _years_later(first, MAX_RANGE_YEARS):
        return RANGE_ERROR, None, None
    return None, first, last


def _like(pattern: str) -> re.Pattern[str]:
    """SQL LIKE with ``%`` (any run) and ``_`` (one character), case-insensitive."""
    parts = ["".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern.strip())]
    return re.compile(f"^{parts[0]}$", re.IGNORECASE | re.DOTALL)


@functools.lru_cache(maxsize=4096)
def _code_key(code: str | None) -> tuple[int, str]:
    match = re.match(r"^(\d*)(.*)$", code or "")
    assert match is not None
    return (int(match.group(1)) if match.group(1) else -1, match.group(2))


def run_search(registry: Registry, criteria: dict[str, str]) -> tuple[str | None, Sequence[dict[str, Any]]]:
    """Validate and run a Basic Search: (error message or None, matching records sorted by TTB ID)."""
    error, first, last = validate(criteria)
    if error:
        return error, []
    assert first is not None and last is not None
    name = (criteria.get("searchCriteria.productOrFancifulName") or "").strip()
    name_type = criteria.get("searchCriteria.productNameSearchType") or "B"
    name_re = _like(name) if name else None
    class_from = (criteria.get("searchCriteria.classTypeFrom") or "").strip().upper()
    class_to = (criteria.get("searchCriteria.classTypeTo") or "").strip().upper() or class_from
    origin = (criteria.get("searchCriteria.originCode") or "").strip().upper()
    if not (name_re or class_from or origin):
        ids = registry.completed_ids(first, last)
        if ids is not None:  # only dates: the rows are read as they are shown or exported
            return None, LazyResults(registry, [key for _, key in ids])
    results = []
    for record in registry.completed_between(first, last):
        if name_re is not None:
            brand_ok = name_type in ("B", "E") and bool(name_re.match(record["brand_name"] or ""))
            fanciful_ok = name_type in ("F", "E") and bool(name_re.match(record["fanciful_name"] or ""))
            if not (brand_ok or fanciful_ok):
                continue
        if class_from and not (_code_key(class_from) <= _code_key(record["class_type_code"]) <= _code_key(class_to)):
            continue
        if origin and record["origin_code"] != origin:
            continue
        results.append(record)
    results.sort(key=lambda r: r["ttb_id"])
    return None, results


class LazyResults(Sequence[dict[str, Any]]):
    """Search results whose records are generated when read (a page, an export), so that counting
    a search of years costs no record; the registry's clock at the search is kept."""

    def __init__(self, registry: Registry, keys: list[int]) -> None:
        self.registry = registry
        self.keys = keys
        self.as_of = registry.as_of

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._read(key) for key in self.keys[index]]
        return self._read(self.keys[index])

    def _read(self, key: int) -> dict[str, Any]:
        raw = self.registry.raw_by_key(key, self.as_of)
        assert raw is not None
        return raw


def sort_results(results: list[dict[str, Any]], column: str, order: str) -> None:
    """Sort stored results in place by a results-table column (``sortcol``), ``asc`` or ``desc``."""
    key = SORT_COLUMNS.get(column, "ttb_id")
    results.sort(key=lambda r: (r[key] or "", r["ttb_id"]), reverse=(order == "desc"))
