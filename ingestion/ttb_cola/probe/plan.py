"""The partition probing algorithm and its state transitions: pure, no HTTP.

A partition (receipt date x method) is crawled by asking the registry for each sequence number.
Its state remembers the highest sequence found, the *holes* below it (sequences not public yet:
rejected, withdrawn or still pending) and when it was last checked. A run re-checks the holes, then
walks forward from the highest found sequence until ``max_consecutive_misses`` real not-found pages
in a row. Recent partitions keep filling in as pending applications are approved, so they are
re-checked on an interval that grows with their age, until they are ``settle_days`` old and settle.

Only a confirmed page moves the state: a sequence that failed after retries is neither found nor a
hole, and a failed partition is retried by the next run.

The state also remembers on which day each sequence was last fetched (``fetched``: all of them
while the partition is open, the last week's once it settled), so discovery by completed date
(:mod:`ttb_cola.search.plan`) refetches a listed COLA only when its listing is newer than the page we
hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

Status = Literal["open", "settled", "failed"]
#: Days of fetches a settled partition remembers: enough for a day searched again the next days.
SETTLED_FETCH_DAYS = 7


@dataclass(frozen=True)
class CrawlSettings:
    """Knobs of the probing algorithm (from ``[sources.ttb_cola]``)."""

    #: Not-found pages in a row that end a frontier walk at least (the whole rule: `patience`).
    max_consecutive_misses: int = 40
    #: Upper bound of the frontier walk's patience in a sparse (young) partition.
    max_frontier_misses: int = 400
    #: Accepted chance that a walk stops in front of a public sequence (see `patience`).
    frontier_risk: float = 1e-4
    settle_days: int = 120
    max_recheck_interval_days: int = 14
    #: Partitions this young are re-checked every day (the daily run's lookback window).
    daily_days: int = 14


def new_state() -> dict[str, Any]:
    """The state of a partition never crawled."""
    return {
        "highest": 0,
        "holes": [],
        "public": 0,
        "probed": 0,
        "status": "open",
        "last_checked": None,
        "last_run": None,
        "last_error": None,
        "fetched": {},
        "unanswered": [],
    }


def encode_ranges(numbers: set[int] | list[int]) -> str:
    """Sequences as compact text: ``[1, 2, 3, 7, 9, 10]`` -> ``"1-3,7,9-10"`` (state stays small)."""
    parts: list[str] = []
    ordered = sorted(set(numbers))
    start: int | None = None
    previous = 0
    for number in [*ordered, None]:
        if start is not None and number is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = number
        previous = number if number is not None else previous
    return ",".join(parts)


def decode_ranges(text: str) -> set[int]:
    """The sequences of :func:`encode_ranges` text."""
    numbers: set[int] = set()
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        numbers.update(range(int(first), int(last or first) + 1))
    return numbers


def record_fetched(state: dict[str, Any], sequences: list[int] | set[int], day: date) -> None:
    """Note in ``state`` that ``sequences`` were fetched on ``day`` (each keeps its latest day)."""
    if not sequences:
        return
    sequences, today = set(sequences), day.isoformat()
    fetched: dict[str, str] = state.setdefault("fetched", {})
    for other, text in list(fetched.items()):
        if other != today:
            left = decode_ranges(text) - sequences
            if left:
                fetched[other] = encode_ranges(left)
            else:
                del fetched[other]
    fetched[today] = encode_ranges(decode_ranges(fetched.get(today, "")) | sequences)


def recent_fetches(fetched: dict[str, str], today: date, settled: bool) -> dict[str, str]:
    """A copy of ``fetched`` to keep: everything while open; a settled partition, the last week's."""
    keep_since = (today - timedelta(days=SETTLED_FETCH_DAYS)).isoformat()
    return {day: text for day, text in fetched.items() if not settled or day >= keep_since}


def fetched_days(state: dict[str, Any] | None) -> dict[int, date]:
    """The day each sequence was last fetched, as far as the state still knows."""
    return {
        sequence: date.fromisoformat(day)
        for day, text in (state or {}).get("fetched", {}).items()
        for sequence in decode_ranges(text)
    }


def mark_listed(
    state: dict[str, Any] | None, sequences: set[int], receipt_date: date, today: date, settings: CrawlSettings
) -> dict[str, Any]:
    """The partition's state once the registry's search listed ``sequences`` as public (a new dict).

    Listed sequences are found; unlisted ones between the old and new highest become holes, which a
    probe may still check. Status, counters and ``last_checked`` are left to the probe, except that a
    partition past ``settle_days`` settles (its holes and older fetch days dropped, as a probe would).
    """
    base = new_state()
    base.update(state or {})
    highest = base["highest"]
    top = max([highest, *sequences])
    holes = (set(base["holes"]) | set(range(highest + 1, top))) - set(sequences)
    settled = base["status"] == "settled" or (today - receipt_date).days > settings.settle_days
    base.update(
        highest=top,
        holes=[] if settled else sorted(holes),
        public=base["public"] + sum(1 for s in sequences if s > highest) if settled else top - len(holes),
        status="settled" if settled else base["status"],
    )
    base["fetched"] = recent_fetches(base["fetched"], today, settled)  # a copy: other threads read the old one
    return base


def patience(public: int, highest: int, settings: CrawlSettings) -> int:
    """How many not-found pages in a row end a frontier walk.

    A young partition is sparse: days after receipt most applications are still pending, so the
    public ones are far apart (gaps of 100+ one day after receipt in the simulator; 5 or fewer once
    settled). With a share ``p`` of sequences public so far, a run of ``k`` misses happens by chance
    with probability about ``(1 - p) ** k``; the walk goes on until that is below ``frontier_risk``,
    never less than ``max_consecutive_misses`` nor more than ``max_frontier_misses``.
    """
    if public <= 0 or highest <= 0:
        return settings.max_consecutive_misses
    share = min(public / highest, 0.999)
    needed = math.ceil(math.log(settings.frontier_risk) / math.log1p(-share))
    return max(settings.max_consecutive_misses, min(needed, settings.max_frontier_misses))


def recheck_interval(age_days: int, settings: CrawlSettings) -> int:
    """Days between re-checks of a partition ``age_days`` old: daily within ``daily_days``, then
    one more day for every further week, up to ``max_recheck_interval_days``."""
    if age_days <= settings.daily_days:
        return 1
    return max(1, min((age_days - settings.daily_days) // 7, settings.max_recheck_interval_days))


def is_due(
    state: dict[str, Any] | None,
    receipt_date: date,
    today: date,
    settings: CrawlSettings,
    reprobe: bool = False,
) -> bool:
    """Whether a partition needs probing in a run on ``today``."""
    if reprobe or not state or state.get("last_checked") is None:
        return True
    if state["status"] == "failed":
        return True
    if state["status"] == "settled":
        return False
    age = (today - receipt_date).days
    waited = (today - date.fromisoformat(state["last_checked"])).days
    return waited >= recheck_interval(age, settings)


def mark_covered(
    state: dict[str, Any] | None, receipt_date: date, today: date, settings: CrawlSettings
) -> dict[str, Any]:
    """The state of a partition that searches by completed date covered up to ``today`` (a new dict):
    checked today, and settled once past ``settle_days``, as if a probe had run."""
    base = new_state()
    base.update(state or {})
    settled = (today - receipt_date).days > settings.settle_days
    base.update(
        status="settled" if settled else "open",
        last_checked=today.isoformat(),
        last_error=None,
    )
    if settled:
        base.update(holes=[], fetched=recent_fetches(base["fetched"], today, settled=True))
    return base


@dataclass
class PartitionCrawl:
    """One run over one partition: yields sequences to probe and folds the outcomes into state.

    Drive it with ``for seq in crawl.sequences(): ...; crawl.observe(seq, found)``; stop and call
    :meth:`fail` when a probe cannot be confirmed; then :meth:`finish` gives the new state.
    """

    receipt_date: date
    today: date
    settings: CrawlSettings
    state: dict[str, Any] = field(default_factory=new_state)
    reprobe: bool = False
    found: list[int] = field(default_factory=list, init=False)
    missed: list[int] = field(default_factory=list, init=False)
    #: Sequences whose page could not be read: set aside (retried by the parked COLAs' book), neither
    #: found nor a hole, and neutral to the frontier's misses in a row.
    parked: list[int] = field(default_factory=list, init=False)
    #: Sequences whose page failed every try while others loaded (parked too): whether they are public
    #: is unknown, so they are probed again, kept in the state's ``unanswered`` below the highest found
    #: (never as holes: a hole is a not-found page seen), the frontier above it.
    unanswered: list[int] = field(default_factory=list, init=False)
    error: str | None = field(default=None, init=False)
    _misses_in_a_row: int = field(default=0, init=False)
    #: (highest, patience) as last worked out: a miss above that highest changes neither (see observe).
    _patience_at: tuple[int, int] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        base = new_state()
        base.update(self.state)
        self.state = base

    @property
    def probed(self) -> int:
        """Confirmed probes so far in this run."""
        return len(self.found) + len(self.missed)

    def sequences(self) -> Iterator[int]:
        """Sequences to probe: the known holes (all of them on a full refresh, every sequence below
        the highest found), then the frontier until enough misses in a row."""
        highest = self.state["highest"]
        below = range(1, highest + 1) if self.reprobe else sorted({*self.state["holes"], *self.state["unanswered"]})
        for sequence in below:
            if self.error:
                return
            yield sequence
        sequence = highest
        while not self.error and not self.frontier_done():
            sequence += 1
            yield sequence

    def frontier_done(self) -> bool:
        """Whether the frontier walk has seen enough misses in a row to stop.

        Patience is never below ``max_consecutive_misses``, so a shorter run of misses needs no count;
        a longer one reuses the patience worked out at its start (its misses lie above the highest)."""
        if self._misses_in_a_row < self.settings.max_consecutive_misses:
            return False
        return self._misses_in_a_row >= self._patience()

    def _patience(self) -> int:
        if self._patience_at is None:
            highest = max([self.state["highest"], *self.found])
            unseen = (set(self.state["holes"]) | set(self.missed)) - set(self.found)
            public = highest - sum(1 for s in unseen if s < highest)
            self._patience_at = (highest, patience(public, highest, self.settings))
        return self._patience_at[1]

    def observe(self, sequence: int, found: bool) -> None:
        """Record a confirmed outcome: a detail page (found) or the real not-found page."""
        if found:
            self.found.append(sequence)
            self._patience_at = None
            if sequence > self.state["highest"]:
                self._misses_in_a_row = 0
        else:
            self.missed.append(sequence)
            if self._patience_at is not None and sequence <= self._patience_at[0]:
                self._patience_at = None
            if sequence > self.state["highest"]:
                self._misses_in_a_row += 1

    def park(self, sequence: int) -> None:
        """Set ``sequence`` aside: the registry answered with a page that could not be read."""
        self.parked.append(sequence)

    def set_aside(self, sequence: int) -> None:
        """Set ``sequence`` aside unconfirmed: its page failed every try while others loaded."""
        self.unanswered.append(sequence)

    def fail(self, sequence: int, reason: str) -> None:
        """Stop the run at ``sequence``, which could not be confirmed."""
        self.error = f"sequence {sequence}: {reason}"

    @property
    def status(self) -> Status:
        """Status the partition ends this run with."""
        if self.error:
            return "failed"
        if (self.today - self.receipt_date).days > self.settings.settle_days:
            return "settled"
        return "open"

    def finish(self, run_at: str) -> dict[str, Any]:
        """The partition's state after this run (a new dict; the input state is left untouched)."""
        highest = max([self.state["highest"], *self.found, *self.parked])
        # Misses above the highest found are frontier, not holes: the next run walks them again.
        unseen = (set(self.state["holes"]) | set(self.missed)) - set(self.found) - set(self.parked)
        holes = sorted(s for s in unseen if s < highest)
        confirmed = {*self.found, *self.missed, *self.parked, *holes}
        unanswered = sorted(s for s in {*self.state["unanswered"], *self.unanswered} - confirmed if s < highest)
        status = self.status
        state = {
            "highest": highest,
            # A settled partition keeps only its count of public records: its holes are final.
            "holes": [] if status == "settled" else holes,
            "public": highest - len(holes),
            "probed": self.state["probed"] + self.probed,
            "status": status,
            "last_checked": self.state["last_checked"] if self.error else self.today.isoformat(),
            "last_run": run_at,
            "last_error": self.error,
            "fetched": recent_fetches(self.state.get("fetched", {}), self.today, status == "settled"),
            # Settled: the parked COLAs' retries alone fetch them again.
            "unanswered": [] if status == "settled" else unanswered,
        }
        record_fetched(state, self.found, self.today)
        return state
