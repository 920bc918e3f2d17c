"""The report's charts as Altair (Vega-Lite) specifications, data inlined.

Weeks are dates (``week:T``, the Monday), shown as dates on the axis; a line breaks over a week
without data (the data holds that week with a NULL value) instead of drawing straight across it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import altair as alt

WIDTH = 640


def _bar_width(rows: list[dict[str, Any]]) -> float:
    """Pixels of one week's bar on the time axis: most of a week's width, whatever the span shown."""
    weeks = [date.fromisoformat(row["week"]) for row in rows]
    span = ((max(weeks) - min(weeks)).days // 7 + 1) if weeks else 1
    return max(2.0, round(WIDTH / (span + 1) * 0.8, 1))


def _week_x(rows: list[dict[str, Any]], padding: float = 0) -> alt.X:
    """The x axis of the weekly charts: time, a tick and label at each week's Monday (as a date)."""
    mondays = sorted({row["week"] for row in rows})
    values = [alt.DateTime(year=int(d[:4]), month=int(d[5:7]), date=int(d[8:10])) for d in mondays]
    return alt.X("week:T", title="week of approval (Monday)", scale=alt.Scale(padding=padding),
                 axis=alt.Axis(format="%Y-%m-%d", labelAngle=-45, values=values, grid=False, labelOverlap=True))


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=rows)


def approvals_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Stacked bars: approvals per week by product type."""
    width = _bar_width(rows)
    return alt.Chart(_data(rows), title="COLAs approved per week, by product type", width=WIDTH).mark_bar(
        width=width
    ).encode(
        x=_week_x(rows, width), y=alt.Y("colas:Q", title="COLAs approved"),
        color=alt.Color("product_type:N", title="product type"),
        tooltip=["week:T", "product_type:N", "colas:Q"],
    )


def processing_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Lines: median days from receipt to approval per week, by product type."""
    return alt.Chart(_data(rows), title="Median days from receipt to approval", width=WIDTH).mark_line(
        point=True, invalid="break-paths-filter-domains"
    ).encode(
        x=_week_x(rows),
        y=alt.Y("median_days:Q", title="median days"),
        color=alt.Color("product_type:N", title="product type"),
        tooltip=["week:T", "product_type:N", "median_days:Q", "p90_days:Q"],
    )


def top_filers_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Horizontal bars: the period's top filers."""
    return alt.Chart(_data(rows), title="Top filers this period", width=WIDTH).mark_bar().encode(
        x=alt.X("colas:Q", title="COLAs approved"),
        y=alt.Y("company:N", sort="-x", title=None),
        tooltip=["company:N", "permit:N", "colas:Q", "previous_period_colas:Q"],
    )


def new_companies_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Bars: COLAs from new companies per week."""
    width = _bar_width(rows)
    return alt.Chart(_data(rows), title="New companies per week", width=WIDTH).mark_bar(width=width).encode(
        x=_week_x(rows, width),
        y=alt.Y("new_companies:Q", title="new companies"),
        tooltip=["week:T", "new_companies:Q"],
    )


def coverage_chart(rows: list[dict[str, Any]]) -> alt.LayerChart:
    """Heat map: share of receipt dates covered, per receipt month x method (by name), the share printed."""
    base = alt.Chart(_data(rows), title="Crawl coverage by receipt month and method", width=WIDTH).encode(
        x=alt.X("month:O", title="receipt month"),
        y=alt.Y("receipt_method_name:N", title="receipt method"),
        tooltip=["month:O", "receipt_method_name:N", "receipt_method:N", "partitions:Q", "covered:Q", "colas:Q"],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("covered_share:Q", title="share covered",
                        scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen")),
    )
    labels = base.mark_text(fontSize=11).encode(text=alt.Text("covered_share:Q", format=".0%"))
    return cells + labels


def abv_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Heat map: COLAs per product category x whole percent of alcohol by volume."""
    return alt.Chart(_data(rows), title="Alcohol by volume, by product category", width=WIDTH).mark_rect().encode(
        x=alt.X("abv_percent:O", title="% alcohol by volume (whole percent)"),
        y=alt.Y("category:N", title=None),
        color=alt.Color("colas:Q", title="COLAs"),
        tooltip=["category:N", "abv_percent:O", "colas:Q"],
    )


def container_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Stacked bars: COLAs per container size (net contents), by product type."""
    return alt.Chart(_data(rows), title="Container sizes (net contents)", width=WIDTH).mark_bar().encode(
        x=alt.X("size:N", sort=alt.EncodingSortField("net_contents_ml", op="min"), title="net contents"),
        y=alt.Y("colas:Q", title="COLAs approved"),
        color=alt.Color("product_type:N", title="product type"),
        tooltip=["size:N", "product_type:N", "colas:Q"],
    )
