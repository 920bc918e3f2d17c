"""Fetch TTB's open files over HTTP: conditional GETs (ETag / Last-Modified), a few retries, and a cut
body (shorter than its Content-Length) treated as a failed fetch.

www.ttb.gov redirects ``/images/foia/`` paths (302); requests follows redirects.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

DEFAULT_USER_AGENT = "ttb-cola/0.1 (+https://github.com/ttb-cola/ttb-cola; open COLA registry pipeline)"


class FetchFailed(RuntimeError):
    """TTB did not serve a file (HTTP error, unreachable, cut body) after the retries."""


class _Retryable(Exception):
    """A transient failure worth another try."""


@dataclass(frozen=True)
class Fetched:
    """One answer: the body (None when 304 Not Modified) and its validators."""

    url: str
    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None

    @property
    def sha256(self) -> str | None:
        """The body's content hash (None for a 304)."""
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None


class OpenDataClient:
    """A requests session for www.ttb.gov (or the simulator)."""

    def __init__(self, user_agent: str = DEFAULT_USER_AGENT, timeout: float = 60.0, attempts: int = 3) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.timeout = timeout
        self.attempts = attempts

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET ``url``, conditionally when validators are given; FetchFailed after the retries."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        fetch = retry(
            retry=retry_if_exception_type(_Retryable), stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.5, max=10), reraise=True,
        )(self._get)
        try:
            return fetch(url, headers)
        except _Retryable as exc:
            raise FetchFailed(f"{url}: {exc}") from None

    def _get(self, url: str, headers: dict[str, str]) -> Fetched:
        try:
            response = self.session.get(url, headers=headers, timeout=self.timeout)
            body = response.content
        except requests.RequestException as exc:  # urllib3 raises on a body shorter than Content-Length
            raise _Retryable(f"{type(exc).__name__}: {str(exc)[:200]}") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code == 304:
            return Fetched(url, 304, None, response.headers.get("ETag") or headers.get("If-None-Match"),
                           response.headers.get("Last-Modified") or headers.get("If-Modified-Since"))
        if response.status_code != 200:
            raise FetchFailed(f"{url}: HTTP {response.status_code}")
        declared = response.headers.get("Content-Length")
        plain = "Content-Encoding" not in response.headers
        if declared and declared.isdigit() and plain and int(declared) != len(body):
            raise _Retryable(f"cut body: {len(body)} of {declared} bytes")
        return Fetched(url, 200, body, response.headers.get("ETag"), response.headers.get("Last-Modified"))
