"""Every read the API and the MCP server answer, over a cursor on the published file.

Values reach SQL only as bound parameters; the SQL text is built from fixed fragments chosen by which
filters are set. Results are plain JSON values (dates as ``YYYY-MM-DD``, timestamps ISO 8601).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from ttb_cola.serve import filters as check
from ttb_cola.serve.filters import NEW_SIGNALS, ColaFilters, NotFound
from ttb_cola.serve.lookup import COLA_LISTS, LOOKUP_TABLE
from ttb_cola.serve.relation import CRITERIA_COLUMNS, criterion_sql
from ttb_cola.serve.search_index import FTS_SCHEMA, TABLE, WORDS_TABLE

#: COLAs a company answer lists (its newest).
COMPANY_COLAS = 20
#: Days before the newest approval that ``signals`` reads by default.
SIGNAL_DAYS = 7
_ORDER = "order by newest_date desc, ttb_id desc"


def json_value(value: Any) -> Any:
    """A value as JSON holds it: dates and timestamps ISO 8601, decimals as floats."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _records(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    result = cur.execute(sql, params)
    names = [column[0] for column in result.description]
    return [{name: json_value(value) for name, value in zip(names, row, strict=True)} for row in result.fetchall()]


def _optional(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """The rows of ``sql``, none when a table it reads is not in this build (e.g. no barcodes read yet)."""
    try:
        return _records(cur, sql, params)
    except duckdb.CatalogException:
        return []


def _json_deep(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_deep(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_deep(item) for key, item in value.items()}
    return json_value(value)


def get_cola(cur: duckdb.DuckDBPyConnection, ttb_id: str) -> dict[str, Any]:
    """One COLA: its list row, its form's fields, status history, label images and barcodes read from them,
    in one row of ``serve.cola_lookup``.

    Raises:
        BadInput: a malformed TTB ID.
        NotFound: no COLA with that ID in the marts.
    """
    ttb_id = check.ttb_id(ttb_id)
    rows = _records(cur, f"select * from {LOOKUP_TABLE} where ttb_id = ?", [ttb_id])
    if not rows:
        raise NotFound(f"no COLA {ttb_id} in the warehouse")
    cola = rows[0]
    for key, *_ in COLA_LISTS:
        cola[key] = _json_deep(cola.get(key) or [])
    return cola


def filter_sql(filters: ColaFilters) -> tuple[str, list[Any]]:
    """The WHERE clause (over ``serve.colas`` or the relation it is built from) and its parameters for
    ``filters`` (``q`` aside: :func:`text_hits_sql`); the one place a search's filters become SQL."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.permit and "%" not in filters.permit:
        clauses.append("permit_number = ?")  # the index's lookup
        params.append(filters.permit)
    for name in CRITERIA_COLUMNS:
        value = getattr(filters, name)
        if value and not (name == "permit" and "%" not in value):
            sql, values = criterion_sql(name, value)
            clauses.append(sql)
            params.extend(values)
    for value, sql in ((filters.status, "status = ?"), (filters.signal, "signal_type = ?"),
                       (filters.approved_from, "approval_date >= ?"), (filters.approved_to, "approval_date <= ?")):
        if value is not None:
            clauses.append(sql)
            params.append(value)
    return (" and ".join(clauses) or "true"), params


def search_colas(cur: duckdb.DuckDBPyConnection, filters: ColaFilters) -> dict[str, Any]:
    """The COLAs matching every filter, newest first (approval date, else status date, else receipt date):
    the total and one page (``limit``, ``offset``). ``q`` is a full-text search of brand, fanciful name,
    company and permittee names; every word must occur (stemmed, case and accents ignored)."""
    where, params = filter_sql(filters)
    if filters.q:
        return _text_search(cur, filters, where, params)
    if filters.permit and "%" not in filters.permit:
        # one company's COLAs through the permit index, sorted here: DuckDB's top-N would scan every COLA
        rows = _records(cur, f"select * from {TABLE} where {where}", params)
        rows.sort(key=lambda row: (row["newest_date"], row["ttb_id"]), reverse=True)
        return {"total": len(rows), "limit": filters.limit, "offset": filters.offset,
                "colas": rows[filters.offset:filters.offset + filters.limit]}
    [(total,)] = cur.execute(f"select count(*) from {TABLE} where {where}", params).fetchall()
    page = _records(cur, f"select * from {TABLE} where {where} {_ORDER} limit ? offset ?",
                    [*params, filters.limit, filters.offset]) if total > filters.offset else []
    return {"total": total, "limit": filters.limit, "offset": filters.offset, "colas": page}


def _text_search(cur: duckdb.DuckDBPyConnection, filters: ColaFilters, where: str, params: list[Any]) -> dict[str, Any]:
    """A search with ``q``: the COLAs holding every word are read from ``serve.cola_words`` (sorted by word,
    so only the words' rows are read), with their sort date; with no other filter the page is cut there
    and only its rows are read from ``serve.colas``; other filters are applied to the matches' rows."""
    hits, hit_params = text_hits_sql(cur, filters.q or "")
    if where == "true":
        sql = f"""
            with page as (
                select ttb_id, count(*) over () as total from ({hits}) {_ORDER} limit ? offset ?
            )
            select colas.*, page.total from page inner join {TABLE} as colas on page.ttb_id = colas.ttb_id
            order by colas.newest_date desc, colas.ttb_id desc"""
        rows = _records(cur, sql, [*hit_params, filters.limit, filters.offset])
    else:
        rows = _records(cur, f"""
            select *, count(*) over () as total from {TABLE}
            where ttb_id in (select ttb_id from ({hits})) and {where} {_ORDER} limit ? offset ?""",
                        [*hit_params, *params, filters.limit, filters.offset])
    if rows or not filters.offset:
        total = rows[0]["total"] if rows else 0
    else:  # an offset past the last match: count them
        [(total,)] = cur.execute(f"select count(*) from {TABLE} where ttb_id in (select ttb_id from ({hits})) "
                                 f"and {where}", [*hit_params, *params]).fetchall()
    for row in rows:
        del row["total"]
    return {"total": total, "limit": filters.limit, "offset": filters.offset, "colas": rows}


def text_hits_sql(cur: duckdb.DuckDBPyConnection, q: str) -> tuple[str, list[Any]]:
    """A query of the COLAs (``ttb_id``, ``newest_date``) holding every word of ``q``, and its parameters.

    Raises:
        BadInput: ``q`` holds no word to search.
    """
    words = query_words(cur, q)
    if len(words) == 1:  # a word's rows are its matches, already newest first: no grouping
        return f"select ttb_id, newest_date from {WORDS_TABLE} where word = ?", list(words)
    return (f"select ttb_id, newest_date from {WORDS_TABLE} where word in ({', '.join('?' for _ in words)}) "
            "group by ttb_id, newest_date having count(*) = ?"), [*words, len(words)]


def matching_sql(cur: duckdb.DuckDBPyConnection, filters: ColaFilters) -> tuple[str, list[Any]]:
    """The WHERE clause and parameters of every filter of ``filters``, ``q`` included (a saved search).

    Raises:
        BadInput: ``q`` holds no word to search.
    """
    where, params = filter_sql(filters)
    if not filters.q:
        return where, params
    hits, hit_params = text_hits_sql(cur, filters.q)
    return f"ttb_id in (select ttb_id from ({hits})) and {where}", [*hit_params, *params]


def query_words(cur: duckdb.DuckDBPyConnection, q: str) -> list[str]:
    """The words of ``q`` as the full-text index holds them: tokenised, stemmed, stop words dropped.

    Raises:
        BadInput: ``q`` holds no word to search (only punctuation, digits or stop words).
    """
    [(words,)] = cur.execute(f"""
        select coalesce(list(distinct word order by word), [])
        from (select stem(unnest({FTS_SCHEMA}.tokenize(?)), 'porter') as word)
        where word != '' and word not in (select sw from {FTS_SCHEMA}.stopwords)""", [q]).fetchall()
    if not words:
        raise check.BadInput(f"q {q[:40]!r} holds no word to search (only punctuation, digits or stop words)")
    return list(words)


def company(cur: duckdb.DuckDBPyConnection, permit: str) -> dict[str, Any]:
    """A permit holder: its latest name and address, permit type, COLA counts by product type and signal,
    and its newest COLAs.

    Raises:
        BadInput: a malformed permit number.
        NotFound: no such permit in the marts.
    """
    permit = check.permit(permit)
    rows = _records(cur, "select * exclude (company_key) from marts.dim_company where permit_number = ?", [permit])
    if not rows:
        raise NotFound(f"no company with permit {permit} in the warehouse")
    answer = rows[0]
    answer["colas_by_product_type"] = dict(cur.execute(
        f"select product_type, count(*) from {TABLE} where permit_number = ? group by 1 order by 2 desc, 1",
        [permit]).fetchall())
    answer["colas_by_signal"] = dict(cur.execute(
        f"select coalesce(signal_type, 'none'), count(*) from {TABLE} where permit_number = ? group by 1 "
        "order by 2 desc, 1", [permit]).fetchall())
    answer["newest_colas"] = _records(cur, f"select * from {TABLE} where permit_number = ? {_ORDER} limit ?",
                                      [permit, COMPANY_COLAS])
    return answer


def barcode(cur: duckdb.DuckDBPyConnection, gtin: str) -> dict[str, Any]:
    """The COLAs whose labels carry the GTIN (UPC/EAN/ITF-14), newest first.

    Raises:
        BadInput: not a GTIN (8-14 digits with a valid check digit).
        NotFound: no label read carries it.
    """
    gtin = check.gtin(gtin)
    colas = _optional(cur, f"""
        select colas.*, gtins.symbology, gtins.is_placeholder, gtins.first_image_position
        from marts.bridge_cola_gtins as gtins
        inner join {TABLE} as colas on gtins.ttb_id = colas.ttb_id
        where gtins.gtin = ? order by colas.newest_date desc, colas.ttb_id desc""", [gtin])
    if not colas:
        raise NotFound(f"no COLA label carries the barcode {gtin}")
    return {"gtin": gtin, "cola_count": len(colas), "colas": colas}


def signals(cur: duckdb.DuckDBPyConnection, since: Any = None, signal: Any = None, limit: Any = None,
            offset: Any = None) -> dict[str, Any]:
    """COLAs approved on or after ``since`` whose signal is new (a new company, brand or product; or the one
    ``signal`` named), newest first. ``since`` defaults to a week before the newest approval."""
    since_day = check.day("since", since)
    chosen = check.choice("signal", signal, check.SIGNALS)
    page_size = check.whole("limit", limit, check.DEFAULT_LIMIT, 1, check.MAX_LIMIT)
    skip = check.whole("offset", offset, 0, 0)
    if since_day is None:
        [(newest,)] = cur.execute(f"select max(approval_date) from {TABLE}").fetchall()
        since_day = (newest or date.today()) - timedelta(days=SIGNAL_DAYS)
    kinds = [chosen] if chosen else list(NEW_SIGNALS)
    where = f"approval_date >= ? and signal_type in ({', '.join('?' for _ in kinds)})"
    params: list[Any] = [since_day, *kinds]
    [(total,)] = cur.execute(f"select count(*) from {TABLE} where {where}", params).fetchall()
    colas = _records(cur, f"select * from {TABLE} where {where} {_ORDER} limit ? offset ?", [*params, page_size, skip])
    return {"since": since_day.isoformat(), "signals": kinds, "total": total, "limit": page_size, "offset": skip,
            "colas": colas}


def processing_times(cur: duckdb.DuckDBPyConnection, product_type: Any = None, since: Any = None,
                     limit: Any = None) -> dict[str, Any]:
    """Days from receipt to approval per approval week, product type and receipt method (median, 90th
    percentile, change on the week before), newest week first."""
    kind = check.choice("product_type", product_type, check.PRODUCT_TYPES)
    since_day = check.day("since", since)
    page_size = check.whole("limit", limit, 100, 1, check.MAX_LIMIT)
    clauses: list[str] = ["true"]
    params: list[Any] = []
    if kind:
        clauses.append("product_type = ?")
        params.append(kind)
    if since_day:
        clauses.append("approval_week_start >= ?")
        params.append(since_day)
    weeks = _records(cur, f"""
        select approval_week_start, product_type, receipt_method, cola_count, median_days_to_approval,
            p90_days_to_approval, median_days_application_to_approval, previous_week_cola_count,
            median_days_to_approval_change, cola_count_change
        from marts.fct_processing_times where {' and '.join(clauses)}
        order by approval_week_start desc, product_type, receipt_method limit ?""", [*params, page_size])
    return {"weeks": weeks}
