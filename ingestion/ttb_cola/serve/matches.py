"""Watchlist matches computed from the watchlist file a command names, against the marts, when it runs.

``fct_watchlist_matches`` holds the matches of the seed as of the last ``make build``; the digest, the
alerts and the API instead match the file they are given (``--watchlist``) against the marts they
read, so the matches a user gets are those of the file they named. The criteria are those of a COLA
search (:data:`ttb_cola.serve.relation.CRITERIA_COLUMNS`), over the same relation.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from ttb_cola.digest.watchlist import DEFAULT_WATCHLIST, WatchlistEntry, read_watchlist
from ttb_cola.serve.queries import json_value
from ttb_cola.serve.relation import COLAS_SQL, CRITERIA_COLUMNS, criterion_sql

#: Watchlist file columns -> search criteria.
ENTRY_CRITERIA = {"brand_name": "brand", "company_name": "company", "permit_number": "permit",
                  "class_type": "class_type", "origin": "origin"}


def watchlist_entries(option: str | Path | None) -> list[WatchlistEntry]:
    """The entries of the file ``--watchlist`` names, else of the seed when it is there, else none.

    Raises:
        WatchlistError: a malformed file (the message names the line).
    """
    if option:
        return read_watchlist(Path(option))
    return read_watchlist(DEFAULT_WATCHLIST) if DEFAULT_WATCHLIST.is_file() else []


def watch_matches(cur: duckdb.DuckDBPyConnection, entries: list[WatchlistEntry], approved_from: date | None = None,
                  approved_to: date | None = None) -> list[dict[str, Any]]:
    """One row per entry and matching COLA (``entry_name`` then the COLA's columns), by entry then newest
    first; only COLAs approved between the dates when given."""
    if not entries:
        return []
    names = list(ENTRY_CRITERIA.values())
    values_sql = ", ".join("(" + ", ".join("?" for _ in range(len(names) + 1)) + ")" for _ in entries)
    params: list[Any] = []
    for entry in entries:
        params.append(entry.name)
        params.extend(entry.criteria.get(column) for column in ENTRY_CRITERIA)
    tests = " and ".join(f"(watch_{name} is null or {criterion_sql(name, f'watch_{name}')})"
                         for name in CRITERIA_COLUMNS)
    period = ""
    if approved_from is not None:
        period += " and approval_date >= ?"
        params.append(approved_from)
    if approved_to is not None:
        period += " and approval_date <= ?"
        params.append(approved_to)
    sql = f"""
        with entries (entry_name, {', '.join(f'watch_{name}' for name in names)}) as (values {values_sql}),
        colas as ({COLAS_SQL})
        select entries.entry_name, colas.*
        from entries inner join colas on {tests}{period}
        order by entries.entry_name, colas.newest_date desc, colas.ttb_id desc"""
    result = cur.execute(sql, params)
    columns = [column[0] for column in result.description]
    return [{name: json_value(value) for name, value in zip(columns, row, strict=True)} for row in result.fetchall()]
