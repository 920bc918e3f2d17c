"""What a runner keeps of the COLA fetches it had started when its run stops (probe and search alike).

After a stop no fetch starts; those running finish (their requests are in flight), and the runner keeps, in
order, every fetch that ran and returned, up to the first that did not.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


def settle_futures(pool: ThreadPoolExecutor, futures: list[Future[Any]]) -> None:
    """After a stop: cancel the ``futures`` not started, and let the pool finish the ones running (their
    requests are in flight; the pool's close would wait for them all the same), so each has its outcome."""
    for future in futures:
        future.cancel()
    pool.shutdown(wait=True)


def loaded_future(future: Future[Any]) -> bool:
    """Whether ``future`` ran and returned (its pages answered and read), rather than failed or never ran."""
    return future.done() and not future.cancelled() and future.exception() is None


__all__ = ["loaded_future", "settle_futures"]
