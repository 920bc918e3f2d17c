"""What a parked COLA is, and the error that parks one.

A failure tied to one COLA (its page is for another TTB ID, is another kind of page, cannot be
parsed, fails every try (5xx) while the registry answers other pages, or a listed COLA's detail page
says not found) must not stop its partition or completed date: the COLA is parked, the walk goes on,
and a later run retries it. A registry that fails COLA after COLA is not one bad COLA:
:data:`MAX_PARKED_IN_A_ROW` parked in a row fail the partition or day as before (systemic, retried
whole by the next run), and an outage or a block trips the circuit breaker before any page of it
counts as one COLA's (:class:`~ttb_cola.registry.errors.PageUnavailable` needs other pages answered,
or the registry's search form answered to a check request).
"""

from __future__ import annotations

from dataclasses import dataclass

from ttb_cola.parsers.errors import ParseError

#: Page kinds a COLA is parked for: its detail page, its printable form, or its listing (listed by
#: the search, but the detail page says not found).
PAGE_KINDS = ("detail", "form", "listing")
#: COLAs parked one after another (nothing loaded between) that mean the registry, not a COLA, fails.
MAX_PARKED_IN_A_ROW = 5


@dataclass(frozen=True)
class Parked:
    """One COLA set aside by a run: which page failed, and how."""

    ttb_id: str
    page: str
    error: str
    #: Its page failed every try (5xx, no answer) while other pages loaded, before any page showed it
    #: public: whether it is public at all is unknown, its partition keeps the sequence to probe again
    #: (``unanswered`` in its state, or the frontier), so the registry's not-found page closes it.
    unanswered: bool = False


class ColaUnreadable(ParseError):
    """A page of one COLA the crawl cannot use (another TTB ID, another kind of page, unparseable,
    failing while other pages load)."""

    def __init__(self, ttb_id: str, page: str, message: str, *, unanswered: bool = False) -> None:
        super().__init__(message)
        self.parked = Parked(ttb_id, page, message, unanswered)


class TooManyParked(ParseError):
    """:data:`MAX_PARKED_IN_A_ROW` COLAs parked in a row: the registry is failing, not one COLA."""


@dataclass
class ParkedInARow:
    """Counts COLAs parked since the last one that loaded."""

    count: int = 0

    def park(self, parked: Parked) -> None:
        """One more parked; raises :class:`TooManyParked` at the limit."""
        self.count += 1
        if self.count >= MAX_PARKED_IN_A_ROW:
            raise TooManyParked(f"{self.count} COLAs in a row could not be read, the last {parked.ttb_id}: "
                                f"{parked.error}")

    def loaded(self) -> None:
        """A COLA loaded (or was confirmed not public): the run of parked COLAs is over."""
        self.count = 0
