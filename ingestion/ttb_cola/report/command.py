"""``ttb-cola report``: build ``data/report/index.html`` from the warehouse's marts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ttb_cola.digest.command import digest_from_args
from ttb_cola.digest.model import Digest
from ttb_cola.digest.paths import WarehouseNotFound, marts_path
from ttb_cola.digest.queries import MissingMarts, connect
from ttb_cola.digest.watchlist import WatchlistError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ttb_cola.serve.matches import NoSearchIndex


def build_report(digest: Digest, warehouse: Path, out: Path) -> Path:
    """Write ``out/index.html`` for ``digest`` with charts from ``warehouse``; returns its path."""
    from ttb_cola.report import charts, data
    from ttb_cola.report.site import ReportChart, render_site

    with connect(warehouse) as con:
        period = digest.period
        figures = [
            ReportChart("approvals-per-week", "COLAs approved per ISO week (Monday start), stacked by product type.",
                        charts.approvals_chart(data.approvals_per_week(con, period))),
            ReportChart("processing-trend", "Median days from receipt to approval; the tooltip adds the 90th "
                        "percentile.", charts.processing_chart(data.processing_trend(con, period))),
            ReportChart("top-filers", f"Companies with most COLAs approved, {period.label}.",
                        charts.top_filers_chart([
                            dict(zip(["rank", "company", "permit", "colas", "previous_period_colas"], row,
                                     strict=True))
                            for row in digest.section("top_filers").rows
                        ])),
            ReportChart("new-companies", "COLAs that are the first of their permit since coverage started.",
                        charts.new_companies_chart(data.new_companies_per_week(con, period))),
            ReportChart("coverage", "Share of receipt dates crawled (latest crawl not failed), per month and "
                        "method.", charts.coverage_chart(data.coverage_by_month(con))),
            ReportChart("abv-by-category", "Alcohol by volume of the COLAs approved in these weeks, by product "
                        "category (form or label, see `ttb-cola ocr`).",
                        charts.abv_chart(data.abv_by_category(con, period))),
            ReportChart("container-sizes", "The commonest container sizes (net contents) of the COLAs approved in "
                        "these weeks.", charts.container_chart(data.container_sizes(con, period))),
        ]
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(render_site(digest, figures), encoding="utf-8")
    return index


def run_report(args: argparse.Namespace) -> int:
    """The ``report`` subcommand: one-line error and exit 2 on bad input, 1 when the warehouse is unusable."""
    try:
        digest = digest_from_args(args, "ttb-cola report")
        warehouse = marts_path(args.target, args.duckdb)
    except (ValueError, WatchlistError) as exc:
        print(f"ttb-cola report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (WarehouseNotFound, MissingMarts, NoSearchIndex) as exc:
        print(f"ttb-cola report: {exc}", file=sys.stderr)
        return EXIT_FAILED
    index = build_report(digest, warehouse, Path(args.out))
    print(f"ttb-cola report: {digest.period.label}: wrote {index}")
    return EXIT_OK
