"""Whose fault a page that failed every try is: that page's own, or the registry's.

A page that answers 5xx, an unrecognisable page or nothing on every try is its own fault (the
crawl parks its COLA and walks on) only when the registry is seen serving other pages. Pages other
workers got answered while it was retried show that. With nothing else in flight (the last COLA of
a partition, one COLA fetched alone) the client sends one check request for the registry's blank
search form, a page it serves to anyone: answered as that form, the fault is the page's; failing
too, the registry's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ttb_cola.registry.answers import Page
from ttb_cola.registry.errors import RegistryBlocked, RegistryError, redact_url
from ttb_cola.registry.pages import SEARCH_FORM_PATH, PageKind
from ttb_cola.registry.retry import RetryableFailure, RetryReason
from ttb_cola.registry.stopping import RunStopped

logger = logging.getLogger("ttb_cola.registry.page_faults")

#: Failures that can be one page's own (the registry fails to render it, or never finishes it) when
#: the registry serves other pages; a throttle, a session or a block is never one page's fault.
PAGE_FAULTS = frozenset({
    RetryReason.SERVER_ERROR, RetryReason.UNKNOWN_PAGE, RetryReason.TIMEOUT, RetryReason.CONNECTION,
})
#: The check request's page: the blank basic-search form, served to anyone (the run's preflight asks
#: for it too).
CHECK_PAGE = SEARCH_FORM_PATH
OTHERS_ANSWERED = "the registry answered other pages meanwhile"
CHECK_ANSWERED = "the registry answered its search page right after"


def check_answered(attempt: Callable[[], Page], url: str) -> bool:
    """Send the check once (``attempt``: one try, no retries): whether the registry answered it with
    the search form. A block or a stop is raised as from any request.

    Raises:
        RegistryBlocked: the check's answer tripped the circuit breaker.
        RunStopped: the run stopped while the check waited for its turn.
    """
    logger.info("%s failed every try with nothing else answered meanwhile: checking the registry's search page",
                redact_url(url))
    try:
        page = attempt()
    except (RegistryBlocked, RunStopped):
        raise
    except RetryableFailure as failure:
        logger.warning("the registry's search page failed too (%s): taking it for the registry's fault",
                       failure.detail)
        return False
    except RegistryError as exc:
        logger.warning("the registry's search page failed too (%s): taking it for the registry's fault", exc)
        return False
    if page.kind is not PageKind.SEARCH_FORM:
        logger.warning("the registry's search page came back as a %s page: taking it for the registry's fault",
                       page.kind)
        return False
    return True
