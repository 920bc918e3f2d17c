"""Seeded, reproducible fault injection for the simulator's HTTP server.

Each request gets a number (in arrival order) and its fate is a pure function of (fault seed,
request number), so a single-threaded client sees exactly the same faults on every run and a
multi-threaded one sees the same rates. At most one fault applies per request; latency applies to
every request on top of it.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any

# Fault kinds, in the order their rates are stacked.
SERVER_ERROR = "server_error"
RATE_LIMIT = "rate_limit"
RESET = "reset"
HANG = "hang"
TRUNCATE = "truncate"
CAPTCHA = "captcha"
SESSION_TIMEOUT = "session_timeout"
FORBIDDEN = "forbidden"
MAINTENANCE = "maintenance"
KINDS = (SERVER_ERROR, RATE_LIMIT, RESET, HANG, TRUNCATE, CAPTCHA, SESSION_TIMEOUT, FORBIDDEN, MAINTENANCE)
#: What ``block_all`` serves for every registry URL.
BLOCK_KINDS = (CAPTCHA, FORBIDDEN, MAINTENANCE, SERVER_ERROR)


@dataclass
class FaultConfig:
    """What to inject. Rates are per-request probabilities; their sum must not exceed 1.

    Attributes:
        latency_ms: fixed delay added to every response.
        jitter_ms: extra uniform random delay, 0 to this.
        error_rate: HTTP 5xx (503 or 500) responses.
        rate_limit_rate: HTTP 429 responses carrying ``Retry-After: retry_after``.
        reset_rate: the connection is reset (RST) instead of answered.
        hang_rate: nothing is sent for ``hang_seconds``, then the connection is closed.
        truncate_rate: the full Content-Length is announced but only part of the body is sent.
        captcha_rate: the CAPTCHA blocking page (HTTP 200).
        session_timeout_rate: the session timeout page (HTTP 200).
        forbidden_rate: a WAF's "Request Rejected" page with HTTP 403.
        maintenance_rate: a "down for maintenance" page (HTTP 200, no registry template).
        block_all: every registry URL answers with the ``block_kind`` page.
        block_from: every registry request from this one on (1-based, in arrival order; 0: never)
            answers with the ``block_kind`` page, as a WAF that starts refusing a run midway.
        block_kind: ``captcha`` (default), ``forbidden``, ``maintenance`` or ``server_error``.
        form_error_ids: public COLAs whose printable form answers with the error page (detail fine).
        server_error_ids: TTB IDs (public or not) whose detail page answers HTTP 500 on every try.
        form_server_error_ids: TTB IDs whose printable form answers HTTP 500 on every try.
        malformed_date_ids: COLAs whose detail page shows an approval date that is not MM/DD/YYYY.
        listed_not_found_ids: COLAs listed by the search whose detail and form say not found.
        duplicate_listing_ids: COLAs listed twice by the search (results pages and CSV export).
        wrong_page_ids: COLAs whose detail page and form show another TTB ID (a mixed-up answer).
        spare_paths: registry paths (after ``/colasonline/``) never faulted, e.g. the search form a
            run's preflight asks for, so a test can block everything after it.
        seed: the fault sequence's seed.

    The ``*_ids`` faults are per COLA and deterministic: they apply to every request for the ID.
    """

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 2
    reset_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 30.0
    truncate_rate: float = 0.0
    captcha_rate: float = 0.0
    session_timeout_rate: float = 0.0
    forbidden_rate: float = 0.0
    maintenance_rate: float = 0.0
    block_all: bool = False
    block_from: int = 0
    block_kind: str = CAPTCHA
    form_error_ids: list[str] = field(default_factory=list)
    server_error_ids: list[str] = field(default_factory=list)
    form_server_error_ids: list[str] = field(default_factory=list)
    malformed_date_ids: list[str] = field(default_factory=list)
    listed_not_found_ids: list[str] = field(default_factory=list)
    duplicate_listing_ids: list[str] = field(default_factory=list)
    wrong_page_ids: list[str] = field(default_factory=list)
    spare_paths: list[str] = field(default_factory=list)
    seed: int = 0

    def __post_init__(self) -> None:
        rates = self.rates()
        if any(r < 0 for r in rates) or sum(rates) > 1.0 + 1e-9:
            raise ValueError(f"fault rates must be >= 0 and sum to at most 1, got {rates}")
        if self.block_from < 0:
            raise ValueError(f"block_from must be >= 0, got {self.block_from}")
        if self.block_kind not in BLOCK_KINDS:
            raise ValueError(f"block_kind must be one of {', '.join(BLOCK_KINDS)}, got {self.block_kind!r}")

    def rates(self) -> list[float]:
        """The per-request rates, in the order of :data:`KINDS`."""
        return [self.error_rate, self.rate_limit_rate, self.reset_rate, self.hang_rate, self.truncate_rate,
                self.captcha_rate, self.session_timeout_rate, self.forbidden_rate, self.maintenance_rate]

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> FaultConfig:
        """Build from a dict (unknown keys are an error, so typos do not silently disable a fault)."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict."""
        return asdict(self)

    @property
    def active(self) -> bool:
        """True when anything at all is injected."""
        return self != FaultConfig(seed=self.seed)


@dataclass(frozen=True)
class Decision:
    """The fate of one request: a delay in seconds and a fault kind (None: answer normally)."""

    delay: float
    kind: str | None
    number: int


class FaultInjector:
    """Numbers requests and decides each one's fault from the configuration."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._config = config or FaultConfig()
        self._counter = 0
        self.counts: dict[str, int] = {kind: 0 for kind in KINDS}
        self.counts["ok"] = 0

    @property
    def config(self) -> FaultConfig:
        """The current configuration."""
        return self._config

    def configure(self, config: FaultConfig | None) -> None:
        """Replace the configuration and restart the request numbering (so runs are reproducible)."""
        with self._lock:
            self._config = config or FaultConfig()
            self._counter = 0
            for key in self.counts:
                self.counts[key] = 0

    def decide(self) -> Decision:
        """The next request's fate."""
        with self._lock:
            number = self._counter
            self._counter += 1
            config = self._config
        if not config.active:
            with self._lock:
                self.counts["ok"] += 1
            return Decision(0.0, None, number)
        rng = random.Random(config.seed * 1_000_003 + number)
        delay = (config.latency_ms + config.jitter_ms * rng.random()) / 1000.0
        if config.block_all or 0 < config.block_from <= number + 1:
            kind: str | None = config.block_kind
        else:
            roll = rng.random()
            kind = None
            for name, rate in zip(KINDS, config.rates(), strict=True):
                if roll < rate:
                    kind = name
                    break
                roll -= rate
        with self._lock:
            self.counts[kind or "ok"] += 1
        return Decision(delay, kind, number)
