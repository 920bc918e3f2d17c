"""One HTTP exchange with the registry: send, read the whole body under a deadline, and turn every
transport failure into a retryable failure or a final :class:`RegistryError`."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import requests
import urllib3

from ttb_cola.registry.errors import RegistryError, RegistryTLSError
from ttb_cola.registry.retry import RetryableFailure, RetryReason

_CHUNK = 64 * 1024


class BodyTimeout(Exception):
    """The response did not complete within the request timeout."""


def send(
    session: requests.Session, method: str, url: str, data: Mapping[str, Any] | None, timeout: float, ca_bundle: str
) -> tuple[requests.Response, bytes]:
    """The response and its full body.

    Raises:
        RetryableFailure: timeouts, connection errors, cut bodies.
        RegistryTLSError: certificate verification failed.
        RegistryError: the request could not be sent at all.
    """

    def retry(reason: RetryReason, detail: str) -> RetryableFailure:
        return RetryableFailure(reason, detail, method=method, url=url)

    started = time.monotonic()
    try:
        # verify is passed explicitly so REQUESTS_CA_BUNDLE & co. cannot swap the bundle.
        response = session.request(method, url, data=data, timeout=timeout, verify=ca_bundle, stream=True)
        try:
            return response, read_body(response, started, timeout)
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
    except BodyTimeout as exc:
        raise retry(RetryReason.TIMEOUT, str(exc)) from None
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise retry(RetryReason.TIMEOUT, f"timed out: {exc}") from exc
    except urllib3.exceptions.HTTPError as exc:  # cut, reset or undecodable body (read1)
        raise retry(RetryReason.CONNECTION, f"{RetryReason.CONNECTION}: {exc}") from exc


def read_body(response: requests.Response, started: float, timeout: float) -> bytes:
    """The body, or :class:`BodyTimeout` once ``timeout`` seconds have passed since ``started``.

    requests' timeout bounds each socket read, not the whole body, so a trickling server could hold
    a worker forever. read1 returns whatever has arrived, letting us check a deadline as bytes come
    in (iter_content would block until a full chunk is in).
    """
    chunks: list[bytes] = []
    raw = response.raw
    reads: Iterator[bytes]
    if hasattr(raw, "read1"):
        reads = iter(lambda: raw.read1(_CHUNK, decode_content=True), b"")
    else:  # urllib3 < 2.3: the deadline is checked between chunks only
        reads = response.iter_content(chunk_size=_CHUNK)
    for chunk in reads:
        chunks.append(chunk)
        if time.monotonic() - started > timeout:
            raise BodyTimeout(f"response not complete within {timeout:g} s")
    return b"".join(chunks)


def _is_read_timeout(exc: BaseException) -> bool:
    # requests reports a read timeout while streaming the body as ConnectionError(ReadTimeoutError).
    return any(isinstance(arg, urllib3.exceptions.ReadTimeoutError) for arg in getattr(exc, "args", ()))
