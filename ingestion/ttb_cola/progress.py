"""Progress lines on stderr (logger ``ttb_cola.progress``): per partition, per completed date, ETA."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ttb_cola.probe.runner import PartitionOutcome
    from ttb_cola.search.runner import ListingOutcome

progress_log = logging.getLogger("ttb_cola.progress")


def hms(seconds: float) -> str:
    """Seconds as ``H:MM:SS`` for progress lines."""
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def log_search(outcome: ListingOutcome, done: int, total: int, started: float) -> None:
    """One line for a completed date searched: listed vs reported, fetched, requests, ETA."""
    elapsed = max(time.monotonic() - started, 1e-9)
    state = outcome.state
    progress_log.info(
        "[%d/%d] %s %-8s listed %5d of %5s, fetched %5d (new %d, moved %d), %d exports %d pages %d splits  "
        "%.1f req/s  ETA %s%s",
        done, total, outcome.key, state["status"], state["listed"], state["reported_total"],
        sum(len(s) for s in outcome.fetched.values()), outcome.plan.new, outcome.plan.moved, outcome.exports,
        outcome.pages, outcome.splits, outcome.requests / max(outcome.seconds, 1e-3),
        hms(elapsed / done * (total - done)), f"  ({state['last_error']})" if state["last_error"] else "",
    )


def log_partition(outcome: PartitionOutcome, done: int, total: int, started: float) -> None:
    """One line for a partition probed: probed, found, misses, retries, req/s, ETA."""
    elapsed = max(time.monotonic() - started, 1e-9)
    eta = elapsed / done * (total - done)
    progress_log.info(
        "[%d/%d] %s %-7s probed %5d found %5d misses %4d retried %3d  %.1f req/s  ETA %s%s",
        done, total, outcome.key, outcome.state["status"], outcome.probed, outcome.found,
        outcome.not_found, outcome.retried, outcome.requests / max(outcome.seconds, 1e-3), hms(eta),
        f"  ({outcome.state['last_error']})" if outcome.state["last_error"] else "",
    )
