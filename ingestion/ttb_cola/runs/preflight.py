"""One request to the registry before a run, so a wrong or unreachable base URL fails early.

It goes through the :class:`~ttb_cola.registry.client.RegistryClient`, so it sends the configured
User-Agent, verifies TLS with the configured bundle and retries a blip like any request. A wrong
base URL (HTTP 404, a TLS failure) is bad input (exit 2); a registry that does not answer is an
outage (:class:`RegistryOutage`, exit 4): the configuration may be right, so retry later.
"""

from __future__ import annotations

from ttb_cola.errors import InputError
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.errors import RegistryBlocked, RegistryError, RegistryTLSError, redact_url
from ttb_cola.registry.pages import SEARCH_FORM_PATH
from ttb_cola.registry.retry import RetryPolicy

#: 3 tries 0.5 s then 1 s apart: a reset or cut page is a blip, not an outage.
POLICY = RetryPolicy(max_attempts=3, initial_wait=0.5, max_wait=2.0, jitter=0.2, captcha_wait=1.0,
                     captcha_max_wait=2.0, retry_after_max=5.0)


class RegistryOutage(Exception):
    """The registry could not be reached or did not answer like itself (5xx, maintenance, timeouts)."""


class BlockedAtStart(Exception):
    """The registry answered the preflight with a CAPTCHA or HTTP 403: it is blocking us (exit 3)."""


def check_reachable(
    base_url: str, ca_bundle: str | None = None, timeout: float = 15.0, user_agent: str | None = None
) -> None:
    """GET the registry's search page with the run's client settings.

    Raises:
        InputError: the base URL is wrong (HTTP 404, TLS verification failed).
        BlockedAtStart: the registry answers with a CAPTCHA or HTTP 403.
        RegistryOutage: the registry is down or not answering.
    """
    shown = redact_url(base_url)
    with RegistryClient(base_url, requests_per_second=0, request_timeout=timeout, user_agent=user_agent,
                        ca_bundle=ca_bundle, retry_policy=POLICY) as client:
        try:
            client.get(SEARCH_FORM_PATH)
        except RegistryBlocked as exc:
            raise BlockedAtStart(f"the registry at {shown} is blocking us ({exc.reason} on the first request): "
                                 "nothing was written; lower requests_per_second and retry later") from None
        except RegistryTLSError as exc:
            raise InputError(f"TLS verification failed for {shown}: {_first_line(exc)}") from None
        except RegistryError as exc:
            if exc.reason == "request_error":  # not an http(s) URL we can even send to
                raise InputError(f"registry at {shown} is unreachable: {_first_line(exc)}") from None
            if exc.status_code == 404:
                raise InputError(f"{shown} does not look like the COLA registry (HTTP 404 for "
                                 f"{redact_url(client.url_for(SEARCH_FORM_PATH))})") from None
            raise RegistryOutage(f"registry at {shown} is unreachable or not answering: {exc.reason}"
                                 f"{f' (HTTP {exc.status_code})' if exc.status_code else ''}") from None


def _first_line(exc: BaseException) -> str:
    return str(exc.args[0] if exc.args else exc).splitlines()[0]
