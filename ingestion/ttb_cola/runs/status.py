"""``status``: coverage by receipt month from the partition state in the destination, the page backlog
(listed COLAs without their pages), the COLAs left parked and the load packages moved aside."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ttb_cola.errors import InputError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_PARKED, EXIT_USAGE

if TYPE_CHECKING:
    from ttb_cola.runs.quarantine import MovedAside

#: Parked COLAs named by ``status`` (the rest are counted; the table ``crawl_parked`` has them all).
SHOWN_PARKED = 10


def show_status(destination: str, pipelines_dir: str | None) -> int:
    """Print the coverage table, the parked COLAs (those given up apart) and the load packages moved aside;
    exit 1 when a partition failed, 5 when COLAs are parked and not given up."""
    from ttb_cola.runs.pipeline import crawl_state, moved_aside_packages
    from ttb_cola.runs.report import coverage_by_month, render_coverage

    try:
        crawl = crawl_state(destination, pipelines_dir)
        aside = moved_aside_packages(destination, pipelines_dir)
        backlog = page_backlog(destination, pipelines_dir) if crawl else []
    except InputError as exc:
        print(f"ttb-cola status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    states = crawl.get("partitions") or {}
    searches: dict[str, Any] = crawl.get("searches") or {}
    parked: dict[str, Any] = crawl.get("parked") or {}
    if not states and not searches and not parked and not aside:
        print("nothing crawled yet: run `make ingest DATE=...` or `make daily`")
        return EXIT_OK
    if states:
        print(render_coverage(coverage_by_month(states)))
    if searches:
        print(render_index(searches))
    print(render_backlog(backlog))
    given_up = {ttb_id: entry for ttb_id, entry in parked.items() if entry.get("given_up")}
    parked = {ttb_id: entry for ttb_id, entry in parked.items() if ttb_id not in given_up}
    if parked:
        print(render_parked(parked))
    if given_up:
        print(render_given_up(given_up))
    if aside:
        print(render_moved_aside(aside))
    failed = sorted(key for key, state in states.items() if state["status"] == "failed")
    if failed:
        print(f"failed partitions (the next run retries them): {', '.join(failed[:20])}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_PARKED if parked else EXIT_OK


def render_index(searches: dict[str, Any]) -> str:
    """The completed-date index in one line: dates searched by status, and their span."""
    by_status: dict[str, int] = {}
    for state in searches.values():
        by_status[state["status"]] = by_status.get(state["status"], 0) + 1
    counts = ", ".join(f"{n:,} {status}" for status, n in sorted(by_status.items()))
    return f"completed dates searched: {len(searches):,} ({counts}), {min(searches)}..{max(searches)}"


def page_backlog(destination: str, pipelines_dir: str | None) -> list[tuple[int, int]]:
    """The listed COLAs that owe pages (``pages`` setting; the form when it is ``none``, the page
    ``fill`` fetches by default), by completed-date year, newest first."""
    from ttb_cola.destinations.warehouse import pipeline_and_lake
    from ttb_cola.fill.backlog import backlog_by_year, backlog_tables
    from ttb_cola.runs.inputs import configured
    from ttb_cola.search.plan import check_pages

    try:
        pages = check_pages(configured("pages", "form"))
        pages = "form" if pages == "none" else pages
    except ValueError as exc:
        raise InputError(str(exc)) from None
    pipeline, lake = pipeline_and_lake(destination, pipelines_dir, align=False)
    with backlog_tables(destination, pipeline.dataset_name, lake) as con:
        return backlog_by_year(con, pages)


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
