"""The page backlog read from the destination's tables: listed COLAs that owe pages.

A COLA listed in ``cola_listings`` (the search row, with its completed date) owes pages when the
destination holds no page of the kind ``pages`` asks for, or holds one fetched before the listing's
completed date (the status moved since; dates as in Washington, where the registry dates
completions). With ``pages = form`` a detail page marked ``form_unavailable`` stands for the form (the
registry answers some old COLAs' forms with its not-found page). COLAs parked and not resolved are
left out: every run retries them first (``crawl_parked``).

Read at the start of a command, from the DuckDB file or the lake's Delta tables read-only
(:mod:`ttb_cola.destinations.dataset`), never from what the run remembers: a rerun after a crash or a
budget stop recomputes it, so what is committed is never fetched again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import duckdb

from ttb_cola.fill.plan import Owed
from ttb_cola.parked.book import PARKED_TABLE
from ttb_cola.records import DETAILS_TABLE, FORMS_TABLE, LISTINGS_TABLE

#: The tables the backlog is computed from, and the columns of each it reads (empty stand-ins for
#: the ones not loaded yet).
TABLES: dict[str, str] = {
    LISTINGS_TABLE: "ttb_id varchar, completed_date date, permit_number varchar, brand_name varchar, "
                    "class_type_code varchar, class_type_description varchar, origin_code varchar, "
                    "origin_description varchar",
    FORMS_TABLE: "ttb_id varchar, fetched_at timestamptz",
    DETAILS_TABLE: "ttb_id varchar, fetched_at timestamptz, form_unavailable boolean",
    PARKED_TABLE: "ttb_id varchar, resolved boolean",
}
FIELDS = ("ttb_id", "completed_date", "permit_number", "brand_name", "class_type_code", "class_type_description",
          "origin_code", "origin_description")


def _day(column: str) -> str:
    """A fetch time's date in Washington."""
    return f"cast(timezone('America/New_York', cast({column} as timestamptz)) as date)"


def owed_sql(pages: str) -> str:
    """The listings that owe pages with ``pages`` (form, detail or both), as a select over the tables."""
    form = (f"((f.fetched_at is not null and {_day('f.fetched_at')} >= l.completed_date) or "
            f"(coalesce(d.form_unavailable, false) and {_day('d.fetched_at')} >= l.completed_date))")
    detail = f"(d.fetched_at is not null and {_day('d.fetched_at')} >= l.completed_date)"
    held = {"form": form, "detail": detail, "both": f"({form} and {detail})"}[pages]
    return (
        f"select {', '.join(f'l.{name}' for name in FIELDS)} from {LISTINGS_TABLE} l "
        f"left join {FORMS_TABLE} f on f.ttb_id = l.ttb_id left join {DETAILS_TABLE} d on d.ttb_id = l.ttb_id "
        f"where l.completed_date is not null and not {held} "
        f"and l.ttb_id not in (select ttb_id from {PARKED_TABLE} where not coalesce(resolved, false))"
    )


@contextmanager
def backlog_tables(destination: str, dataset: str, lake: Any, more: dict[str, str] | None = None
                   ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection where every table of :data:`TABLES` (and of ``more``: table -> the columns
    read) can be queried (empty if not loaded yet)."""
    from ttb_cola.destinations.dataset import open_dataset

    tables = {**TABLES, **(more or {})}
    with open_dataset(destination, dataset, lake, tuple(tables)) as (con, present):
        con.execute("set TimeZone = 'UTC'")
        for name, columns in tables.items():
            if name not in present:
                con.execute(f'create temp table "{name}" ({columns})')
        yield con


def read_backlog(con: duckdb.DuckDBPyConnection, pages: str, since: date | None = None) -> list[Owed]:
    """Every COLA that owes pages (completed on or after ``since``, when given), newest completed date
    first (TTB ID breaking ties, highest first)."""
    where = "" if since is None else " and l.completed_date >= ?"
    rows = con.execute(f"{owed_sql(pages)}{where} order by l.completed_date desc, l.ttb_id desc",
                       [] if since is None else [since]).fetchall()
    return [Owed(*row) for row in rows]


def pages_held_from(con: duckdb.DuckDBPyConnection, pages: str) -> date:
    """The first completed date from which no listed COLA owes pages (``date.min``: none owes any)."""
    [(latest,)] = con.execute(f"select max(l.completed_date) from ({owed_sql(pages)}) l").fetchall()
    return date.min if latest is None else latest + timedelta(days=1)


def parked_count(con: duckdb.DuckDBPyConnection) -> int:
    """COLAs parked, not resolved and not given up (left out of the backlog: every run retries them first)."""
    columns = {column[0] for column in con.execute(f"select * from {PARKED_TABLE} limit 0").description}
    given_up = " and not coalesce(given_up, false)" if "given_up" in columns else ""  # (tables loaded before it)
    [(count,)] = con.execute(
        f"select count(*) from {PARKED_TABLE} where not coalesce(resolved, false){given_up}").fetchall()
    return int(count)


def backlog_by_year(con: duckdb.DuckDBPyConnection, pages: str) -> list[tuple[int, int]]:
    """(completed-date year, COLAs owing pages), newest year first."""
    return con.execute(
        f"select year(completed_date) as y, count(*) from ({owed_sql(pages)}) group by y order by y desc"
    ).fetchall()
