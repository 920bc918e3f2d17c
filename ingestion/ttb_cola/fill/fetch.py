"""Fetch one owed COLA's pages on one worker's session: fetch -> classify -> parse -> record (:mod:`ttb_cola.fetch`).

A COLA that loads is emitted like any record; one that cannot be read, or whose pages say not found
although it is listed, comes back parked (every run retries it first, ``crawl_parked``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ttb_cola.fetch import ColaFetcher
from ttb_cola.parked.model import ColaUnreadable, Parked
from ttb_cola.records import TableRow
from ttb_cola.registry.errors import RegistryBlocked, RegistryError
from ttb_cola.registry.stopping import RunStopped

logger = logging.getLogger("ttb_cola.fill")


@dataclass
class FillOutcome:
    """What fetching one owed COLA did."""

    ttb_id: str
    loaded: bool = False
    parked: list[Parked] = field(default_factory=list)
    requests: int = 0
    blocked: bool = False
    #: Not started: the budget was spent (or the run stopped) first.
    skipped: bool = False


def fill_one(fetcher: ColaFetcher, ttb_id: str, emit: Callable[[TableRow], None]) -> FillOutcome:
    """Fetch the pages ``fetcher`` is set for of listed COLA ``ttb_id``; never raises for registry errors."""
    before = fetcher.client.stats.requests
    outcome = FillOutcome(ttb_id)
    try:
        pages = fetcher.record(ttb_id)
    except ColaUnreadable as exc:  # listed, so public: never "unanswered"
        outcome.parked.append(dataclasses.replace(exc.parked, unanswered=False))
    except RegistryBlocked:
        outcome.blocked = True
    except RunStopped:  # the budget ran out or the run was stopped: left owing for the next run
        outcome.skipped = True
    except RegistryError as exc:
        outcome.parked.append(Parked(ttb_id, "listing", f"fill failed: {exc}"))
    else:
        if pages is None:
            outcome.parked.append(Parked(ttb_id, "listing", "listed, but its detail page says not found"))
        else:
            outcome.loaded = True
            for row in pages.rows():
                emit(row)
    for parked in outcome.parked:
        logger.warning("parked %s: %s", parked.ttb_id, parked.error)
    outcome.requests = fetcher.client.stats.requests - before
    return outcome
