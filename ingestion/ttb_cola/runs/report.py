"""What a run did, as text: the run summary table."""

from __future__ import annotations

from ttb_cola.scheduler.report import RunReport


def summary(report: RunReport) -> str:
    """A table of the partitions probed in a run and a closing line."""
    lines = [
        f"{'partition':<16} {'status':<8} {'probed':>7} {'found':>6} {'misses':>7} {'retried':>7} "
        f"{'highest':>7} {'holes':>6}"
    ]
    for o in sorted(report.outcomes, key=lambda o: o.key):
        lines.append(
            f"{o.key:<16} {o.state['status']:<8} {o.probed:>7} {o.found:>6} {o.not_found:>7} "
            f"{o.retried:>7} {o.state['highest']:>7} {len(o.state['holes']):>6}"
        )
    if report.searches:
        lines.append(
            f"{'completed date':<16} {'status':<8} {'listed':>7} {'total':>6} {'fetched':>7} {'new':>6} "
            f"{'moved':>6} {'requests':>8}"
        )
    for s in sorted(report.searches, key=lambda s: s.completed_date):
        fetched = s.fetched_colas
        total = "-" if s.state["reported_total"] is None else s.state["reported_total"]
        lines.append(
            f"{s.completed_date:<16} {s.state['status']:<8} {s.state['listed']:>7} {total:>6} {fetched:>7} "
            f"{s.plan.new:>6} {s.plan.moved:>6} {s.requests:>8}"
        )
    found = sum(o.found for o in report.outcomes) + sum(s.fetched_colas for s in report.searches) + sum(
        1 for o in report.filled if o.loaded)
    searched = f"{len(report.searches)} completed dates searched, " if report.searches else ""
    if report.verifications:
        v = report.verifications
        moved = sum(len(o.moved) for o in v)
        failed = sum(1 for o in v if o.error)
        searched += (f"{sum(o.days for o in v)} complete dates verified by {sum(o.counts for o in v)} count(s) "
                     f"({sum(o.requests for o in v)} requests, {moved} moved"
                     f"{f', {failed} failed' if failed else ''}), ")
    covered = f"{report.covered} covered by search, " if report.covered else ""
    if report.awaiting_pages:
        covered += f"{report.awaiting_pages} listed awaiting their pages (ttb-cola fill), "
    lines.append(
        f"run {report.run_id}: {searched}{len(report.outcomes)} partitions probed, {covered}"
        f"{report.skipped} skipped, {found} records loaded, {len(report.failed)} failed"
        + (f", {len(report.parked)} COLAs parked" if report.parked else "")
        + (f", {len(report.resolved)} parked COLAs recovered" if report.resolved else "")
    )
    if report.filled:
        loaded = sum(1 for o in report.filled if o.loaded)
        lines.append(f"run {report.run_id}: filled {loaded} owed COLA(s) with their pages "
                     f"({sum(o.requests for o in report.filled)} requests, "
                     f"{sum(1 for o in report.filled if o.parked)} parked)"
                     + (f", {report.deferred} left for the next run (budget)" if report.deferred else ""))
    if report.images is not None:
        i = report.images
        left = f"; {len(i.failed)} COLA(s) left to `ttb-cola images`" if i.failed else ""
        lines.append(f"label images: {i.images} fetched for {i.visited} COLAs: {i.stored} stored ({i.written} new "
                     f"files), {i.unavailable} unavailable, {i.invalid} invalid, {i.mixups} mix-ups discarded, "
                     f"{i.barcodes} barcodes{left}")
    return "\n".join(lines)
