"""``ttb-cola digest``: build the digest the options name and write ``digest.md``, ``digest.html``, ``digest.xlsx``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ttb_cola.clock import washington_today
from ttb_cola.digest.html import render_html
from ttb_cola.digest.markdown import render_markdown
from ttb_cola.digest.model import Digest
from ttb_cola.digest.paths import WarehouseNotFound, marts_path
from ttb_cola.digest.period import Period, resolve_period, week_period
from ttb_cola.digest.queries import MissingMarts, build_digest, has_approvals, latest_week_with_data
from ttb_cola.digest.spreadsheet import write_spreadsheet
from ttb_cola.digest.watchlist import WatchlistEntry, WatchlistError, read_watchlist
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ttb_cola.serve.matches import NoSearchIndex, watchlist_path


@dataclass(frozen=True)
class DigestFiles:
    """The files one run wrote."""

    markdown: Path
    html: Path
    spreadsheet: Path


def check_watchlist(option: str | None) -> list[WatchlistEntry] | None:
    """The entries of the watchlist file named by ``--watchlist`` (else the ``watchlist`` setting, else the
    seed when it exists), checked; None when there is no file (the digest then shows ``fct_watchlist_matches``)."""
    path = watchlist_path(option)
    return read_watchlist(path) if path is not None else None


def default_period_with_data(period: Period, marts: Path, prog: str) -> Period:
    """The default period (last full week), or when nothing was approved in it the latest week that has
    approvals, said in one line on stderr; unchanged when the warehouse has no approval at all."""
    if has_approvals(marts, period):
        return period
    latest = latest_week_with_data(marts, period.end)
    if latest is None:
        print(f"{prog}: no COLA approved by {period.end.isoformat()} in {marts}: the digest is empty", file=sys.stderr)
        return period
    chosen = week_period(latest.isoformat())
    print(f"{prog}: no COLA approved in {period.label}; the latest week with approvals is {chosen.label}: "
          "using it (--week or --since to choose)", file=sys.stderr)
    return chosen


def digest_from_args(args: argparse.Namespace, prog: str = "ttb-cola digest") -> Digest:
    """Check the inputs and build the digest the options name (raises on bad input). Without a period
    option, the last full week, or the latest week with approvals when that one has none."""
    today = date.fromisoformat(args.today) if args.today else washington_today()  # the registry's date
    period = resolve_period(args.week, args.since, args.until, today)
    entries = check_watchlist(args.watchlist)
    marts = marts_path(args.target, args.duckdb)
    if not (args.week or args.since):
        period = default_period_with_data(period, marts, prog)
    return build_digest(marts, period, today, entries)


def write_digest(digest: Digest, out: Path) -> DigestFiles:
    """Write the three files of ``digest`` into ``out`` (created)."""
    out.mkdir(parents=True, exist_ok=True)
    files = DigestFiles(out / "digest.md", out / "digest.html", out / "digest.xlsx")
    files.markdown.write_text(render_markdown(digest), encoding="utf-8")
    files.html.write_text(render_html(digest), encoding="utf-8")
    write_spreadsheet(digest, files.spreadsheet)
    return files


def run_digest(args: argparse.Namespace) -> int:
    """The ``digest`` subcommand: one-line error and exit 2 on bad input, 1 when the warehouse is unusable."""
    try:
        digest = digest_from_args(args)
    except (ValueError, WatchlistError) as exc:
        print(f"ttb-cola digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (WarehouseNotFound, MissingMarts, NoSearchIndex) as exc:
        print(f"ttb-cola digest: {exc}", file=sys.stderr)
        return EXIT_FAILED
    files = write_digest(digest, Path(args.out))
    if args.stdout:
        sys.stdout.write(files.markdown.read_text(encoding="utf-8"))
    else:
        print(f"ttb-cola digest: {digest.period.label}: wrote {files.markdown}, {files.html}, {files.spreadsheet}")
    return EXIT_OK
