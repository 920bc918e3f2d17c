"""Retry the parked COLAs on one worker's session: fetch -> classify -> parse -> record (:mod:`ttb_cola.fetch`).

A COLA that loads now is emitted like any record (the scheduler closes its parked entry when its
page row passes); one that still fails comes back to be parked again (one more attempt).
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

logger = logging.getLogger("ttb_cola.parked.retry")


@dataclass
class RetryOutcome:
    """What retrying the parked COLAs did: the ones still failing, and the requests it cost."""

    tried: int = 0
    parked: list[Parked] = field(default_factory=list)
    #: Unanswered COLAs the registry now says are not public (closed: their partitions probe them again).
    not_public: list[str] = field(default_factory=list)
    requests: int = 0
    blocked: bool = False
    #: Not started: the run's budget was spent first.
    skipped: bool = False


def retry_parked(
    fetcher: ColaFetcher, parked: dict[str, str], emit: Callable[[TableRow], None],
    unanswered: frozenset[str] | set[str] = frozenset(),
) -> RetryOutcome:
    """Fetch each parked COLA again (``parked``: TTB ID -> the page it was parked for); never raises
    for registry errors. A COLA that still says not found stays parked: only its record unparks it,
    unless it is ``unanswered`` (its page never answered, in a probe): then it was never known to be
    public, and the not-found page closes it (its partition keeps probing the sequence)."""
    before = fetcher.client.stats.requests
    outcome = RetryOutcome()
    for ttb_id, page in parked.items():
        if fetcher.stop.is_set():
            break
        outcome.tried += 1
        try:
            record = fetcher.record(ttb_id)
        except ColaUnreadable as exc:  # unanswered only if it was: a listed COLA is public
            outcome.parked.append(dataclasses.replace(exc.parked, unanswered=ttb_id in unanswered))
            continue
        except RegistryBlocked:
            outcome.blocked = True
            break
        except RunStopped:  # the budget ran out or the run was stopped: still parked, as it was
            break
        except RegistryError as exc:
            outcome.parked.append(Parked(ttb_id, page, f"retry failed: {exc}"))
            continue
        if record is None and ttb_id in unanswered:
            outcome.not_public.append(ttb_id)
            continue
        if record is None:
            outcome.parked.append(Parked(ttb_id, page, "the registry still says not found"))
            continue
        logger.info("%s: parked COLA loaded on retry", ttb_id)
        for row in record.rows():
            emit(row)
    outcome.requests = fetcher.client.stats.requests - before
    return outcome
