"""HTTP client for the public COLA Registry: per-thread sessions, one shared rate limit, retries.

A :class:`RegistryClient` is safe to share between worker threads: each thread gets its own
``requests.Session`` (sessions are not thread-safe, and the registry keys search state on the
session cookie), and every request, retries included, first takes a token from the client's
:class:`~ttb_cola.ratelimit.RateLimiter`. Workers with a client each pass them all the same
``rate_limiter`` so the process as a whole stays within ``requests_per_second``.

Every response is classified (:func:`ttb_cola.pages.classify`). Pages that answer the question
(detail, form, not found, search results, no results, error) are returned; transport failures,
5xx, 429, CAPTCHA, session timeouts and unrecognisable (truncated, empty, maintenance) pages are
retried with exponential backoff and jitter, and after ``max_attempts`` a :class:`RegistryError`
subclass is raised. TLS is always verified (see :mod:`ttb_cola.tls`).
"""

from __future__ import annotations

import dataclasses
import email.utils
import functools
import logging
import os
import random
import re
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from importlib import metadata
from types import TracebackType
from typing import Any, cast
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from ttb_cola.pages import PageKind, classify
from ttb_cola.ratelimit import RateLimiter
from ttb_cola.tls import resolve_ca_bundle

logger = logging.getLogger("ttb_cola.client")

DEFAULT_BASE_URL = "https://www.ttbonline.gov/colasonline"
DETAIL_PATH = "viewColaDetails.do"
_TTB_ID = re.compile(r"^\d{14}$")
_CHUNK = 64 * 1024


def _version() -> str:
    try:
        return metadata.version("ttb-cola")
    except metadata.PackageNotFoundError:
        return "0"


DEFAULT_USER_AGENT = f"ttb-cola/{_version()} (+https://github.com/ttb-cola/ttb-cola)"


class RetryReason(StrEnum):
    """Why an attempt was retried (keys of :attr:`StatsSnapshot.retries_by_reason`)."""

    CONNECTION = "connection"
    TIMEOUT = "timeout"
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limited"
    CAPTCHA = "captcha"
    SESSION_TIMEOUT = "session_timeout"
    UNKNOWN_PAGE = "unknown_page"


@dataclass(frozen=True, slots=True)
class Page:
    """One classified registry response; ``fetched_at`` is when the body was received (UTC)."""

    url: str
    status_code: int
    body: bytes = field(repr=False)
    kind: PageKind
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff settings; the defaults favour finishing a crawl over speed, see the field notes.

    Waits grow as ``initial_wait * multiplier ** (attempt - 1)`` plus up to ``jitter`` seconds,
    capped at ``max_wait`` (CAPTCHA: from ``captcha_wait`` up to ``captcha_max_wait``). A
    ``Retry-After`` header sets the least wait (capped at ``retry_after_max``).
    """

    #: Total tries per request, the first included: 5 backoffs of 1+2+4+8+16 s (+jitter) ride out
    #: a ~30 s blip or an app-server restart without stalling a worker for minutes.
    max_attempts: int = 6
    initial_wait: float = 1.0
    max_wait: float = 60.0
    multiplier: float = 2.0
    #: Spreads retries of many workers that failed together, so they don't return in lockstep.
    jitter: float = 1.0
    #: A CAPTCHA means we were flagged as a bot: back off for long, and the whole process with us
    #: (see RegistryClient): 30, 60, 120, 240, 300 s, then RegistryBlocked (~12.5 min in all).
    captcha_wait: float = 30.0
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

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if min(self.initial_wait, self.max_wait, self.captcha_wait, self.captcha_max_wait) < 0:
            raise ValueError("waits must be >= 0")


class RegistryError(Exception):
    """A request to the registry failed for good; carries the URL, attempts made and last reason."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        attempts: int,
        reason: str,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.url = redact_url(url)  # errors get logged and stored: never keep credentials
        self.attempts = attempts
        self.reason = reason
        self.status_code = status_code

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields: without this the error cannot cross a process boundary (pickle).
        kwargs = {"url": self.url, "attempts": self.attempts, "reason": self.reason}
        return (functools.partial(type(self), status_code=self.status_code, **kwargs), (self.args[0],))

    def __str__(self) -> str:
        status = f", status {self.status_code}" if self.status_code is not None else ""
        return f"{self.args[0]} ({self.url}: {self.attempts} attempt(s), last reason {self.reason}{status})"


class RegistryUnavailable(RegistryError):
    """Retries exhausted on transport errors, 5xx, 429, session timeouts or unrecognisable pages."""


class RegistryBlocked(RegistryError):
    """Retries exhausted and the last attempt was answered with a CAPTCHA: we are being blocked."""


class RegistryTLSError(RegistryError):
    """Certificate verification failed; not retried (a configuration problem, not a blip)."""


class _RetryableFailure(Exception):
    """One attempt that should be retried (internal; turned into a RegistryError at the end)."""

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


@dataclass(frozen=True, slots=True)
class StatsSnapshot:
    """A consistent copy of :class:`ClientStats` at one moment."""

    requests: int
    retries: int
    failures: int
    retries_by_reason: dict[str, int]
    pages_by_kind: dict[str, int]
    failures_by_reason: dict[str, int]
    backoff_seconds: float


class ClientStats:
    """Thread-safe counters: HTTP requests sent, retries (by reason), pages returned (by kind)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._retries: Counter[str] = Counter()
        self._pages: Counter[str] = Counter()
        self._failures: Counter[str] = Counter()
        self._backoff = 0.0

    def record_request(self) -> None:
        """Count one HTTP request about to be sent (first attempts and retries alike)."""
        with self._lock:
            self._requests += 1

    def record_retry(self, reason: str, wait: float) -> None:
        """Count one retry and the backoff before it."""
        with self._lock:
            self._retries[str(reason)] += 1
            self._backoff += wait

    def record_page(self, kind: str) -> None:
        """Count one page returned to a caller."""
        with self._lock:
            self._pages[str(kind)] += 1

    def record_failure(self, reason: str) -> None:
        """Count one request given up on."""
        with self._lock:
            self._failures[str(reason)] += 1

    @property
    def requests(self) -> int:
        """HTTP requests sent so far."""
        with self._lock:
            return self._requests

    @property
    def retries(self) -> int:
        """Retries so far, all reasons."""
        with self._lock:
            return sum(self._retries.values())

    def snapshot(self) -> StatsSnapshot:
        """All counters, read under one lock."""
        with self._lock:
            return StatsSnapshot(
                requests=self._requests,
                retries=sum(self._retries.values()),
                failures=sum(self._failures.values()),
                retries_by_reason=dict(self._retries),
                pages_by_kind=dict(self._pages),
                failures_by_reason=dict(self._failures),
                backoff_seconds=self._backoff,
            )


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


def redact_url(url: str) -> str:
    """The URL without any ``user:password@`` part, for logs and error messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def _is_read_timeout(exc: BaseException) -> bool:
    # requests reports a read timeout while streaming the body as ConnectionError(ReadTimeoutError).
    return any(isinstance(arg, urllib3.exceptions.ReadTimeoutError) for arg in getattr(exc, "args", ()))


class RegistryClient:
    """Fetches registry pages politely and robustly; safe to share between threads.

    Args:
        base_url: registry root; relative paths are resolved against ``base_url + "/"``.
        requests_per_second: process-wide budget shared by all threads (``<= 0``: unlimited).
            Ignored when ``rate_limiter`` is given.
        request_timeout: seconds allowed to connect, for each read, and for the whole response.
        user_agent: sent on every request; names the project by default.
        ca_bundle: PEM bundle to verify TLS with; None builds certifi + the shipped intermediate.
        max_attempts: overrides ``retry_policy.max_attempts`` when given.
        retry_policy: backoff settings (tests pass tiny waits).
        rate_limiter: share one limiter between several clients; by default the client makes one.
        burst: token bucket size for the limiter the client makes.
        stats: counters to update (by default the client makes its own, see :attr:`stats`).
        sleep: how to wait between attempts (injectable for tests).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        requests_per_second: float = 2.0,
        request_timeout: float = 30.0,
        user_agent: str | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        max_attempts: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        burst: int = 1,
        stats: ClientStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if request_timeout <= 0:
            raise ValueError(f"request_timeout must be > 0, got {request_timeout}")
        policy = retry_policy or RetryPolicy()
        if max_attempts is not None:
            policy = dataclasses.replace(policy, max_attempts=max_attempts)
        self.base_url = base_url.rstrip("/")
        self.request_timeout = float(request_timeout)
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self.retry_policy = policy
        self.rate_limiter = rate_limiter or RateLimiter(requests_per_second, burst)
        self.stats = stats or ClientStats()
        self.ca_bundle = resolve_ca_bundle(ca_bundle)
        self._sleep = sleep
        self._local = threading.local()
        self._sessions: weakref.WeakSet[requests.Session] = weakref.WeakSet()
        self._sessions_lock = threading.Lock()

    # -- public API ---------------------------------------------------------------------------

    def url_for(self, path_or_url: str) -> str:
        """Absolute URL for a path relative to ``base_url`` (browser rules), or the URL itself."""
        if urlsplit(path_or_url).scheme:
            return path_or_url
        return urljoin(self.base_url + "/", path_or_url)

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Page:
        """GET a registry page (retrying as described in the module docstring).

        Raises:
            RegistryError: see its subclasses.
        """
        return self.request("GET", path_or_url, params=params)

    def post(self, path: str, data: Mapping[str, Any] | None = None) -> Page:
        """POST a form (the registry's search) and return the resulting page.

        Raises:
            RegistryError: see its subclasses.
        """
        return self.request("POST", path, data=data)

    def detail(self, ttb_id: str) -> Page:
        """The public detail page of one COLA (``kind`` NOT_FOUND for unknown/non-public IDs)."""
        return self.get(DETAIL_PATH, {"action": "publicDisplaySearchBasic", "ttbid": _check_id(ttb_id)})

    def form(self, ttb_id: str) -> Page:
        """The printable application form of one COLA."""
        return self.get(DETAIL_PATH, {"action": "publicFormDisplay", "ttbid": _check_id(ttb_id)})

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Page:
        """Send one logical request, retrying per :attr:`retry_policy`; return the classified page.

        Raises:
            RegistryBlocked: the last attempt got a CAPTCHA.
            RegistryUnavailable: retries exhausted for any other retryable reason.
            RegistryTLSError: certificate verification failed.
            RegistryError: the request could not be sent at all (bad URL, redirect loop...).
        """
        url = self.url_for(path_or_url)
        if params:
            # Resolve the query once, so logs and errors name the exact page (the TTB ID).
            prepared = requests.PreparedRequest()
            prepared.prepare_url(url, params)
            url = prepared.url or url
        retrying = Retrying(
            stop=stop_after_attempt(self.retry_policy.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_RetryableFailure),
            before_sleep=self._before_sleep,
            sleep=self._sleep,
            reraise=False,
        )
        try:
            return retrying(self._attempt, method.upper(), url, data)
        except RetryError as exc:
            attempt = exc.last_attempt
            failure = cast(_RetryableFailure, attempt.exception())
            self.stats.record_failure(failure.reason)
            error_type = RegistryBlocked if failure.reason is RetryReason.CAPTCHA else RegistryUnavailable
            logger.warning(
                "giving up on %s %s after %d attempt(s): %s",
                method.upper(),
                redact_url(url),
                attempt.attempt_number,
                failure.detail,
            )
            raise error_type(
                f"giving up: {failure.detail}",
                url=url,
                attempts=attempt.attempt_number,
                reason=str(failure.reason),
                status_code=failure.status_code,
            ) from failure

    def close(self) -> None:
        """Close every thread's session (the client stays usable: sessions are recreated)."""
        with self._sessions_lock:
            sessions = list(self._sessions)
            self._sessions.clear()
        for session in sessions:
            session.close()
        self._local = threading.local()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sessions -----------------------------------------------------------------------------

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        session.headers.update(
            {
                "User-Agent": self.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "en-US,en;q=0.5",
            }
        )
        session.verify = self.ca_bundle
        # Proxy settings from the environment are read once here rather than on every request
        # (requests re-scans os.environ per request: a seventh of the client's time on loopback).
        session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        session.trust_env = False
        # Retries are ours (with classification and backoff); urllib3 must not retry underneath.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=2, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        with self._sessions_lock:
            self._sessions.add(session)
        return session

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._new_session()
            self._local.session = session
        return session

    def _drop_session(self, session: requests.Session) -> None:
        """Forget this thread's session (cookies and all) so the next attempt starts afresh."""
        if getattr(self._local, "session", None) is session:
            self._local.session = None
        with self._sessions_lock:
            self._sessions.discard(session)
        session.close()

    # -- one attempt --------------------------------------------------------------------------

    def _attempt(
        self,
        method: str,
        url: str,
        data: Mapping[str, Any] | None,
    ) -> Page:
        session = self._session()
        self.rate_limiter.acquire()
        self.stats.record_request()
        started = time.monotonic()

        def retry(reason: RetryReason, detail: str, **kwargs: Any) -> _RetryableFailure:
            return _RetryableFailure(reason, detail, method=method, url=url, **kwargs)

        try:
            # verify is passed explicitly so REQUESTS_CA_BUNDLE & co. cannot swap the bundle.
            response = session.request(
                method,
                url,
                data=data,
                timeout=self.request_timeout,
                verify=self.ca_bundle,
                stream=True,
            )
            try:
                body = self._read_body(response, started)
            finally:
                response.close()
        except requests.exceptions.SSLError as exc:
            raise RegistryTLSError(f"TLS verification failed: {exc}", url=url, attempts=1, reason="tls") from exc
        except requests.exceptions.Timeout as exc:
            raise retry(RetryReason.TIMEOUT, f"timed out: {exc}") from exc
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            reason = RetryReason.TIMEOUT if _is_read_timeout(exc) else RetryReason.CONNECTION
            raise retry(reason, f"{reason}: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            raise RegistryError(f"request failed: {exc}", url=url, attempts=1, reason="request_error") from exc
        except _BodyTimeout as exc:
            raise retry(RetryReason.TIMEOUT, str(exc)) from None
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise retry(RetryReason.TIMEOUT, f"timed out: {exc}") from exc
        except urllib3.exceptions.HTTPError as exc:  # cut, reset or undecodable body (read1)
            raise retry(RetryReason.CONNECTION, f"{RetryReason.CONNECTION}: {exc}") from exc

        fetched_at = datetime.now(UTC)
        status = response.status_code
        kind = classify(body, status)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if kind is PageKind.CAPTCHA:
            raise retry(RetryReason.CAPTCHA, f"CAPTCHA page (HTTP {status})", status_code=status)
        if kind is PageKind.SESSION_TIMEOUT:
            self._drop_session(session)
            raise retry(RetryReason.SESSION_TIMEOUT, f"session timeout page (HTTP {status})", status_code=status)
        if status == 429:
            raise retry(RetryReason.RATE_LIMITED, "HTTP 429", status_code=status, retry_after=retry_after)
        if status >= 500:
            raise retry(RetryReason.SERVER_ERROR, f"HTTP {status}", status_code=status, retry_after=retry_after)
        if kind is PageKind.UNKNOWN:
            raise retry(
                RetryReason.UNKNOWN_PAGE,
                f"unrecognised page (HTTP {status}, {len(body)} bytes)",
                status_code=status,
            )
        self.stats.record_page(kind)
        return Page(url=redact_url(response.url), status_code=status, body=body, kind=kind, fetched_at=fetched_at)

    def _read_body(self, response: requests.Response, started: float) -> bytes:
        # requests' timeout bounds each socket read, not the whole body, so a trickling server
        # could hold a worker forever. read1 returns whatever has arrived, letting us check a
        # deadline as bytes come in (iter_content would block until a full chunk is in).
        chunks: list[bytes] = []
        raw = response.raw
        reads: Iterator[bytes]
        if hasattr(raw, "read1"):
            reads = iter(lambda: raw.read1(_CHUNK, decode_content=True), b"")
        else:  # urllib3 < 2.3: the deadline is checked between chunks only
            reads = response.iter_content(chunk_size=_CHUNK)
        for chunk in reads:
            chunks.append(chunk)
            if time.monotonic() - started > self.request_timeout:
                raise _BodyTimeout(f"response not complete within {self.request_timeout:g} s")
        return b"".join(chunks)

    # -- retry plumbing -----------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        policy = self.retry_policy
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _RetryableFailure) and failure.reason is RetryReason.CAPTCHA:
            return policy.backoff(state.attempt_number, policy.captcha_wait, policy.captcha_max_wait)
        backoff = policy.backoff(state.attempt_number, policy.initial_wait, policy.max_wait)
        if isinstance(failure, _RetryableFailure) and failure.retry_after is not None:
            # Retry-After is a floor: never come back sooner than asked (up to our cap).
            return max(min(failure.retry_after, policy.retry_after_max), backoff)
        return backoff

    def _before_sleep(self, state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        if not isinstance(failure, _RetryableFailure):  # pragma: no cover - retry predicate
            return
        wait = state.next_action.sleep if state.next_action else 0.0
        # The registry throttles/flags the client, not a thread: hold back every worker.
        pause_all = failure.reason is RetryReason.CAPTCHA or failure.retry_after is not None
        if pause_all:
            self.rate_limiter.pause(wait)
        self.stats.record_retry(failure.reason, wait)
        logger.log(
            logging.WARNING if pause_all else logging.INFO,
            "retry %d/%d of %s %s in %.2f s: %s",
            state.attempt_number,
            self.retry_policy.max_attempts - 1,
            failure.method,
            redact_url(failure.url),
            wait,
            failure.detail,
        )


class _BodyTimeout(Exception):
    pass


def _check_id(ttb_id: str) -> str:
    ttb_id = str(ttb_id).strip()
    if not _TTB_ID.match(ttb_id):
        raise ValueError(f"a TTB ID is 14 digits, got {ttb_id!r}")
    return ttb_id


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_USER_AGENT",
    "ClientStats",
    "Page",
    "PageKind",
    "RegistryBlocked",
    "RegistryClient",
    "RegistryError",
    "RegistryTLSError",
    "RegistryUnavailable",
    "RetryPolicy",
    "RetryReason",
    "StatsSnapshot",
    "parse_retry_after",
    "redact_url",
]
