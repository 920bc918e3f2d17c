"""HTTP client for the public COLA Registry: per-thread sessions, one shared rate limit, retries.

A :class:`RegistryClient` is safe to share between worker threads: each thread gets its own
``requests.Session`` (sessions are not thread-safe, and the registry keys search state on the
session cookie), and every request, retries included, first takes a token from the client's
:class:`~ttb_cola.registry.ratelimit.RateLimiter`. Workers with a client each pass them all the same
``rate_limiter`` so the process as a whole stays within ``requests_per_second``.

Every response is classified (:func:`ttb_cola.registry.pages.classify`). Pages that answer the question
(detail, form, not found, search results, no results, error) are returned; transport failures,
5xx, 429, CAPTCHA, session timeouts and unrecognisable (truncated, empty, maintenance) pages are
retried with exponential backoff and jitter, and after ``max_attempts`` a :class:`RegistryError`
subclass is raised: :class:`PageUnavailable` when the registry is seen serving other pages while
this one kept failing (the page's own fault, not an outage): pages answered meanwhile or, with none,
one check request for its search form (:mod:`ttb_cola.registry.page_faults`). TLS is always verified
(see :mod:`ttb_cola.registry.tls`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from types import TracebackType
from typing import Any, NoReturn, cast
from urllib.parse import urljoin, urlsplit

import requests
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from ttb_cola.registry.answers import Page, SessionLost, answer
from ttb_cola.registry.breaker import CircuitBreaker
from ttb_cola.registry.errors import (
    PageUnavailable,
    RegistryBlocked,
    RegistryError,
    RegistryTLSError,
    RegistryUnavailable,
    redact_url,
)
from ttb_cola.registry.page_faults import CHECK_ANSWERED, CHECK_PAGE, OTHERS_ANSWERED, PAGE_FAULTS, check_answered
from ttb_cola.registry.pages import PageKind
from ttb_cola.registry.ratelimit import RateLimiter
from ttb_cola.registry.retry import BLOCKS, RetryableFailure, RetryPolicy, RetryReason, parse_retry_after
from ttb_cola.registry.sessions import ThreadSessions
from ttb_cola.registry.stats import ClientStats, StatsSnapshot
from ttb_cola.registry.tls import resolve_ca_bundle
from ttb_cola.registry.transport import send

logger = logging.getLogger("ttb_cola.registry.client")

DEFAULT_BASE_URL = "https://www.ttbonline.gov/colasonline"
#: Seconds a request may take (setting ``request_timeout``): to connect, for each read and for the whole response.
DEFAULT_REQUEST_TIMEOUT = 30.0
DETAIL_PATH = "viewColaDetails.do"
_TTB_ID = re.compile(r"^\d{14}$")


def _version() -> str:
    try:
        return metadata.version("ttb-cola")
    except metadata.PackageNotFoundError:
        return "0"


DEFAULT_USER_AGENT = f"ttb-cola/{_version()} (+https://github.com/ttb-cola/ttb-cola)"


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
        sleep: how to wait between attempts (injectable; a :class:`StopSignal`'s wakes on a stop).
        breaker: the run's shared :class:`CircuitBreaker` (none: retries only).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        requests_per_second: float = 2.0,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        user_agent: str | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        max_attempts: int | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        burst: int = 1,
        stats: ClientStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
        breaker: CircuitBreaker | None = None,
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
        self.breaker = breaker
        self.sessions = ThreadSessions(self.base_url, self.user_agent, self.ca_bundle)

    # -- public API ---------------------------------------------------------------------------

    @property
    def sleep(self) -> Callable[[float], None]:
        """How this client waits between attempts (a crawl's wakes on a stop)."""
        return self._sleep

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

    def post(self, path: str, data: Mapping[str, Any] | None = None, *, session_bound: bool = False) -> Page:
        """POST a form (the registry's search) and return the resulting page.

        Raises:
            RegistryError: see its subclasses.
        """
        return self.request("POST", path, data=data, session_bound=session_bound)

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
        session_bound: bool = False,
    ) -> Page:
        """Send one logical request, retrying per :attr:`retry_policy`; return the classified page.

        ``session_bound``: the request only makes sense in the session that started it (a search
        POST, its export and pages): a session timeout page fails it at once, with reason
        ``session_timeout``, so the caller starts a new session instead of retrying without one.
        A request that ran out of attempts while the breaker cooled down starts again afresh.

        Raises:
            RegistryBlocked: the last attempt got a CAPTCHA or HTTP 403, or the breaker is open.
            PageUnavailable: retries exhausted on 5xx, unknown pages or no answer while the registry
                answered other requests (any worker's) meanwhile or, with none, the one check request
                for its search form (not sent for session-bound requests).
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
            retry=retry_if_exception_type(RetryableFailure),
            before_sleep=self._before_sleep,
            sleep=self._sleep,
            reraise=False,
        )
        epoch = self.breaker.epoch if self.breaker else 0
        answered = self._answered()
        while True:
            try:
                return retrying(self._attempt, method.upper(), url, data, session_bound)
            except RetryError as exc:
                failure = cast(RetryableFailure, exc.last_attempt.exception())
                if self.breaker is not None and self.breaker.resume_after(failure, epoch):
                    epoch = self.breaker.epoch  # cooled down since it started: try again afresh
                    continue
                evidence = self._page_fault(url, failure, answered, session_bound)
                if evidence is None and self.breaker is not None and self.breaker.resume_after(failure, epoch):
                    epoch = self.breaker.epoch  # the check's failure began a cooldown: try again afresh
                    continue
                self._give_up(method, url, exc, evidence)

    def _answered(self) -> int:
        """Pages answered so far: by every worker of the run (the breaker counts them), else by this client."""
        return self.breaker.answered if self.breaker else self.stats.pages

    def _page_fault(self, url: str, failure: RetryableFailure, answered: int, session_bound: bool) -> str | None:
        """Why a request whose attempts all failed is its page's own fault, or None (the registry's).

        ``answered``: :meth:`_answered` when it started. With no page answered since, one check
        request goes through :meth:`_attempt` (rate limit, breaker, stats) unless the request is
        session-bound (its caller handles every failure alike) or is the check page itself, or the run
        is stopping. An answered check is evidence about this page only: it leaves the breaker's count
        of failures in a row as it was, so a registry failing every COLA page still trips it.
        """
        if failure.reason not in PAGE_FAULTS:
            return None
        if self._answered() > answered:
            return OTHERS_ANSWERED
        check_url = self.url_for(CHECK_PAGE)
        if session_bound or url.split("?", 1)[0] == check_url:
            return None
        if self.breaker is not None and (self.breaker.opened is not None or self.breaker.stop.is_set()):
            return None  # the run is stopping
        if check_answered(lambda: self._attempt("GET", check_url, None, check=True), url):
            return CHECK_ANSWERED
        return None

    def _give_up(self, method: str, url: str, exc: RetryError, page_fault: str | None) -> NoReturn:
        """Raise the final error of a request whose attempts all failed (``page_fault``: why it is
        its page's own fault, None when it may be the registry's)."""
        attempt = exc.last_attempt
        failure = cast(RetryableFailure, attempt.exception())
        self.stats.record_failure(failure.reason)
        detail = failure.detail
        if failure.reason in BLOCKS:
            error_type: type[RegistryError] = RegistryBlocked
        elif page_fault is not None:
            error_type = PageUnavailable
            detail += f" ({page_fault})"
        else:
            error_type = RegistryUnavailable
        logger.warning(
            "giving up on %s %s after %d attempt(s): %s",
            method.upper(),
            redact_url(url),
            attempt.attempt_number,
            failure.detail,
        )
        raise error_type(
            f"giving up: {detail}",
            url=url,
            attempts=attempt.attempt_number,
            reason=str(failure.reason),
            status_code=failure.status_code,
        ) from failure

    def close(self) -> None:
        """Close every thread's session (the client stays usable: sessions are recreated)."""
        self.sessions.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- one attempt --------------------------------------------------------------------------

    def _attempt(
        self,
        method: str,
        url: str,
        data: Mapping[str, Any] | None,
        session_bound: bool = False,
        *,
        check: bool = False,
    ) -> Page:
        """One try of a request (``check``: the page-fault check, whose answer does not reset the breaker)."""
        session = self.sessions.current()
        if self.breaker:
            self.breaker.check()
        self.rate_limiter.acquire()
        if self.breaker:
            self.breaker.check()  # it may have opened while we waited for a slot
        self.stats.record_request()
        body = b""
        try:
            response, body = send(session, method, url, data, self.request_timeout, self.ca_bundle)
            page = answer(method, url, response, body, session_bound=session_bound)
        except SessionLost:
            self.sessions.drop(session)
            self.stats.record_failure(RetryReason.SESSION_TIMEOUT)
            raise
        except RetryableFailure as failure:
            if failure.reason is RetryReason.SESSION_TIMEOUT:
                self.sessions.drop(session)  # the next attempt starts a new session
            if self.breaker:
                self.breaker.failure(failure, body)
                self.breaker.check()
            raise
        if self.breaker and not check:
            self.breaker.success()
        self.stats.record_page(page.kind)
        return page

    # -- retry plumbing -----------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        return self.retry_policy.wait(state.attempt_number, failure if isinstance(failure, RetryableFailure) else None)

    def _before_sleep(self, state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        if not isinstance(failure, RetryableFailure):  # pragma: no cover - retry predicate
            return
        wait = state.next_action.sleep if state.next_action else 0.0
        # The registry throttles/flags the client, not a thread: hold back every worker.
        pause_all = failure.reason in BLOCKS or failure.retry_after is not None
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
    "PageUnavailable",
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
