"""What one run did (:class:`RunReport`) and what its workers send: outcomes and table rows."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from ttb_cola.fill.fetch import FillOutcome
from ttb_cola.parked.model import Parked
from ttb_cola.parked.retry import RetryOutcome
from ttb_cola.probe.runner import PartitionOutcome
from ttb_cola.records import TableRow
from ttb_cola.search.runner import ListingOutcome, VerifyOutcome

Outcome = PartitionOutcome | ListingOutcome | RetryOutcome | VerifyOutcome | FillOutcome
#: The outcomes that carry a partition's or a completed date's state.
Stateful = PartitionOutcome | ListingOutcome | VerifyOutcome


@dataclass
class RunReport:
    """What a run did, filled in as partitions finish (read by the CLI for its summary)."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    planned: int = 0
    skipped: int = 0
    covered: int = 0
    outcomes: list[PartitionOutcome] = field(default_factory=list)
    searches: list[ListingOutcome] = field(default_factory=list)
    #: The ranges of complete days counted again (their cost, and the days that moved).
    verifications: list[VerifyOutcome] = field(default_factory=list)
    #: Completed dates and partitions left for the next run because the budget was spent.
    deferred: int = 0
    #: The budget ran out while units were in flight: they stopped at their first unconfirmed page.
    budget_stopped: bool = False
    #: Set from outside (Ctrl-C) to stop the workers; the scheduler sets it on a block.
    stop: threading.Event = field(default_factory=threading.Event)
    #: Why the circuit breaker stopped the run (None: it did not).
    block: str | None = None
    #: COLAs parked by this run (new, or retried and still failing) and parked ones it loaded.
    parked: list[Parked] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    #: The TTB IDs parked when the run ended (this run's and earlier runs').
    still_parked: list[str] = field(default_factory=list)
    #: Parked COLAs this run gave up on (no longer retried, see :class:`~ttb_cola.parked.book.GiveUp`).
    given_up: list[str] = field(default_factory=list)
    #: What the crawl did with label images (an ``ImagesReport``), when it fetched them.
    images: Any = None
    #: The owed COLAs this run fetched (or parked), one outcome each (``ttb-cola fill``).
    filled: list[FillOutcome] = field(default_factory=list)
    #: Partitions whose COLAs are all listed but owe pages: neither probed nor covered (the fill's).
    awaiting_pages: int = 0

    @property
    def failed(self) -> list[Stateful]:
        """Partitions and completed dates that ended this run failed (not those the spent budget stopped)."""
        return [o for o in self._stateful() if o.state["status"] == "failed"
                and not (self.budget_stopped and "run stopped" in str(o.state.get("last_error")))]

    def _stateful(self) -> list[Stateful]:
        return [*self.verifications, *self.searches, *self.outcomes]

    @property
    def blocked(self) -> bool:
        """Whether the registry blocked the run (CAPTCHA after all retries, or the circuit breaker)."""
        return self.block is not None or any(o.blocked for o in [*self._stateful(), *self.filled])

    @property
    def requests(self) -> int:
        """Requests the run's searches, verifications and probes sent."""
        return sum(o.requests for o in [*self._stateful(), *self.filled])


#: One row for one table (page rows, listing rows, crawl log rows).
Event = TableRow
