"""The chart data of the report, aggregated in DuckDB from the marts (small lists of dicts)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb

from ttb_cola.digest.period import Period

#: Weeks of history the weekly charts show, ending with the report's period.
WEEKS = 52


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[dict[str, Any]]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [
        {n: (v.isoformat() if isinstance(v, date) else v) for n, v in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]


def history_start(period: Period) -> date:
    """Monday of the first week the weekly charts show."""
    monday = period.end - timedelta(days=period.end.weekday())
    return monday - timedelta(weeks=WEEKS - 1)


def approvals_per_week(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    """COLAs approved per ISO week x product type."""
    return _dicts(con, """
        select cast(date_trunc('week', approval_date) as date) as week, product_type, count(*) as colas
        from marts.fct_cola_approvals where approval_date between ? and ?
        group by all order by 1, 2""", history_start(period), period.end)


def processing_trend(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    """Median and 90th percentile days from receipt to approval per week of approval x product type.

    Every week from the first with data to the period's holds a row per product type (NULL days when
    none was approved), so the chart's line breaks there instead of joining the weeks around it.
    """
    return _dicts(con, """
        with weekly as (
            select cast(date_trunc('week', approval_date) as date) as week, product_type,
                round(quantile_cont(days_to_approval, 0.5), 1) as median_days,
                round(quantile_cont(days_to_approval, 0.9), 1) as p90_days
            from marts.fct_cola_approvals where approval_date between $1 and $2
            group by all
        ), weeks as (
            select cast(unnest(generate_series(min(week), cast($2 as date), interval 7 day)) as date) as week
            from weekly
        )
        select weeks.week, types.product_type, weekly.median_days, weekly.p90_days
        from weeks cross join (select distinct product_type from weekly) as types
        left join weekly using (week, product_type)
        order by 1, 2""", history_start(period), period.end)


def new_companies_per_week(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    """COLAs signalling a new company, per week of approval."""
    return _dicts(con, """
        select cast(date_trunc('week', approval_date) as date) as week, count(*) as new_companies
        from marts.fct_cola_signals
        where approval_date between ? and ? and signal_type = 'new_company'
        group by all order by 1""", history_start(period), period.end)


def coverage_by_month(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Share of receipt dates covered per receipt month x method (crawled, latest crawl not failed)."""
    return _dicts(con, """
        select strftime(receipt_date, '%Y-%m') as month, receipt_method,
            coalesce(any_value(methods.receipt_method_name), receipt_method) as receipt_method_name,
            count(*) as partitions,
            count(*) filter (where coverage_status in
                ('records', 'records_open', 'settled_no_public_colas', 'open_no_records_yet')) as covered,
            round(covered / partitions, 3) as covered_share,
            sum(cola_count) as colas
        from marts.fct_crawl_coverage left join marts.dim_receipt_method as methods using (receipt_method)
        group by month, receipt_method order by 1, 2""")


def abv_by_category(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    """COLAs approved in the charts' weeks per product category (two levels) x whole percent of alcohol."""
    return _dicts(con, """
        select array_to_string(string_split(product_category_path, ' > ')[1:2], ' > ') as category,
            cast(floor(abv_percent) as integer) as abv_percent, count(*) as colas
        from marts.fct_cola_approvals
        where approval_date between ? and ? and abv_percent is not null
        group by all order by 1, 2""", history_start(period), period.end)


def container_sizes(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    """COLAs approved in the charts' weeks per net contents (mL) x product type, the 15 commonest sizes."""
    return _dicts(con, """
        with sizes as (
            select net_contents_ml, product_type, count(*) as colas
            from marts.fct_cola_approvals
            where approval_date between ? and ? and net_contents_ml is not null
            group by all
        ), top as (
            select net_contents_ml from sizes group by 1 order by sum(colas) desc, 1 limit 15
        )
        select case when net_contents_ml >= 1000 then format('{:g} L', net_contents_ml / 1000)
                    else format('{:g} mL', net_contents_ml) end as size,
            net_contents_ml, product_type, colas
        from sizes where net_contents_ml in (select net_contents_ml from top)
        order by net_contents_ml, product_type""", history_start(period), period.end)
