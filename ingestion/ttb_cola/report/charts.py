"""The report's charts as Altair (Vega-Lite) specifications, data inlined."""

from __future__ import annotations

from typing import Any

import altair as alt

WIDTH = 640


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=rows)


def approvals_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Stacked bars: approvals per week by product type."""
    return alt.Chart(_data(rows), title="COLAs approved per week, by product type", width=WIDTH).mark_bar().encode(
        x=alt.X("week:O", title="week of approval (Monday)"),
        y=alt.Y("colas:Q", title="COLAs approved"),
        color=alt.Color("product_type:N", title="product type"),
        tooltip=["week:T", "product_type:N", "colas:Q"],
    )


def processing_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Lines: median days from receipt to approval per week, by product type."""
    return alt.Chart(_data(rows), title="Median days from receipt to approval", width=WIDTH).mark_line(
        point=True
    ).encode(
        x=alt.X("week:T", title="week of approval"),
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
    return alt.Chart(_data(rows), title="New companies per week", width=WIDTH).mark_bar().encode(
        x=alt.X("week:O", title="week of approval (Monday)"),
        y=alt.Y("new_companies:Q", title="new companies"),
        tooltip=["week:T", "new_companies:Q"],
    )


def coverage_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    """Heat map: share of receipt dates covered, per receipt month x method."""
    return alt.Chart(_data(rows), title="Crawl coverage by receipt month and method", width=WIDTH).mark_rect().encode(
        x=alt.X("month:O", title="receipt month"),
        y=alt.Y("receipt_method:N", title="receipt method"),
        color=alt.Color("covered_share:Q", title="share covered", scale=alt.Scale(domain=[0, 1])),
        tooltip=["month:O", "receipt_method:N", "partitions:Q", "covered:Q", "colas:Q"],
    )


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
