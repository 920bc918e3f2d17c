"""The errors a registry request ends with once retries are exhausted (or not worth trying)."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit, urlunsplit


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
        kwargs: dict[str, Any] = {"url": self.url, "attempts": self.attempts, "reason": self.reason}
        return (functools.partial(type(self), status_code=self.status_code, **kwargs), (self.args[0],))

    def __str__(self) -> str:
        status = f", status {self.status_code}" if self.status_code is not None else ""
        return f"{self.args[0]} ({self.url}: {self.attempts} attempt(s), last reason {self.reason}{status})"


class RegistryUnavailable(RegistryError):
    """Retries exhausted on transport errors, 5xx, 429, session timeouts or unrecognisable pages."""


class PageUnavailable(RegistryUnavailable):
    """One page failed every try (5xx, an unrecognised page, no answer) while the registry answered
    other pages meanwhile, or its search form right after: that page's own fault, not an outage (the
    crawl parks its COLA)."""


class RegistryBlocked(RegistryError):
    """Retries exhausted and the last attempt was answered with a CAPTCHA: we are being blocked."""


class RegistryTLSError(RegistryError):
    """Certificate verification failed; not retried (a configuration problem, not a blip)."""


def redact_url(url: str) -> str:
    """The URL without any ``user:password@`` part, for logs and error messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))
