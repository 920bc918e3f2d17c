"""Visit COLAs already loaded: each one's form, then its images (the hook), on a bounded pool.

Every worker thread uses the one client (its own session per thread, the client's one rate
limiter for all), so a COLA's form and images always go out in one session, never interleaved
with another COLA. Progress (COLAs done, images stored, req/s, ETA) goes to ``ttb_cola.progress``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from ttb_cola.images.fetch import INVALID, STORED, UNAVAILABLE, ImageResult, fetch_images
from ttb_cola.images.select import Work
from ttb_cola.images.store import ImageStore
from ttb_cola.images.tables import rows
from ttb_cola.progress import hms, progress_log
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.errors import RegistryBlocked, RegistryError
from ttb_cola.registry.pages import PageKind

Row = tuple[str, dict]


@dataclass
class ImagesReport:
    """What a ``ttb-cola images`` run did."""

    planned: int = 0
    visited: int = 0
    images: int = 0
    stored: int = 0
    written: int = 0
    unavailable: int = 0
    invalid: int = 0
    mixups: int = 0
    shared: int = 0
    barcodes: int = 0
    not_found: int = 0
    requests: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)
    blocked: bool = False
    budget_reached: bool = False

    def add(self, results: Sequence[ImageResult]) -> None:
        """Count one COLA's results."""
        self.visited += 1
        for result in results:
            self.images += 1
            self.stored += result.status == STORED
            self.written += result.written
            self.unavailable += result.status == UNAVAILABLE
            self.invalid += result.status == INVALID
            self.mixups += result.mixups
            self.shared += result.shared_with_previous
            self.barcodes += len(result.barcodes)

    def summary(self) -> str:
        """One line for the end of a run."""
        return (f"images: {self.visited}/{self.planned} COLAs visited, {self.images} images: {self.stored} stored "
                f"({self.written} new files), {self.unavailable} unavailable, {self.invalid} invalid, "
                f"{self.mixups} mix-ups discarded, {self.shared} shared labels, {self.barcodes} barcodes; "
                f"{self.requests} requests in {self.seconds:.1f} s"
                + (f"; {len(self.failed)} COLA(s) failed" if self.failed else "")
                + ("; request budget reached" if self.budget_reached else "")
                + ("; BLOCKED by the registry" if self.blocked else ""))


def visit(client: RegistryClient, work: Work, which: str, store: ImageStore, read_barcodes: bool) -> list[ImageResult]:
    """One COLA: its printable form, then its images in the same (thread) session."""
    page = client.form(work.ttb_id)
    if page.kind is not PageKind.FORM:
        return []
    return fetch_images(client, work.ttb_id, page, which, store, skip=work.skip, read_barcodes=read_barcodes)


def crawl_images(client: RegistryClient, work: Sequence[Work], which: str, store: ImageStore, report: ImagesReport,
                 *, max_workers: int = 4, max_requests: int | None = None,
                 read_barcodes: bool = True) -> Iterator[Row]:
    """(table, row) pairs of every visited COLA's images, as they complete."""
    report.planned = len(work)
    started, first_requests = time.monotonic(), client.stats.requests
    queue = iter(work)
    pending: dict[Future[list[ImageResult]], Work] = {}
    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="ttb-images") as pool:
        while True:
            while len(pending) < 2 * max(1, max_workers) and not (report.blocked or report.budget_reached):
                if max_requests is not None and client.stats.requests - first_requests >= max_requests:
                    report.budget_reached = True
                    break
                item = next(queue, None)
                if item is None:
                    break
                pending[pool.submit(visit, client, item, which, store, read_barcodes)] = item
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                item = pending.pop(future)
                results = _result(future, item, report)
                if results is not None:
                    report.add(results)
                    yield from rows(results, store.url_of)
            report.requests = client.stats.requests - first_requests
            report.seconds = time.monotonic() - started
            _progress(report)


def _result(future: Future[list[ImageResult]], item: Work, report: ImagesReport) -> list[ImageResult] | None:
    try:
        return future.result()
    except RegistryBlocked:
        report.blocked = True
    except RegistryError as exc:
        progress_log.warning("images: %s failed: %s", item.ttb_id, exc)
        report.failed.append(item.ttb_id)
    return None


def _progress(report: ImagesReport) -> None:
    done = report.visited + len(report.failed)
    if done % 25 and done != report.planned:
        return
    rate = report.requests / max(report.seconds, 1e-3)
    eta = report.seconds / max(done, 1) * (report.planned - done)
    progress_log.info("images [%d/%d] COLAs, %d images stored (%d new), %d unavailable, %d mix-ups  "
                      "%.1f req/s  ETA %s", done, report.planned, report.stored, report.written,
                      report.unavailable, report.mixups, rate, hms(eta))
