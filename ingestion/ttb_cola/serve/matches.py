"""Watchlist matches computed from the watchlist file a command names, against the marts, when it runs.

``fct_watchlist_matches`` holds the matches of the seed as of the last ``make build``; the digest, the
alerts, the API and the MCP server instead match the file they are given (``--watchlist``, else the
``watchlist`` setting, else the seed) against the marts they read, so the matches a user gets are those
of the file they named. Each entry is a search: its filters become SQL through the API's own
:func:`ttb_cola.serve.queries.matching_sql`, over ``serve.colas`` in a published file, else over the
relation that table is built from (:data:`ttb_cola.serve.relation.COLAS_SQL`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from ttb_cola.digest.watchlist import DEFAULT_WATCHLIST, WatchlistEntry, read_watchlist
from ttb_cola.serve.queries import json_value, matching_sql
from ttb_cola.serve.relation import COLAS_SQL, COLUMNS
from ttb_cola.serve.search_index import SCHEMA, TABLE, WORDS_TABLE, load_fts

#: Orders of the matches: by entry then newest first (lists), or newest first across entries (alerts).
BY_ENTRY = "entry_name, newest_date desc, ttb_id desc"
NEWEST_FIRST = "newest_date desc, ttb_id desc, entry_name"


class NoSearchIndex(Exception):
    """A saved search uses ``q`` on a file without the full-text index (not the published file)."""


def watchlist_path(option: str | Path | None) -> Path | None:
    """The watchlist file: ``--watchlist``, else ``sources.ttb_cola.watchlist`` (.dlt/config.toml), else the
    seed when it is there, else None."""
    if option:
        return Path(option).expanduser()
    from ttb_cola.settings import configured

    path = Path(configured("watchlist", str(DEFAULT_WATCHLIST))).expanduser()
    return path if path.is_file() or path != DEFAULT_WATCHLIST else None


def watchlist_entries(option: str | Path | None) -> list[WatchlistEntry]:
    """The entries of the watchlist file (:func:`watchlist_path`), none without one.

    Raises:
        WatchlistError: a malformed file (the message names the line).
    """
    path = watchlist_path(option)
    return read_watchlist(path) if path is not None else []


def _served(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file holds the serving table and its word table (a published file)."""
    [(tables,)] = cur.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() and schema_name = ? "
        "and schema_name || '.' || table_name in (?, ?)", [SCHEMA, TABLE, WORDS_TABLE]).fetchall()
    return tables == 2


def matches_sql(cur: duckdb.DuckDBPyConnection, entries: list[WatchlistEntry], approved_from: date | None = None,
                approved_to: date | None = None, columns: tuple[str, ...] = COLUMNS,
                order: str = BY_ENTRY, leaving_out: str | None = None) -> tuple[str, list[Any]]:
    """One query of every (entry, COLA) match (``entry_name`` then ``columns``) and its parameters; only
    COLAs approved between the dates when given, and none whose (``entry_name``, ``ttb_id``) pair is in
    the relation named ``leaving_out`` (e.g. what a channel was sent).

    Raises:
        NoSearchIndex: an entry uses ``q`` and the file has no full-text index.
        BadInput: an entry's ``q`` holds no word the index can search.
    """
    if _served(cur):
        source = TABLE
        if any(entry.search.q for entry in entries):
            load_fts(cur)  # its tokenizer and stemmer read q
    elif any(entry.search.q for entry in entries):
        name = next(entry.name for entry in entries if entry.search.q)
        raise NoSearchIndex(f"saved search {name!r} uses q: full-text search needs the published file "
                            "(data/analytics.duckdb, built by `make build`)")
    else:
        source = f"({COLAS_SQL})"
    period, period_params = "", []
    for value, clause in ((approved_from, " and approval_date >= ?"), (approved_to, " and approval_date <= ?")):
        if value is not None:
            period += clause
            period_params.append(value)
    parts: list[str] = []
    params: list[Any] = []
    for entry in entries:
        where, where_params = matching_sql(cur, entry.search)
        parts.append(f"select ?::varchar as entry_name, {', '.join(columns)} from {source} as colas "
                     f"where {where}{period}")
        params += [entry.name, *where_params, *period_params]
    left_out = (f" where not exists (select 1 from {leaving_out} as done where done.entry_name = matches.entry_name "
                "and done.ttb_id = matches.ttb_id)") if leaving_out else ""
    return f"select * from ({' union all '.join(parts)}) as matches{left_out} order by {order}", params


def watch_matches(cur: duckdb.DuckDBPyConnection, entries: list[WatchlistEntry], approved_from: date | None = None,
                  approved_to: date | None = None) -> list[dict[str, Any]]:
    """One row per entry and matching COLA (``entry_name`` then the COLA's columns), by entry then newest
    first; only COLAs approved between the dates when given.

    Raises:
        NoSearchIndex: an entry uses ``q`` and the file has no full-text index.
    """
    if not entries:
        return []
    sql, params = matches_sql(cur, entries, approved_from, approved_to)
    result = cur.execute(sql, params)
    names = [column[0] for column in result.description]
    return [{name: json_value(value) for name, value in zip(names, row, strict=True)} for row in result.fetchall()]
