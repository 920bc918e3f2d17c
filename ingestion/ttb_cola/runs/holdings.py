"""What the destination's tables hold, by month, for ``status``: the COLAs (by receipt month, read from
the TTB ID, whether a probe or a search found them), the page backlog (by completed month) and when
each kind of work last ran."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ttb_cola.fill.backlog import backlog_tables, owed_sql
from ttb_cola.images.tables import IMAGES_TABLE
from ttb_cola.records import DETAILS_TABLE, FORMS_TABLE, LISTINGS_TABLE

#: The crawl logs and the image table, with the columns read (the page tables come with the backlog's).
LOGS = {
    "crawl_partitions": "run_id varchar, probed bigint, finished_at timestamptz",
    "crawl_searches": "run_id varchar, status varchar, finished_at timestamptz",
    IMAGES_TABLE: "fetched_at timestamptz",
}
#: A TTB ID's receipt month (``YYDDD...``: two-digit year, 70-99 the 1900s, then the day of the year).
RECEIPT_MONTH = (
    "strftime(make_date(case when cast(substr(ttb_id, 1, 2) as int) >= 70 then 1900 else 2000 end"
    " + cast(substr(ttb_id, 1, 2) as int), 1, 1) + (cast(substr(ttb_id, 3, 3) as int) - 1), '%Y-%m')"
)
#: Each kind of work, and the query of its last run: (when, run id).
LAST_RUNS = {
    "receipt probe": "select finished_at, run_id from crawl_partitions where probed > 0",
    "completed-date search": "select finished_at, run_id from crawl_searches where status <> 'verified'",
    "complete dates counted again": "select finished_at, run_id from crawl_searches where status = 'verified'",
    "page fetched": f"select fetched_at, null from {FORMS_TABLE} union all "
                    f"select fetched_at, null from {DETAILS_TABLE}",
    "label image fetched": f"select fetched_at, null from {IMAGES_TABLE}",
}


@dataclass
class Holdings:
    """The destination's tables summed up (months as ``YYYY-MM``)."""

    #: COLAs held (a listing or a page of them) by receipt month.
    colas: dict[str, int] = field(default_factory=dict)
    #: Listed COLAs that owe pages by completed month, and by completed year.
    backlog: dict[str, int] = field(default_factory=dict)
    backlog_years: list[tuple[int, int]] = field(default_factory=list)
    #: Kind of work -> (when it last ended, UTC, to the minute; its run id or None).
    last_runs: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def read_holdings(destination: str, dataset: str, lake: Any, pages: str) -> Holdings:
    """Read :class:`Holdings` from the destination's tables (read-only; empty before the first load)."""
    from ttb_cola.fill.backlog import backlog_by_year

    held = Holdings()
    with backlog_tables(destination, dataset, lake, LOGS) as con:
        ids = " union ".join(f"select ttb_id from {table}" for table in (LISTINGS_TABLE, FORMS_TABLE, DETAILS_TABLE))
        held.colas = dict(con.execute(f"select {RECEIPT_MONTH} as m, count(*) from ({ids}) group by m").fetchall())
        held.backlog = dict(con.execute(
            f"select strftime(completed_date, '%Y-%m') as m, count(*) from ({owed_sql(pages)}) group by m"
        ).fetchall())
        held.backlog_years = backlog_by_year(con, pages)
        for kind, sql in LAST_RUNS.items():
            row = con.execute(f"select strftime(w, '%Y-%m-%d %H:%M'), r from ({sql}) t(w, r) "
                              "where w is not null order by w desc limit 1").fetchone()
            if row:
                held.last_runs[kind] = (row[0], row[1])
    return held
