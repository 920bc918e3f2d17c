"""When and how long to retry a registry request: reasons, the backoff policy, Retry-After."""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class RetryReason(StrEnum):
    """Why an attempt was retried (keys of :attr:`StatsSnapshot.retries_by_reason`)."""

    CONNECTION = "connection"
    TIMEOUT = "timeout"
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limited"
    CAPTCHA = "captcha"
    #: HTTP 403 (a WAF rule, an address ban), whatever the body: a block. Retried soon (a stray 403
    #: passes), while the circuit breaker stops the run after a few in a row.
    FORBIDDEN = "forbidden"
    SESSION_TIMEOUT = "session_timeout"
    UNKNOWN_PAGE = "unknown_page"


#: Reasons that mean the registry flagged us: every worker paused, RegistryBlocked at the end.
BLOCKS = frozenset({RetryReason.CAPTCHA, RetryReason.FORBIDDEN})
#: Blocks waited out with the long CAPTCHA backoff. Not a 403: retrying it in half a minute only
#: delays the stop the circuit breaker calls after a few of them in a row.
LONG_WAITS = frozenset({RetryReason.CAPTCHA})

#: The defaults of the ``[sources.ttb_cola]`` backoff settings (:meth:`RetryPolicy.from_settings`), here
#: only: the source's arguments, the settings' checks and the images command take them from here.
DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_BACKOFF_INITIAL = 1.0
DEFAULT_BACKOFF_MAX = 60.0
DEFAULT_CAPTCHA_BACKOFF = 30.0
#: Those settings by name (the arguments of :meth:`RetryPolicy.from_settings`), with their defaults.
RETRY_SETTINGS: dict[str, float] = {
    "max_attempts": DEFAULT_MAX_ATTEMPTS,
    "backoff_initial": DEFAULT_BACKOFF_INITIAL,
    "backoff_max": DEFAULT_BACKOFF_MAX,
    "captcha_backoff": DEFAULT_CAPTCHA_BACKOFF,
}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff settings; the defaults favour finishing a crawl over speed, see the field notes.

    Waits grow as ``initial_wait * multiplier ** (attempt - 1)`` plus up to ``jitter`` seconds,
    capped at ``max_wait`` (CAPTCHA: from ``captcha_wait`` up to ``captcha_max_wait``). A
    ``Retry-After`` header sets the least wait (capped at ``retry_after_max``).
    """

    #: Total tries per request, the first included: 5 backoffs of 1+2+4+8+16 s (+jitter) ride out
    #: a ~30 s blip or an app-server restart without stalling a worker for minutes.
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    initial_wait: float = DEFAULT_BACKOFF_INITIAL
    max_wait: float = DEFAULT_BACKOFF_MAX
    multiplier: float = 2.0
    #: Spreads retries of many workers that failed together, so they don't return in lockstep.
    jitter: float = 1.0
    #: A CAPTCHA means we were flagged as a bot: back off for long, and the whole process with us
    #: (see RegistryClient): 30, 60, 120, 240, 300 s, then RegistryBlocked (~12.5 min in all).
    captcha_wait: float = DEFAULT_CAPTCHA_BACKOFF
    captcha_max_wait: float = 300.0
    #: The server may ask for long pauses; beyond 5 min we would rather retry and see.
    retry_after_max: float = 300.0

    def backoff(self, attempt: int, initial: float, maximum: float) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based), jitter included."""
        try:
            base = initial * self.multiplier ** (attempt - 1)
        except OverflowError:
            base = maximum
        return max(0.0, min(base + random.uniform(0, self.jitter), maximum))

    def wait(self, attempt: int, failure: RetryableFailure | None) -> float:
        """Seconds to wait after failed attempt ``attempt``: long after a CAPTCHA; never sooner
        than a ``Retry-After`` asked (up to ``retry_after_max``)."""
        if failure is not None and failure.reason in LONG_WAITS:
            return self.backoff(attempt, self.captcha_wait, self.captcha_max_wait)
        backoff = self.backoff(attempt, self.initial_wait, self.max_wait)
        if failure is not None and failure.retry_after is not None:
            return max(min(failure.retry_after, self.retry_after_max), backoff)
        return backoff

    @classmethod
    def from_settings(
        cls, max_attempts: int | str = DEFAULT_MAX_ATTEMPTS, backoff_initial: float | str = DEFAULT_BACKOFF_INITIAL,
        backoff_max: float | str = DEFAULT_BACKOFF_MAX, captcha_backoff: float | str = DEFAULT_CAPTCHA_BACKOFF,
    ) -> RetryPolicy:
        """The policy of the ``max_attempts``, ``backoff_*`` and ``captcha_backoff`` settings (:data:`RETRY_SETTINGS`),
        the one place a run's policy is built from them: jitter of up to the first wait (1 s at most), CAPTCHA waits
        doubling from ``captcha_backoff`` to 5 min or more."""
        return cls(
            max_attempts=int(max_attempts), initial_wait=float(backoff_initial), max_wait=float(backoff_max),
            jitter=min(1.0, float(backoff_initial)), captcha_wait=float(captcha_backoff),
            captcha_max_wait=max(float(captcha_backoff), 300.0),
        )

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if min(self.initial_wait, self.max_wait, self.captcha_wait, self.captcha_max_wait) < 0:
            raise ValueError("waits must be >= 0")


class RetryableFailure(Exception):
    """One attempt that should be retried (the client turns the last one into a RegistryError)."""

    def __init__(
        self,
        reason: RetryReason,
        detail: str,
        *,
        method: str,
        url: str,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.method = method
        self.url = url
        self.status_code = status_code
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date); None if absent
    or unparseable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
