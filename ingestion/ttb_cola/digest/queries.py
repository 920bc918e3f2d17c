"""The digest's figures, read from the marts of a built warehouse (two-part names ``marts.*``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from ttb_cola.digest.model import Digest, Section
from ttb_cola.digest.period import Period
from ttb_cola.digest.permittees import first_labels_section, new_permits_section
from ttb_cola.digest.watchlist import WatchlistEntry

#: The marts a digest reads; a warehouse built before they existed is told to rebuild.
REQUIRED_MARTS = (
    "fct_cola_approvals", "fct_cola_signals", "fct_watchlist_matches", "dim_company", "fct_crawl_coverage",
    "fct_processing_times",
)
STATUS_CHANGES = ("SURRENDERED", "REVOKED", "EXPIRED")
SIGNAL_LABELS = {"new_company": "New companies", "new_brand": "New brands", "new_product": "New products",
                 "refile": "Refiles", "other": "Other COLAs", "unknown": "Unknown (outside coverage)"}
TOP_FILERS = 10
#: Coverage shorter than this makes "new" weak: a permit that files once a year looks new.
SHORT_COVERAGE_DAYS = 365
WATCHLIST_COLUMNS = ["entry", "ttb_id", "approval_date", "status", "company", "brand", "fanciful_name", "product_type"]
#: The date a COLA counts in a period by: its approval date, or, for a COLA known from its search
#: listing only (no pages, so no approval date), the completed date it is listed under (its approval,
#: unless its status changed since). ``fct_cola_approvals`` names that date ``status_date``.
PERIOD_DATE = "coalesce(approval_date, case when not has_pages then completed_date end)"
APPROVALS_PERIOD_DATE = "coalesce(approval_date, case when not has_pages then status_date end)"


class MissingMarts(Exception):
    """The warehouse lacks marts the digest reads (built by an older version, or not built)."""


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse, after checking the marts are there."""
    con = duckdb.connect(str(path), read_only=True)
    present = {name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()}
    missing = [name for name in REQUIRED_MARTS if name not in present]
    if missing:
        con.close()
        raise MissingMarts(f"{path} lacks marts.{', marts.'.join(missing)} (run `make build`)")
    return con


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return con.execute(sql, list(params)).fetchall()


def _change(now: float | int | None, before: float | int | None) -> float | int | None:
    if now is None or before is None:
        return None
    return round(now - before, 1) if isinstance(now, float) or isinstance(before, float) else now - before


def summary_section(con: duckdb.DuckDBPyConnection, period: Period, previous: Period) -> Section:
    """Headline counts this period vs the previous one: approvals (by product type), signals, status changes."""
    def counts(p: Period) -> dict[str, Any]:
        out: dict[str, Any] = {}
        [(total, median)] = _rows(con, f"""
            select count(*), round(quantile_cont(days_to_approval, 0.5), 1)
            from marts.fct_cola_approvals where {APPROVALS_PERIOD_DATE} between ? and ?""", p.start, p.end)
        out["COLAs approved"] = total
        for product_type, n in _rows(con, f"""
            select product_type, count(*) from marts.fct_cola_approvals
            where {APPROVALS_PERIOD_DATE} between ? and ? group by 1""", p.start, p.end):
            out[f"  {product_type}"] = n
        for signal, n in _rows(con, f"""
            select signal_type, count(*) from marts.fct_cola_signals
            where {PERIOD_DATE} between ? and ? group by 1""", p.start, p.end):
            out[SIGNAL_LABELS.get(signal, signal)] = n
        [(changes,)] = _rows(con, f"""
            select count(*) from marts.fct_cola_approvals
            where status_date between ? and ? and status in {STATUS_CHANGES}""", p.start, p.end)
        out["Status changes (surrendered, revoked, expired)"] = changes
        out["Median days receipt to approval"] = median
        return out

    now, before = counts(period), counts(previous)
    product_types = sorted({k for k in (*now, *before) if k.startswith("  ")})
    order = ["COLAs approved", *product_types, *SIGNAL_LABELS.values(),
             "Status changes (surrendered, revoked, expired)", "Median days receipt to approval"]
    rows = []
    for metric in order:
        value, prior = now.get(metric), before.get(metric)
        if metric != "Median days receipt to approval":
            value, prior = value or 0, prior or 0
        rows.append((metric.replace("  ", "of which "), value, prior, _change(value, prior)))
    return Section("summary", "At a glance", ["metric", "this period", "previous period", "change"], rows,
                   note=f"Previous period: {previous.label}.", limit=None)


def signal_section(con: duckdb.DuckDBPyConnection, period: Period, signal: str, title: str) -> Section:
    """COLAs approved in the period whose signal is ``signal``, newest approval first (a COLA known from
    its listing only: by its completed date, see :data:`PERIOD_DATE`)."""
    rows = _rows(con, f"""
        select ttb_id, {PERIOD_DATE} as approval_date, company_name, permit_number, brand_name, fanciful_name,
            product_type, coverage_start_date
        from marts.fct_cola_signals
        where {PERIOD_DATE} between ? and ? and signal_type = ?
        order by 2 desc, ttb_id""", period.start, period.end, signal)
    return Section(signal, title, ["ttb_id", "approval_date", "company", "permit", "brand", "fanciful_name",
                                   "product_type", "new_since"], rows)


def top_filers_section(con: duckdb.DuckDBPyConnection, period: Period, previous: Period) -> Section:
    """The companies with most COLAs approved in the period (ties by permit number)."""
    rows = _rows(con, f"""
        with now as (
            select permit_number, count(*) as colas from marts.fct_cola_approvals
            where {APPROVALS_PERIOD_DATE} between ? and ? and permit_number is not null group by 1
        ), before as (
            select permit_number, count(*) as colas from marts.fct_cola_approvals
            where {APPROVALS_PERIOD_DATE} between ? and ? and permit_number is not null group by 1
        )
        select row_number() over (order by now.colas desc, now.permit_number) as rank,
            coalesce(company.company_name, '(unknown)'), now.permit_number, now.colas, coalesce(before.colas, 0)
        from now
        left join before using (permit_number)
        left join marts.dim_company as company using (permit_number)
        order by rank limit {TOP_FILERS}""", period.start, period.end, previous.start, previous.end)
    return Section("top_filers", "Top filers", ["rank", "company", "permit", "colas", "previous_period_colas"], rows,
                   limit=None)


def watchlist_section(con: duckdb.DuckDBPyConnection, period: Period,
                      entries: list[WatchlistEntry] | None = None) -> Section:
    """Watchlist matches approved in the period: of ``entries`` (the file the user named) matched against the
    marts now, else, without a file, those ``fct_watchlist_matches`` holds from the last build."""
    if entries is not None:
        from ttb_cola.serve.matches import watch_matches

        matches = watch_matches(con, entries, period.start, period.end)
        rows = [(m["entry_name"], m["ttb_id"], _day(m["approval_date"]), m["status"], m["company_name"],
                 m["brand_name"], m["fanciful_name"], m["product_type"]) for m in matches]
        rows.sort(key=lambda row: (row[0], -(row[2].toordinal() if row[2] else 0), row[1]))
        return Section("watchlist", "Watchlist matches", WATCHLIST_COLUMNS, rows, limit=50)
    rows = _rows(con, f"""
        select entry_name, ttb_id, {PERIOD_DATE} as approval_date, status, company_name, brand_name, fanciful_name,
            product_type
        from marts.fct_watchlist_matches
        where {PERIOD_DATE} between ? and ?
        order by entry_name, 3 desc, ttb_id""", period.start, period.end)
    return Section("watchlist", "Watchlist matches", WATCHLIST_COLUMNS, rows, limit=50)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def status_changes_section(con: duckdb.DuckDBPyConnection, period: Period) -> Section:
    """COLAs surrendered, revoked or expired in the period (status date as listed by the registry)."""
    rows = _rows(con, f"""
        select approvals.ttb_id, approvals.status, approvals.status_date, company.company_name,
            approvals.brand_name, approvals.fanciful_name
        from marts.fct_cola_approvals as approvals
        left join marts.dim_company as company using (company_key)
        where approvals.status_date between ? and ? and approvals.status in {STATUS_CHANGES}
        order by approvals.status_date desc, approvals.ttb_id""", period.start, period.end)
    return Section("status_changes", "Status changes", ["ttb_id", "status", "status_date", "company", "brand",
                                                          "fanciful_name"], rows,
                   note="When the change took effect is known from the registry's search list; a change no "
                        "search has listed yet is not counted.")


def processing_section(con: duckdb.DuckDBPyConnection, period: Period, previous: Period) -> Section:
    """Days from receipt to approval of the COLAs approved in the period, by product type, vs the previous period."""
    rows = _rows(con, """
        with stats as (
            select product_type,
                count(*) filter (where approval_date between $1 and $2) as colas,
                round(quantile_cont(days_to_approval, 0.5) filter (where approval_date between $1 and $2), 1) as med,
                round(quantile_cont(days_to_approval, 0.9) filter (where approval_date between $1 and $2), 1) as p90,
                round(quantile_cont(days_application_to_approval, 0.5)
                    filter (where approval_date between $1 and $2), 1) as app_med,
                round(quantile_cont(days_to_approval, 0.5) filter (where approval_date between $3 and $4), 1) as prev
            from marts.fct_cola_approvals
            where approval_date between $3 and $2
            group by grouping sets ((product_type), ())
        )
        select coalesce(product_type, 'All'), colas, med, p90, app_med, prev, round(med - prev, 1)
        from stats where colas > 0
        order by product_type is null, product_type""", period.start, period.end, previous.start, previous.end)
    return Section("processing_times", "Processing times (days)",
                   ["product_type", "colas", "median_receipt_to_approval", "p90_receipt_to_approval",
                    "median_application_to_approval", "previous_median", "median_change"], rows, limit=None)


def weekly_processing_section(con: duckdb.DuckDBPyConnection, period: Period) -> Section:
    """The weeks of ``fct_processing_times`` starting in the period, by product type and receipt method."""
    rows = _rows(con, """
        select times.approval_week_start, times.product_type,
            coalesce(methods.receipt_method_name, times.receipt_method), times.cola_count,
            times.median_days_to_approval, times.p90_days_to_approval, times.median_days_to_approval_change,
            times.cola_count_change
        from marts.fct_processing_times as times
        left join marts.dim_receipt_method as methods using (receipt_method)
        where times.approval_week_start between ? and ?
        order by times.approval_week_start, times.product_type, times.receipt_method""", period.start, period.end)
    return Section("weekly_processing_times", "Weekly processing times",
                   ["week", "product_type", "receipt_method", "colas", "median_days", "p90_days",
                    "median_days_change", "colas_change"], rows, limit=60,
                   note="Weeks of approval that start in the period; changes are against the week before.")


def coverage_note(con: duckdb.DuckDBPyConnection) -> str:
    """What "new" means here: the coverage the signals rest on, how long it is, a warning when short."""
    [(first, last, covered_to, unknown)] = _rows(con, """
        select min(coverage_start_date), max(coverage_start_date),
            max(receipt_date) filter (where signal_type != 'unknown'),
            count(*) filter (where signal_type = 'unknown')
        from marts.fct_cola_signals""")
    if first is None:
        return "No receipt date is fully covered yet: every signal is unknown."
    days = (covered_to - first).days + 1 if covered_to else 0
    text = f"New means new since the start of gap-free crawl coverage ({first.isoformat()}"
    text += f"; after a gap, since {last.isoformat()})" if last != first else ")"
    text += f": {days} days of receipt dates, to {covered_to.isoformat()}." if covered_to else "."
    if days < SHORT_COVERAGE_DAYS:
        text += (f" Warning: {days} days is short; a company or brand that files less often than that"
                 " looks new here (backfill further back for a stronger signal).")
    if unknown:
        text += f" {unknown} COLAs outside covered dates are marked unknown."
    return text


def latest_week_with_data(path: Path, before: date) -> date | None:
    """The latest approval date on or before ``before`` (None when nothing is approved by then)."""
    with connect(path) as con:
        [(latest,)] = _rows(con, f"select max({APPROVALS_PERIOD_DATE}) from marts.fct_cola_approvals "
                            f"where {APPROVALS_PERIOD_DATE} <= ?", before)
    return latest


def has_approvals(path: Path, period: Period) -> bool:
    """Whether any COLA was approved in ``period``."""
    with connect(path) as con:
        [(n,)] = _rows(con, f"select count(*) from marts.fct_cola_approvals where {APPROVALS_PERIOD_DATE} "
                       "between ? and ?", period.start, period.end)
    return n > 0


def build_digest(path: Path, period: Period, today: date | None = None,
                 entries: list[WatchlistEntry] | None = None) -> Digest:
    """Every section of the digest of ``period`` from the warehouse at ``path``; the watchlist section matches
    ``entries`` when given."""
    previous = period.previous()
    with connect(path) as con:
        digest = Digest(period, previous, coverage_note(con), generated_on=today)
        digest.sections = [
            summary_section(con, period, previous),
            signal_section(con, period, "new_company", "New companies"),
            signal_section(con, period, "new_brand", "New brands"),
            signal_section(con, period, "new_product", "New products"),
            top_filers_section(con, period, previous),
            watchlist_section(con, period, entries),
            new_permits_section(con, period),
            first_labels_section(con, period),
            status_changes_section(con, period),
            processing_section(con, period, previous),
            weekly_processing_section(con, period),
        ]
    return digest
