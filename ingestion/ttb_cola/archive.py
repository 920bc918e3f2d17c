"""Raw page archive: every fetched page stored gzipped, so tables can be rebuilt without HTTP.

Layout (one file per TTB ID and page kind):
``<root>/year=YYYY/month=MM/day=DD/receipt_method=MMM/<ttbid>.<kind>.html.gz``, partitioned by
receipt date like the crawl, on a local directory or any fsspec filesystem (an S3 bucket).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import fsspec
from fsspec import AbstractFileSystem

from ttb_cola.ids import parse_ttb_id
from ttb_cola.parsers import parse_page
from ttb_cola.records import build_record
from ttb_cola.registry.pages import PageKind

DETAIL_PATH = "viewColaDetails.do"

# Final answers only: pages that were retried (errors, CAPTCHA...) are not worth keeping.
ARCHIVED_KINDS = (PageKind.DETAIL, PageKind.FORM, PageKind.NOT_FOUND)
_NAME = re.compile(r"^(?P<ttb_id>[0-9]{14})\.(?P<kind>[a-z_]+)\.html\.gz$")


#: Where raw pages go by default: beside the data (moved into the bucket on the lake).
DEFAULT_ARCHIVE_DIR = "data/raw"


def sha256(body: bytes) -> str:
    """Hex SHA-256 of a page body as served (the record's ``page_sha256``)."""
    return hashlib.sha256(body).hexdigest()


@dataclass
class RawArchive:
    """Writes and reads archived pages under ``root`` on ``fs``."""

    fs: AbstractFileSystem
    root: str

    @classmethod
    def at(cls, url: str, **storage_options: object) -> RawArchive:
        """An archive at a local path or fsspec URL (``s3://bucket/prefix/raw``)."""
        fs, root = fsspec.core.url_to_fs(url, **storage_options)
        return cls(fs, root.rstrip("/"))

    @property
    def _local(self) -> bool:
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        return "file" in protocols or "local" in protocols

    def key(self, ttb_id: str, kind: PageKind) -> str:
        """The path of a page: built only from a validated TTB ID and a known page kind."""
        parsed = parse_ttb_id(ttb_id)
        if kind not in ARCHIVED_KINDS:
            raise ValueError(f"page kind {kind!r} is not archived")
        day = parsed.receipt_date
        return (
            f"{self.root}/year={day.year:04d}/month={day.month:02d}/day={day.day:02d}"
            f"/receipt_method={parsed.receipt_method}/{parsed.value}.{kind}.html.gz"
        )

    def put(self, ttb_id: str, kind: PageKind, body: bytes) -> str:
        """Store one page (overwriting an older copy) and return its path."""
        path = self.key(ttb_id, kind)
        if self._local:  # object stores have no folders: a makedirs would cost a request per page
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            handle.write(gzip.compress(body, compresslevel=6, mtime=0))
        return path

    def pages(self) -> Iterator[ArchivedPage]:
        """Every archived page, in path order (so the pages of one TTB ID come together)."""
        pattern = f"{self.root}/year=*/month=*/day=*/receipt_method=*/*.html.gz"
        for path in sorted(self.fs.glob(pattern)):
            match = _NAME.match(path.rsplit("/", 1)[-1])
            if not match or match["kind"] not in PageKind.__members__.values():
                continue
            with self.fs.open(path, "rb") as handle:
                body = gzip.decompress(handle.read())
            modified = self.fs.modified(path)
            yield ArchivedPage(match["ttb_id"], PageKind(match["kind"]), body, modified.astimezone(UTC))


@dataclass(frozen=True)
class ArchivedPage:
    """One page read back from the archive; ``fetched_at`` is when it was stored."""

    ttb_id: str
    kind: PageKind
    body: bytes
    fetched_at: datetime


def archived_records(archive: RawArchive, base_url: str) -> Iterator[dict[str, Any]]:
    """Records rebuilt from the archive: each TTB ID's detail page merged with its form if kept.

    Raises:
        ParseError: an archived detail or form page the parsers cannot read (never skipped).
    """
    for ttb_id, group in groupby(archive.pages(), key=lambda page: page.ttb_id):
        pages = {page.kind: page for page in group}
        detail = pages.get(PageKind.DETAIL)
        if detail is None:
            continue
        form = pages.get(PageKind.FORM)
        yield build_record(
            parse_page(PageKind.DETAIL, detail.body),
            parse_page(PageKind.FORM, form.body) if form else None,
            source_url=f"{base_url.rstrip('/')}/{DETAIL_PATH}?action=publicDisplaySearchBasic&ttbid={ttb_id}",
            fetched_at=detail.fetched_at.isoformat(),
            page_sha256=sha256(detail.body),
        )
