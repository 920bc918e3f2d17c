"""The circuit breaker: K unavailable or unknown answers in a row, across every worker, end the run.

A hard block (WAF 403, CAPTCHA on every page, a maintenance page, the registry down) otherwise costs
every request its full retry budget, partition after partition. The breaker counts the attempts of
all workers: an answered page resets the count, a counted failure adds one; at ``threshold`` it
trips. An HTTP 403 is a block whatever its body, and a WAF that starts refusing us answers every
worker so at once: ``forbidden`` 403s with no page answered between them trip it too (a single
stray 403 is retried). When it trips it saves the last body it saw (with its URL, status and
reason) to ``quarantine_dir`` for diagnosis, and by ``on_block``:

- ``stop`` (default): the breaker opens and sets the run's stop signal; every request then fails at
  once with :class:`~ttb_cola.registry.errors.RegistryBlocked` and the run exits 3 within seconds.
- ``wait`` (unattended backfills): every worker is paused for a cooldown (``cooldown`` seconds,
  doubling up to ``cooldown_max``), then the crawl resumes; after ``max_cooldowns`` cooldowns in a
  row without an answered page in between it stops as above.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ttb_cola.registry.errors import RegistryBlocked, redact_url
from ttb_cola.registry.ratelimit import RateLimiter
from ttb_cola.registry.retry import BLOCKS, RetryableFailure, RetryReason
from ttb_cola.registry.stopping import StopSignal

logger = logging.getLogger("ttb_cola.registry.breaker")
ON_BLOCK = ("stop", "wait")
#: Answers that say the registry is not serving us: blocks, outages, pages we cannot recognise.
COUNTED = frozenset({
    RetryReason.CAPTCHA, RetryReason.FORBIDDEN, RetryReason.SERVER_ERROR, RetryReason.UNKNOWN_PAGE,
    RetryReason.CONNECTION, RetryReason.TIMEOUT,
})


@dataclass(frozen=True)
class BreakerSettings:
    """When the breaker trips and what it does then (config keys ``on_block``, ``block_*``)."""

    #: Counted failures in a row (all workers together) that trip it; above the requests in flight
    #: (workers x lookahead, 16 by default), so one wave of failures from a blip does not trip it.
    threshold: int = 24
    #: HTTP 403 answers with no answered page between them (all workers together) that trip it:
    #: more than one, so a stray 403 is retried, few, so a WAF block stops the run within seconds.
    forbidden: int = 3
    on_block: str = "stop"
    cooldown: float = 300.0
    cooldown_max: float = 3600.0
    max_cooldowns: int = 6
    quarantine_dir: str = "data/quarantine/registry"

    def __post_init__(self) -> None:
        if self.on_block not in ON_BLOCK:
            raise ValueError(f"on_block must be one of {', '.join(ON_BLOCK)}, got {self.on_block!r}")
        if min(self.threshold, self.forbidden) < 1 or min(self.max_cooldowns, self.cooldown, self.cooldown_max) < 0:
            raise ValueError("thresholds must be >= 1, cooldowns and waits >= 0")


class CircuitBreaker:
    """Shared by every worker's client of one run; thread-safe."""

    def __init__(
        self, settings: BreakerSettings, stop: StopSignal, limiter: RateLimiter | None = None
    ) -> None:
        self.settings = settings
        self.stop = stop
        self.limiter = limiter
        self._lock = threading.Lock()
        self._consecutive = 0
        self._forbidden = 0
        self._answered = 0
        self._cooldowns = 0
        self.epoch = 0  # cooldowns so far; a request that ran out of attempts in one starts again
        self.opened: str | None = None  # why the breaker stopped the run
        self._url = ""
        self.saved: Path | None = None
        self._last: tuple[RetryableFailure, bytes] | None = None

    def check(self) -> None:
        """Raise :class:`RegistryBlocked` once the breaker has stopped the run (no request is sent)."""
        if self.opened is not None:
            raise RegistryBlocked(self.opened, url=self._url, attempts=0, reason="circuit_open")

    @property
    def answered(self) -> int:
        """Pages the registry answered so far, all workers together (evidence it is serving us)."""
        with self._lock:
            return self._answered

    def success(self) -> None:
        """An answered page: the registry serves us again."""
        with self._lock:
            self._answered += 1
            self._consecutive = 0
            self._forbidden = 0
            self._cooldowns = 0

    def failure(self, failure: RetryableFailure, body: bytes = b"") -> None:
        """One counted (or not) failed attempt; trips the breaker at ``threshold`` in a row, or at
        ``forbidden`` HTTP 403s with no answered page between them."""
        if failure.reason not in COUNTED:
            return
        with self._lock:
            self._last = (failure, body)
            self._consecutive += 1
            if failure.reason is RetryReason.FORBIDDEN:
                self._forbidden += 1
            if self.opened is not None:
                return
            if self._forbidden >= self.settings.forbidden:
                what = f"{self._forbidden} HTTP 403 (forbidden) answers in a row (last: {failure.detail})"
            elif self._consecutive >= self.settings.threshold:
                what = (f"{self.settings.threshold} unavailable or unknown answers in a row "
                        f"(last: {failure.detail})")
            else:
                return
            self._consecutive = self._forbidden = 0
            self._trip(failure, what)

    def resume_after(self, failure: RetryableFailure, epoch: int) -> bool:
        """Whether a request whose attempts all failed (the last with ``failure``) should start again.

        Yes when a cooldown began since it started (``epoch``). A block (CAPTCHA, 403) that outlasted
        every retry trips the breaker at once: a cooldown (then yes) or the run stops (no).
        """
        with self._lock:
            if self.opened is not None:
                return False
            if self.epoch != epoch:
                return True
            if failure.reason not in BLOCKS:
                return False
            self._consecutive = self._forbidden = 0
            self._trip(failure, f"blocked after every retry ({failure.detail})")
            return self.opened is None

    def _trip(self, failure: RetryableFailure, what: str) -> None:
        """Save the last body, then cool down (``wait``) or stop the run (called with the lock held)."""
        self.saved = self._quarantine()
        what += f"; last body saved to {self.saved}" if self.saved else ""
        s = self.settings
        if s.on_block == "wait" and self._cooldowns < s.max_cooldowns:
            wait = min(s.cooldown * 2 ** self._cooldowns, s.cooldown_max)
            self._cooldowns += 1
            self.epoch += 1
            logger.warning("circuit breaker: %s; cooling down %.0f s (%d/%d) before resuming", what, wait,
                           self._cooldowns, s.max_cooldowns)
            if self.limiter is not None:
                self.limiter.pause(wait)
            return
        cooled = f" after {self._cooldowns} cooldown(s)" if self._cooldowns else ""
        self.opened = f"circuit breaker open{cooled}: {what}"
        self._url = failure.url
        logger.warning("%s: stopping the run", self.opened)
        self.stop.set("the registry is blocking us or not answering")

    def _quarantine(self) -> Path | None:
        """Write the last failed answer's body and what we know of it; the body's path (None if none)."""
        if self._last is None:
            return None
        failure, body = self._last
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        folder = Path(self.settings.quarantine_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{stamp}-{failure.reason}.body"
            path.write_bytes(body)
            meta = {"url": redact_url(failure.url), "method": failure.method, "status_code": failure.status_code,
                    "reason": str(failure.reason), "detail": failure.detail, "saved_at": stamp, "bytes": len(body)}
            path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
        except OSError as exc:
            logger.warning("circuit breaker: could not save the last body to %s: %s", folder, exc)
            return None
        return path
