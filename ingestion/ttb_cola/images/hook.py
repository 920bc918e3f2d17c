"""The crawl's label images: fetched right after each printable form, in the form's session.

The crawl's COLA fetcher calls :meth:`ImageHook.after_form` (its :class:`ttb_cola.fetch.FormHook`,
given by the run) on the thread that just fetched a COLA's form, before that thread asks the registry
for anything else, so the session-bound servlet answers for that COLA
(:func:`ttb_cola.images.fetch.fetch_images`). Positions already stored (``KnownImages``) are not
asked again. The results become ``cola_images`` / ``cola_barcodes`` rows that travel with the COLA's
page rows, so a COLA and its images are loaded in the same load.

An image the registry cannot serve after all retries does not fail the COLA's record (a label
missing for good must not stop a partition from ever completing): it gets no row, a warning is
logged, and ``ttb-cola images`` fetches it later. A block (CAPTCHA) or a stopped run still raises.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from ttb_cola.images.crawl import ImagesReport
from ttb_cola.images.fetch import check_images, fetch_images
from ttb_cola.images.known import KnownImages
from ttb_cola.images.store import DEFAULT_LOCAL_URL, ImageStore
from ttb_cola.images.tables import rows
from ttb_cola.records import TableRow
from ttb_cola.registry.client import Page, RegistryClient
from ttb_cola.registry.errors import RegistryBlocked, RegistryError
from ttb_cola.registry.stopping import RunStopped

logger = logging.getLogger("ttb_cola.images.hook")


@dataclass
class ImageHook:
    """Which images the crawl fetches (``front`` or ``all``), where they go, and what it did."""

    which: str
    store: ImageStore
    known: KnownImages = field(default_factory=KnownImages)
    read_barcodes: bool = True
    report: ImagesReport = field(default_factory=ImagesReport)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def after_form(self, client: RegistryClient, ttb_id: str, form: Page) -> tuple[TableRow, ...]:
        """The image rows of the COLA whose printable form ``form`` this thread just fetched."""
        try:
            results = fetch_images(client, ttb_id, form, self.which, self.store, skip=self.known.skip(ttb_id),
                                   read_barcodes=self.read_barcodes)
        except (RegistryBlocked, RunStopped):
            raise
        except RegistryError as exc:
            logger.warning("%s: label images not fetched (ttb-cola images will retry): %s", ttb_id, exc)
            with self._lock:
                self.report.failed.append(ttb_id)
            return ()
        self.known.add(results)
        with self._lock:
            self.report.add(results)
        return tuple(TableRow(table, row) for table, row in rows(results, self.store.url_of))


def image_hook(which: str, url: str, options: dict[str, Any] | None, known: KnownImages | None) -> ImageHook | None:
    """The crawl's hook for an ``images`` setting: None for ``none``; else ``front`` or ``all`` stored
    under ``url`` (``data/images`` when empty), skipping what ``known`` holds."""
    if check_images(which) == "none":
        return None
    store = ImageStore(url or DEFAULT_LOCAL_URL, options)
    return ImageHook(which, store, known if known is not None else KnownImages())
