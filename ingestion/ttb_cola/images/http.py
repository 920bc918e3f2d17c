"""One GET in a *given* session, with a Referer, through the client's rate limiter and retries.

The image servlet answers from the session that displayed a form, so image requests cannot go
through :meth:`RegistryClient.get` (which uses the calling thread's session, and classifies an
image as an unknown page). This sends in the session it is given (the crawl thread's, or a fresh
one for a second opinion), taking a token of the client's one limiter for every attempt and
retrying transport failures, 5xx, 429 and CAPTCHA pages with the client's retry policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from ttb_cola.images.verify import sniff
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.errors import RegistryBlocked, RegistryUnavailable
from ttb_cola.registry.pages import PageKind, classify
from ttb_cola.registry.retry import RetryableFailure, RetryReason, parse_retry_after
from ttb_cola.registry.sessions import ThreadSessions
from ttb_cola.registry.transport import send


@dataclass(frozen=True, slots=True)
class Answer:
    """One response: status, content type and full body."""

    url: str
    status_code: int
    content_type: str
    body: bytes = field(repr=False)
    fetched_at: datetime


def fresh_session(client: RegistryClient) -> ThreadSessions:
    """A session store apart from the client's threads (``.current()`` is a new cookie-less session)."""
    return ThreadSessions(client.base_url, client.user_agent, client.ca_bundle)


def get(
    client: RegistryClient,
    session: requests.Session,
    url: str,
    *,
    referer: str | None = None,
    expect: PageKind | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Answer:
    """GET ``url`` in ``session``; with ``expect``, an HTML answer of another kind is retried.

    Backoff waits go through ``sleep``, by default the client's (a crawl's wakes on a stop).

    Raises:
        RegistryBlocked: CAPTCHA on the last attempt.
        RegistryUnavailable: retries exhausted.
        RegistryTLSError, RegistryError: from the transport, not retried.
    """
    policy = client.retry_policy
    sleep = sleep or client.sleep
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return _attempt(client, session, url, referer, expect)
        except RetryableFailure as failure:
            if attempt == policy.max_attempts:
                client.stats.record_failure(failure.reason)
                error = RegistryBlocked if failure.reason is RetryReason.CAPTCHA else RegistryUnavailable
                raise error(f"giving up: {failure.detail}", url=url, attempts=attempt, reason=str(failure.reason),
                            status_code=failure.status_code) from failure
            wait = policy.wait(attempt, failure)
            if failure.reason is RetryReason.CAPTCHA or failure.retry_after is not None:
                client.rate_limiter.pause(wait)
            client.stats.record_retry(failure.reason, wait)
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(client: RegistryClient, session: requests.Session, url: str, referer: str | None,
             expect: PageKind | None) -> Answer:
    client.rate_limiter.acquire()
    client.stats.record_request()
    if referer:
        session.headers["Referer"] = referer
    try:
        response, body = send(session, "GET", url, None, client.request_timeout, client.ca_bundle)
    finally:
        session.headers.pop("Referer", None)
    status = response.status_code

    def retry(reason: RetryReason, detail: str) -> RetryableFailure:
        return RetryableFailure(reason, detail, method="GET", url=url, status_code=status,
                                retry_after=parse_retry_after(response.headers.get("Retry-After")))

    if status == 429:
        raise retry(RetryReason.RATE_LIMITED, "HTTP 429")
    if status >= 500:
        raise retry(RetryReason.SERVER_ERROR, f"HTTP {status}")
    if sniff(body) is None:
        kind = classify(body, status)
        if kind is PageKind.CAPTCHA:
            raise retry(RetryReason.CAPTCHA, f"CAPTCHA page (HTTP {status})")
        if expect is not None and kind is not expect:
            raise retry(RetryReason.UNKNOWN_PAGE, f"expected a {expect} page, got {kind} (HTTP {status})")
    return Answer(url=url, status_code=status, content_type=response.headers.get("Content-Type", ""),
                  body=body, fetched_at=datetime.now(UTC))
