"""``status``: by month, what the destination holds (COLAs by receipt month, whether a probe or a search
found them), the receipt partitions and completed dates by state, the page backlog (listed COLAs
without their pages) and the parked COLAs; when each kind of work last ran; the COLAs left parked and
the load packages moved aside."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ttb_cola.errors import InputError
from ttb_cola.ids import parse_partition_key, parse_ttb_id
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_PARKED, EXIT_USAGE

if TYPE_CHECKING:
    from ttb_cola.runs.holdings import Holdings
    from ttb_cola.runs.quarantine import MovedAside

#: Parked COLAs named by ``status`` (the rest are counted; the table ``crawl_parked`` has them all).
SHOWN_PARKED = 10
#: Months shown, newest first; the older ones are summed on one line.
SHOWN_MONTHS = 24
PARTITION_STATES = ("settled", "open", "failed")
DATE_STATES = ("complete", "partial", "failed")


@dataclass
class Month:
    """One month of the status table."""

    month: str
    colas: int = 0
    partitions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTITION_STATES, 0))
    dates: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DATE_STATES, 0))
    backlog: int = 0
    parked: int = 0

    def add(self, other: Month) -> None:
        """Add ``other``'s counts to this row's."""
        self.colas += other.colas
        self.backlog += other.backlog
        self.parked += other.parked
        for name in PARTITION_STATES:
            self.partitions[name] += other.partitions[name]
        for name in DATE_STATES:
            self.dates[name] += other.dates[name]


def show_status(destination: str, pipelines_dir: str | None) -> int:
    """Print the month table, the last runs, the backlog, the parked COLAs and the load packages moved
    aside; exit 1 when a partition or completed date failed, 5 when COLAs are parked and not given up."""
    from ttb_cola.runs.pipeline import crawl_state, moved_aside_packages

    try:
        crawl = crawl_state(destination, pipelines_dir)
        aside = moved_aside_packages(destination, pipelines_dir)
        held = holdings(destination, pipelines_dir) if crawl else None
    except InputError as exc:
        print(f"ttb-cola status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    states = crawl.get("partitions") or {}
    searches: dict[str, Any] = crawl.get("searches") or {}
    parked: dict[str, Any] = crawl.get("parked") or {}
    if held is None or (not held.colas and not states and not searches and not parked and not aside):
        print("nothing crawled yet: run `make ingest DATE=...` or `make daily`")
        return EXIT_OK
    print(render_months(by_month(held, states, searches, parked)))
    print(render_last_runs(held))
    print(render_backlog(held.backlog_years))
    given_up = {ttb_id: entry for ttb_id, entry in parked.items() if entry.get("given_up")}
    parked = {ttb_id: entry for ttb_id, entry in parked.items() if ttb_id not in given_up}
    if parked:
        print(render_parked(parked))
    if given_up:
        print(render_given_up(given_up))
    if aside:
        print(render_moved_aside(aside))
    ended = [(key, state) for key, state in [*states.items(), *searches.items()] if state["status"] == "failed"]
    stopped = [key for key, state in ended if "run stopped" in str(state.get("last_error"))]
    if stopped:
        print(f"{len(stopped)} of the failed were stopped midway (a spent budget, Ctrl-C): the next run resumes them")
    failed = sorted(key for key, _ in ended if key not in stopped)
    if failed:
        print(f"failed partitions and completed dates (the next run retries them): {', '.join(failed[:20])}",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_PARKED if parked else EXIT_OK


def holdings(destination: str, pipelines_dir: str | None) -> Holdings:
    """What the destination's tables hold; the backlog as owed with the ``pages`` setting (the form when
    it is ``none``, the page ``fill`` fetches by default)."""
    from ttb_cola.destinations.warehouse import pipeline_and_lake
    from ttb_cola.runs.holdings import read_holdings
    from ttb_cola.search.plan import check_pages
    from ttb_cola.settings import configured

    try:
        pages = check_pages(configured("pages", "form"))
        pages = "form" if pages == "none" else pages
    except ValueError as exc:
        raise InputError(str(exc)) from None
    pipeline, lake = pipeline_and_lake(destination, pipelines_dir, align=False)
    return read_holdings(destination, pipeline.dataset_name, lake, pages)


def by_month(held: Holdings, states: dict[str, Any], searches: dict[str, Any], parked: dict[str, Any]
             ) -> list[Month]:
    """The rows of the table, newest month first: COLAs, partitions and parked COLAs by receipt month,
    completed dates and the backlog by completed month."""
    months: dict[str, Month] = defaultdict(lambda: Month(""))
    for month, n in held.colas.items():
        months[month].colas += n
    for month, n in held.backlog.items():
        months[month].backlog += n
    for key, state in states.items():
        row = months[parse_partition_key(key)[0].strftime("%Y-%m")]
        row.partitions[state["status"]] = row.partitions.get(state["status"], 0) + 1
    for day, state in searches.items():
        row = months[day[:7]]
        row.dates[state["status"]] = row.dates.get(state["status"], 0) + 1
    for ttb_id in parked:
        months[parse_ttb_id(ttb_id).receipt_date.strftime("%Y-%m")].parked += 1
    for month, row in months.items():
        row.month = month
    return [months[m] for m in sorted(months, reverse=True)]


def render_months(rows: list[Month]) -> str:
    """The month table, newest first, the months past :data:`SHOWN_MONTHS` summed on one line, and a
    total."""
    head = (f"{'':<8} {'COLAs':>9}  {'receipt partitions':^20}  {'completed dates':^22}  {'page':>7} {'parked':>6}\n"
            f"{'month':<8} {'held':>9}  {'settled':>7} {'open':>5} {'failed':>6}  {'complete':>8} {'partial':>7} "
            f"{'failed':>5}  {'backlog':>7} {'COLAs':>6}")
    lines = [head]

    def line(label: str, r: Month) -> str:
        p, d = r.partitions, r.dates
        return (f"{label:<8} {r.colas:>9,}  {p['settled']:>7,} {p['open']:>5,} {p['failed']:>6,}  "
                f"{d['complete']:>8,} {d['partial']:>7,} {d['failed']:>5,}  {r.backlog:>7,} {r.parked:>6,}")

    total, older = Month("total"), Month("older")
    for n, row in enumerate(rows):
        total.add(row)
        if n < SHOWN_MONTHS:
            lines.append(line(row.month, row))
        else:
            older.add(row)
    if len(rows) > SHOWN_MONTHS:
        lines.append(f"... {len(rows) - SHOWN_MONTHS} older months ({rows[-1].month} to {rows[SHOWN_MONTHS].month}):")
        lines.append(line("older", older))
    lines.append(line("total", total))
    lines.append("(COLAs, partitions and parked COLAs by receipt month; completed dates and the backlog by "
                 "completed month)")
    return "\n".join(lines)


def render_last_runs(held: Holdings) -> str:
    """When each kind of work last ended (UTC), with its run id when the crawl log has one."""
    if not held.last_runs:
        return "last runs: none logged yet"
    parts = [f"{kind} {when}" + (f" (run {run})" if run else "") for kind, (when, run) in held.last_runs.items()]
    return "last runs (UTC): " + "; ".join(parts)


def render_backlog(by_year: list[tuple[int, int]]) -> str:
    """The page backlog: one number, then by completed-date year (``ttb-cola fill`` fetches it)."""
    total = sum(n for _, n in by_year)
    if not total:
        return "page backlog: every listed COLA has its pages"
    years = ", ".join(f"{year}: {n:,}" for year, n in by_year)
    return (f"page backlog: {total:,} listed COLA(s) without their pages (`ttb-cola fill` fetches them)\n"
            f"  by completed year: {years}")


def render_parked(parked: dict[str, Any]) -> str:
    """The parked COLAs: how many, and the first few with the page, attempts and last error."""
    lines = [f"{len(parked)} COLA(s) parked (every run retries them; table crawl_parked):"]
    for ttb_id in sorted(parked)[:SHOWN_PARKED]:
        entry = parked[ttb_id]
        lines.append(f"  {ttb_id}  {entry['page']:<7} {entry['attempts']:>3} attempt(s)  {entry['error']}")
    if len(parked) > SHOWN_PARKED:
        lines.append(f"  ... and {len(parked) - SHOWN_PARKED} more")
    return "\n".join(lines)


def render_given_up(given_up: dict[str, Any]) -> str:
    """The parked COLAs given up: how many, and the first few with the page, attempts and last error."""
    lines = [f"{len(given_up)} parked COLA(s) given up (no longer retried, no exit 5; crawl_parked.given_up):"]
    for ttb_id in sorted(given_up)[:SHOWN_PARKED]:
        entry = given_up[ttb_id]
        lines.append(f"  {ttb_id}  {entry['page']:<7} {entry['attempts']:>3} attempt(s) since "
                     f"{entry['first_seen'][:10]}  {entry['error']}")
    if len(given_up) > SHOWN_PARKED:
        lines.append(f"  ... and {len(given_up) - SHOWN_PARKED} more")
    return "\n".join(lines)


def render_moved_aside(aside: list[MovedAside]) -> str:
    """The load packages moved aside because they could never load: how many, each one's load id, when
    and why, and where they are kept."""
    lines = [f"{len(aside)} load package(s) moved aside (they could never load; their crawl state was undone, "
             "so the runs that cover their dates crawl them again):"]
    for one in aside[-SHOWN_PARKED:]:
        lines.append(f"  {one.load_id}  {one.moved_at[:19]}  {one.reason}")
    if len(aside) > SHOWN_PARKED:
        lines.append(f"  ... and {len(aside) - SHOWN_PARKED} older")
    lines.append(f"  kept in {Path(aside[-1].folder).parent}")
    return "\n".join(lines)
