"""Fetch a COLA's label images with the servlet's session protocol, verify them, store them once.

The servlet answers from the session's last displayed printable form, so a COLA's images are
fetched right after its form, in the same session, with the form as Referer, never interleaved
with another COLA. Safeguards:

- an answer that is not a fully decoded image (the HTTP 200 "Unable to render attachment" page, an
  error page) is asked once more in a *fresh* session (its form, then the image); still not an
  image: recorded ``unavailable`` (or ``invalid``), never stored;
- an image byte-identical to one the same session served for the *previous* COLA is asked again
  in a fresh session: the same bytes mean a label both COLAs share (kept); other bytes mean the
  first answer was the servlet's mix-up (discarded, counted in ``mixups``; the fresh one is kept);
- when some selected image of the previous COLA could not be verified (unavailable, or skipped as
  already stored), its bytes are unknown, so a mix-up repeating it could not be recognised: every
  image of the next COLA in that session then gets the fresh-session second opinion too.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from ttb_cola.images import http
from ttb_cola.images.barcodes import Barcode, read_bytes
from ttb_cola.images.store import ImageStore, sha256_hex
from ttb_cola.images.verify import Checked, Verdict, check
from ttb_cola.parsers.form import parse_form
from ttb_cola.registry.client import DETAIL_PATH, Page, RegistryClient
from ttb_cola.registry.pages import PageKind

ATTACHMENT_PATH = "publicViewAttachment.do"
WHICH = ("none", "front", "all")

STORED = "stored"  # verified and in the store
UNAVAILABLE = "unavailable"  # "Unable to render attachment" twice
INVALID = "invalid"  # another non-image answer (error page, undecodable bytes) twice


@dataclass
class ImageResult:
    """What became of one label image of a COLA (one ``cola_images`` row, plus its barcodes)."""

    ttb_id: str
    position: int
    image_type: str | None
    filename: str
    status: str
    fetched_at: datetime
    sha256: str | None = None
    bytes: int | None = None
    image_format: str | None = None
    extension: str | None = None
    width_px: int | None = None
    height_px: int | None = None
    written: bool = False  # stored by this fetch (False: the store already had these bytes)
    shared_with_previous: bool = False  # same bytes as the previous COLA, confirmed in a fresh session
    mixups: int = 0  # answers discarded as the servlet's mix-up
    requests: int = 0  # requests this image cost (a fresh session's form included; retries not counted)
    detail: str | None = None
    barcodes: list[Barcode] = field(default_factory=list)


@dataclass
class _Previous:
    ttb_id: str
    digests: set[str]
    complete: bool  # every selected image of that COLA was verified: its digests are all known


# What each (thread) session served for its last COLA; forgotten with the session.
_SERVED: weakref.WeakKeyDictionary[requests.Session, _Previous] = weakref.WeakKeyDictionary()
_SERVED_LOCK = threading.Lock()


def check_images(which: str) -> str:
    """``which`` when it is an ``images`` setting, else a ValueError naming the choices."""
    if which not in WHICH:
        raise ValueError(f"images must be one of {', '.join(WHICH)}, got {which!r}")
    return which


def select(images: list[dict[str, Any]], which: str) -> list[int]:
    """Indexes (0-based) to fetch: ``all``, ``front`` (the brand/front label, else the first), ``none``."""
    if check_images(which) == "none" or not images:
        return []
    if which == "all":
        return list(range(len(images)))
    front = [i for i, image in enumerate(images) if "front" in (image.get("image_type") or "").lower()]
    return front[:1] or [0]


def attachment_url(client: RegistryClient, filename: str) -> str:
    """The servlet URL of a label file named on the form."""
    return client.url_for(f"{ATTACHMENT_PATH}?filename={quote(filename)}&filetype=l")


def fetch_images(
    client: RegistryClient,
    ttb_id: str,
    form_page: Page,
    which: str,
    store: ImageStore,
    *,
    skip: Collection[int] = (),
    read_barcodes: bool = True,
) -> list[ImageResult]:
    """Fetch, verify and store the label images of the COLA whose printable form was just fetched.

    The crawl hook. Contract:

    - call it on the thread that fetched ``form_page`` with ``client`` (``client.form(ttb_id)``),
      right after that form and before the thread asks the registry for anything else: the
      thread's session is the one the servlet answers from;
    - ``which``: ``none`` (returns []), ``front`` (the "Brand (front)" label, else the first) or
      ``all``; ``store``: where verified images go (:class:`ImageStore`); ``skip``: positions
      already stored, not fetched;
    - requests: one per selected image in the thread's session (Referer: the form's URL), plus, for
      an answer needing a second opinion, one form and one image request in a fresh session (the
      form once per call); all take the client's rate limiter and retry policy;
    - returns one :class:`ImageResult` per selected position not skipped (``position`` 1-based in
      form order, the ``position`` of ``cola_label_images``), ``status`` ``stored``,
      ``unavailable`` or ``invalid``; rows for the tables via :func:`ttb_cola.images.tables.rows`;
    - a bad answer never raises (its status says so); a registry that cannot be reached or blocks
      us raises :class:`~ttb_cola.registry.errors.RegistryError` (``RegistryBlocked``) as
      :meth:`RegistryClient.get` does; ``ValueError`` when ``form_page`` is not a printable form
      or ``which`` is unknown. Safe to call from several threads (each with its own session).
    """
    if form_page.kind is not PageKind.FORM:
        raise ValueError(f"{ttb_id}: fetch_images needs the printable form page, got {form_page.kind}")
    images = parse_form(form_page.body)["label_images"]
    skipped = set(skip)
    positions = [i + 1 for i in select(images, which) if i + 1 not in skipped]
    session = client.sessions.current()
    with _SERVED_LOCK:
        previous = _SERVED.get(session)
    fetcher = _Fetcher(client, ttb_id, form_page.url, store, read_barcodes)
    results: list[ImageResult] = []
    try:
        for position in positions:
            results.append(fetcher.one(session, position, images[position - 1], previous))
    finally:
        fetcher.close()
        # Interrupted by an error, this COLA's other images are unknown: the next COLA gets second opinions.
        complete = not skipped and len(results) == len(positions) and all(r.status == STORED for r in results)
        with _SERVED_LOCK:
            _SERVED[session] = _Previous(ttb_id, {r.sha256 for r in results if r.sha256}, complete)
    return results


class _Fetcher:
    """One COLA's images: the crawl session's answers, and a lazily opened fresh session."""

    def __init__(self, client: RegistryClient, ttb_id: str, referer: str, store: ImageStore,
                 read_barcodes: bool) -> None:
        self.client, self.ttb_id, self.referer, self.store = client, ttb_id, referer, store
        self.read_barcodes = read_barcodes
        self._fresh: http.ThreadSessions | None = None
        self._fresh_referer: str | None = None

    def one(self, session: requests.Session, position: int, image: dict[str, Any],
            previous: _Previous | None) -> ImageResult:
        url = attachment_url(self.client, image["filename"])
        answer = http.get(self.client, session, url, referer=self.referer)
        result = ImageResult(self.ttb_id, position, image.get("image_type"), image["filename"], INVALID,
                             answer.fetched_at, requests=1)
        checked = check(answer.body)
        if not checked.is_image:
            answer, checked = self._second_opinion(url, result)
        elif previous is not None and previous.ttb_id != self.ttb_id:
            first = sha256_hex(answer.body)
            repeated = first in previous.digests
            # An image of the previous COLA we could not verify might be what came back: ask again too.
            if repeated or not previous.complete:
                answer, checked = self._second_opinion(url, result)
                same = checked.is_image and sha256_hex(answer.body) == first
                result.shared_with_previous = repeated and same
                result.mixups += checked.is_image and not same
        self._finish(result, answer, checked)
        return result

    def _second_opinion(self, url: str, result: ImageResult) -> tuple[http.Answer, Checked]:
        """The image asked again in a fresh session: its form first, then the image."""
        session = self._fresh_session(result)
        answer = http.get(self.client, session, url, referer=self._fresh_referer)
        result.requests += 1
        return answer, check(answer.body)

    def _fresh_session(self, result: ImageResult) -> requests.Session:
        if self._fresh is None:
            self._fresh = http.fresh_session(self.client)
            form_url = self.client.url_for(f"{DETAIL_PATH}?action=publicFormDisplay&ttbid={self.ttb_id}")
            http.get(self.client, self._fresh.current(), form_url, expect=PageKind.FORM)
            self._fresh_referer = form_url
            result.requests += 1
        return self._fresh.current()

    def _finish(self, result: ImageResult, answer: http.Answer, checked: Checked) -> None:
        result.fetched_at = answer.fetched_at
        if not checked.is_image:
            result.status = UNAVAILABLE if checked.verdict is Verdict.UNABLE_TO_RENDER else INVALID
            result.detail = checked.detail
            return
        digest, written = self.store.put(answer.body, str(checked.extension))
        result.status, result.sha256, result.written = STORED, digest, written
        result.bytes, result.image_format, result.extension = len(answer.body), checked.image_format, checked.extension
        result.width_px, result.height_px = checked.width, checked.height
        if self.read_barcodes:
            result.barcodes = read_bytes(answer.body)

    def close(self) -> None:
        if self._fresh is not None:
            self._fresh.close()
