"""One request to the registry before a run, so a wrong or unreachable base URL fails early."""

from __future__ import annotations

import time

import requests

from ttb_cola.errors import InputError
from ttb_cola.registry.errors import redact_url
from ttb_cola.registry.tls import resolve_ca_bundle


def check_reachable(base_url: str, ca_bundle: str | None = None, timeout: float = 15.0) -> None:
    """GET the registry's search page; an InputError when it cannot be reached or is not the registry."""
    url = base_url.rstrip("/") + "/publicSearchColasBasic.do"
    bundle = resolve_ca_bundle(ca_bundle)
    transient = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                 requests.exceptions.ChunkedEncodingError)
    for attempt in range(1, 4):  # a reset or cut page is a blip, not a wrong URL: try 3 times
        try:
            response = requests.get(url, timeout=timeout, verify=bundle, allow_redirects=True)
            break
        except requests.exceptions.SSLError as exc:
            raise InputError(f"TLS verification failed for {base_url}: {exc}") from None
        except requests.RequestException as exc:
            if attempt == 3 or not isinstance(exc, transient):
                raise InputError(f"registry at {redact_url(base_url)} is unreachable: {type(exc).__name__}") from None
            time.sleep(0.5 * attempt)
    if response.status_code == 404:
        raise InputError(f"{base_url} does not look like the COLA registry (HTTP 404 for {url})")
