"""Fetch the pages of one COLA on a worker's session: fetch -> classify -> parse -> record.

Every way a run reaches a COLA's pages goes through :meth:`ColaFetcher.record`: the probe's walk of a
partition (:mod:`ttb_cola.probe.runner`), the COLAs a search lists (:mod:`ttb_cola.search.runner`), the page
backlog (:mod:`ttb_cola.fill.fetch`) and the parked retry (:mod:`ttb_cola.parked.retry`). What must happen
right after a COLA's printable form is fetched, on the thread that fetched it, is a :class:`FormHook` given
by whoever builds the run (the crawl's label images, :class:`ttb_cola.images.hook.ImageHook`).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Protocol

from ttb_cola.archive import RawArchive, sha256
from ttb_cola.parked.model import ColaUnreadable
from ttb_cola.parsers import parse_page
from ttb_cola.parsers.errors import ParseError
from ttb_cola.records import DETAIL_FIELDS, FORM_FIELDS, ColaPages, TableRow, page_row
from ttb_cola.registry.client import Page, RegistryClient
from ttb_cola.registry.errors import PageUnavailable
from ttb_cola.registry.pages import PageKind
from ttb_cola.registry.stopping import RunStopped

logger = logging.getLogger("ttb_cola.fetch")


class FormHook(Protocol):
    """What runs on the thread that just fetched a COLA's printable form, before that thread asks the
    registry for anything else (a session-bound servlet still answers for that COLA)."""

    def after_form(self, client: RegistryClient, ttb_id: str, form: Page) -> tuple[TableRow, ...]:
        """The rows that travel with the COLA's page rows (loaded in the same load).

        Raises:
            RegistryBlocked, RunStopped: the run must stop; anything the hook can leave for later it
                does not raise.
        """
        ...


@dataclass
class ColaFetcher:
    """Fetches and parses the pages of one COLA at a time (``pages``: which pages make a record), on
    ``client``'s session; the walks that use it fetch up to ``lookahead`` COLAs at once."""

    client: RegistryClient
    pages: str = "both"
    archive: RawArchive | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    #: COLAs of one partition or listed date fetched concurrently.
    lookahead: int = 4
    #: Called right after each form is fetched (the label images of setting ``images``); None: nothing.
    form_hook: FormHook | None = None
    #: TTB IDs whose pages this run loaded already (the scheduler's, growing): a COLA is fetched once
    #: per run, so a partition walked again (``--reprobe``) counts them found without fetching them.
    loaded: Collection[str] = frozenset()

    def _fetch(self, ttb_id: str, kind: PageKind, public: bool = False) -> Page:
        """One page of ``ttb_id``; a page that failed every try while the registry answered others
        is this COLA's fault (:class:`ColaUnreadable`), not the registry's: ``unanswered`` unless
        another page already showed the COLA ``public``."""
        try:
            page = self.client.detail(ttb_id) if kind is PageKind.DETAIL else self.client.form(ttb_id)
        except PageUnavailable as exc:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: the {kind} page failed every try while "
                                                    f"the registry answered others: {exc}",
                                 unanswered=not public) from exc
        if self.archive and page.kind in (kind, PageKind.NOT_FOUND):
            self.archive.put(ttb_id, page.kind, page.body)
        return page

    def _parsed(self, ttb_id: str, page: Page, kind: PageKind) -> dict[str, Any]:
        if page.kind is not kind:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: expected a {kind} page, got {page.kind}")
        try:
            parsed = parse_page(kind, page.body)
        except ParseError as exc:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: {exc}") from exc
        if parsed is None:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: a {kind} page carries no record")
        if parsed.get("ttb_id") != ttb_id:
            raise ColaUnreadable(ttb_id, str(kind), f"{ttb_id}: the {kind} page is for {parsed.get('ttb_id')!r}")
        return parsed

    def _detail(self, ttb_id: str) -> dict[str, Any] | None:
        """The detail page's row, or None for the registry's real not-found page."""
        page = self._fetch(ttb_id, PageKind.DETAIL)
        if page.kind is PageKind.NOT_FOUND:
            return None
        return page_row(DETAIL_FIELDS, self._parsed(ttb_id, page, PageKind.DETAIL), **_provenance(page))

    def _form(self, ttb_id: str, page: Page) -> ColaPages:
        """The form's record parts, and the form hook's rows, got now in this thread's session.

        Raises:
            RunStopped: the run stopped before the form hook ran (the COLA is not kept without what it
                fetches, the label images: the crawl would not ask for them again).
        """
        parsed = self._parsed(ttb_id, page, PageKind.FORM)
        if self.form_hook is not None and self.stop.is_set():
            raise RunStopped(f"{ttb_id}: run stopped before its form hook (its label images) ran")
        rows = self.form_hook.after_form(self.client, ttb_id, page) if self.form_hook else ()
        return ColaPages(ttb_id, form=page_row(FORM_FIELDS, parsed, **_provenance(page)),
                         images=tuple(parsed.get("label_images") or ()), image_rows=rows)

    def record(self, ttb_id: str, status_only: bool = False) -> ColaPages | None:
        """The pages of ``ttb_id`` that ``pages`` asks for, or None when the registry says it is not
        (yet) public. ``status_only`` (a known COLA whose status changed) fetches only the page that
        shows the status: the detail page, or the form with ``pages = form``.

        A form answered with the not-found page while the detail page exists (the registry answers
        some old COLAs' forms so) leaves a detail-only record marked ``form_unavailable``, never a
        failure; with ``pages = form``
        such a form is checked on the detail page: only the detail page proves a COLA absent.

        Raises:
            RegistryError: a page could not be fetched after retries (the registry failing us).
            ColaUnreadable: a page of another kind or TTB ID, one the parsers cannot read, or one that
                failed every try while the registry answered other pages.
        """
        if self.pages == "form":
            page = self._fetch(ttb_id, PageKind.FORM)
            if page.kind is PageKind.NOT_FOUND:
                detail = self._detail(ttb_id)
                return None if detail is None else ColaPages(ttb_id, detail={**detail, "form_unavailable": True})
            return self._form(ttb_id, page)
        detail = self._detail(ttb_id)
        if detail is None:
            return None
        if self.pages == "detail" or status_only:
            return ColaPages(ttb_id, detail=detail)
        page = self._fetch(ttb_id, PageKind.FORM, public=True)
        if page.kind is PageKind.NOT_FOUND:  # the form unavailable while the detail page exists
            logger.warning("%s: the printable form is unavailable; detail page only", ttb_id)
            return ColaPages(ttb_id, detail={**detail, "form_unavailable": True})
        return dataclasses.replace(self._form(ttb_id, page), detail=detail)


def _provenance(page: Page) -> dict[str, Any]:
    return {"source_url": page.url, "fetched_at": page.fetched_at.isoformat(), "page_sha256": sha256(page.body)}
