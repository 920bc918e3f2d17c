"""Progress lines on stderr (logger ``ttb_cola.progress``): per partition, per completed date, ETA.

The lines read the outcomes of the probe and the search runners through the protocols below, so this
module, which every runner imports, imports none of them.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol


class Outcome(Protocol):
    """What every progress line reads: the unit's key and state, its requests and seconds; read-only."""

    @property
    def key(self) -> str: ...
    @property
    def state(self) -> dict[str, Any]: ...
    @property
    def requests(self) -> int: ...
    @property
    def seconds(self) -> float: ...


class PartitionOutcome(Outcome, Protocol):
    """What a partition's progress line reads (:class:`ttb_cola.probe.runner.PartitionOutcome`)."""

    @property
    def probed(self) -> int: ...
    @property
    def found(self) -> int: ...
    @property
    def not_found(self) -> int: ...
    @property
    def retried(self) -> int: ...


class FetchCounts(Protocol):
    """The new and moved COLAs of a completed date's fetch plan."""

    @property
    def new(self) -> int: ...
    @property
    def moved(self) -> int: ...


class ListingOutcome(Outcome, Protocol):
    """What a completed date's progress line reads (:class:`ttb_cola.search.runner.ListingOutcome`)."""

    @property
    def plan(self) -> FetchCounts: ...
    @property
    def fetched_colas(self) -> int: ...
    @property
    def exports(self) -> int: ...
    @property
    def pages(self) -> int: ...
    @property
    def splits(self) -> int: ...


progress_log = logging.getLogger("ttb_cola.progress")


def hms(seconds: float) -> str:
    """Seconds as ``H:MM:SS`` for progress lines."""
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _tail(outcome: Outcome, done: int, total: int, started: float) -> tuple[float, str, str]:
    """The end every line shares: the unit's req/s, the run's ETA, the unit's last error (or "")."""
    elapsed = max(time.monotonic() - started, 1e-9)
    error = outcome.state["last_error"]
    return (outcome.requests / max(outcome.seconds, 1e-3), hms(elapsed / done * (total - done)),
            f"  ({error})" if error else "")


def log_search(outcome: ListingOutcome, done: int, total: int, started: float) -> None:
    """One line for a completed date searched: listed vs reported, fetched, requests, ETA."""
    state = outcome.state
    progress_log.info(
        "[%d/%d] %s %-8s listed %5d of %5s, fetched %5d (new %d, moved %d), %d exports %d pages %d splits  "
        "%.1f req/s  ETA %s%s",
        done, total, outcome.key, state["status"], state["listed"], state["reported_total"],
        outcome.fetched_colas, outcome.plan.new, outcome.plan.moved, outcome.exports,
        outcome.pages, outcome.splits, *_tail(outcome, done, total, started),
    )


def log_partition(outcome: PartitionOutcome, done: int, total: int, started: float) -> None:
    """One line for a partition probed: probed, found, misses, retries, req/s, ETA."""
    progress_log.info(
        "[%d/%d] %s %-7s probed %5d found %5d misses %4d retried %3d  %.1f req/s  ETA %s%s",
        done, total, outcome.key, outcome.state["status"], outcome.probed, outcome.found,
        outcome.not_found, outcome.retried, *_tail(outcome, done, total, started),
    )
