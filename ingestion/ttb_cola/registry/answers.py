"""What one registry answer means for the client: a page to return, or the failure to retry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from ttb_cola.registry.errors import RegistryUnavailable, redact_url
from ttb_cola.registry.pages import PageKind, classify
from ttb_cola.registry.retry import RetryableFailure, RetryReason, parse_retry_after


@dataclass(frozen=True, slots=True)
class Page:
    """One classified registry response; ``fetched_at`` is when the body was received (UTC)."""

    url: str
    status_code: int
    body: bytes = field(repr=False)
    kind: PageKind
    fetched_at: datetime


class SessionLost(RegistryUnavailable):
    """A session-bound request (search, export, next page) got the session timeout page: not retried."""


def answer(method: str, url: str, response: requests.Response, body: bytes, *, session_bound: bool) -> Page:
    """The page, or raise what its status and body call for.

    Raises:
        RetryableFailure: CAPTCHA, session timeout, 403, 429, 5xx or an unrecognised page.
        SessionLost: the session timeout page on a ``session_bound`` request (drop the session).
    """

    def retry(reason: RetryReason, detail: str, **kwargs: Any) -> RetryableFailure:
        return RetryableFailure(reason, detail, method=method, url=url, **kwargs)

    fetched_at = datetime.now(UTC)
    status = response.status_code
    kind = classify(body, status)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 403:  # a block whatever the body says (a WAF page may carry CAPTCHA words)
        raise retry(RetryReason.FORBIDDEN, f"HTTP 403 (forbidden, {len(body)} bytes)", status_code=status)
    if kind is PageKind.CAPTCHA:
        raise retry(RetryReason.CAPTCHA, f"CAPTCHA page (HTTP {status})", status_code=status)
    if kind is PageKind.SESSION_TIMEOUT:
        detail = f"session timeout page (HTTP {status})"
        if session_bound:  # retrying without the session is pointless: the caller starts a new one
            raise SessionLost(detail, url=url, attempts=1, reason=str(RetryReason.SESSION_TIMEOUT),
                              status_code=status)
        raise retry(RetryReason.SESSION_TIMEOUT, detail, status_code=status)
    if status == 429:
        raise retry(RetryReason.RATE_LIMITED, "HTTP 429", status_code=status, retry_after=retry_after)
    if status >= 500:
        raise retry(RetryReason.SERVER_ERROR, f"HTTP {status}", status_code=status, retry_after=retry_after)
    if kind is PageKind.UNKNOWN:
        raise retry(RetryReason.UNKNOWN_PAGE, f"unrecognised page (HTTP {status}, {len(body)} bytes)",
                    status_code=status)
    return Page(url=redact_url(response.url), status_code=status, body=body, kind=kind, fetched_at=fetched_at)
