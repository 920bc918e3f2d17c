"""Raw page archive: every fetched page stored gzipped, so tables can be rebuilt without HTTP.

Layout (one file per TTB ID and page kind):
``<root>/year=YYYY/month=MM/day=DD/receipt_method=MMM/<ttbid>.<kind>.html.gz``, partitioned by
receipt date like the crawl, on a local directory or any fsspec filesystem (an S3 bucket).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import fsspec
from fsspec import AbstractFileSystem
from zlib_ng import gzip_ng

from ttb_cola.ids import parse_ttb_id
from ttb_cola.parsers import parse_page
from ttb_cola.records import DETAIL_FIELDS, FORM_FIELDS, ColaPages, page_row
from ttb_cola.registry.pages import PageKind

DETAIL_PATH = "viewColaDetails.do"

# Final answers only: pages that were retried (errors, CAPTCHA...) are not worth keeping.
ARCHIVED_KINDS = (PageKind.DETAIL, PageKind.FORM, PageKind.NOT_FOUND)
_NAME = re.compile(r"^(?P<ttb_id>[0-9]{14})\.(?P<kind>[a-z_]+)\.html\.gz$")
#: The partition folders of a page's path, outermost first (see :meth:`RawArchive.key`).
_FOLDERS = ("year=", "month=", "day=", "receipt_method=")


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
    def local(self) -> bool:
        """Whether the archive is a local directory (not an object store)."""
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
        if self.local:  # object stores have no folders: a makedirs would cost a request per page
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            handle.write(gzip.compress(body, compresslevel=6, mtime=0))
        return path

    def pages(
        self, kinds: Collection[PageKind] = ARCHIVED_KINDS, paths: Iterable[str] | None = None
    ) -> Iterator[ArchivedPage]:
        """Every archived page of ``kinds`` (of ``paths`` when given), in path order (so the pages of one TTB
        ID come together); the others are not read."""
        wanted = {str(kind) for kind in kinds}
        for path in self.page_paths() if paths is None else paths:
            match = _NAME.match(path.rsplit("/", 1)[-1])
            if not match or match["kind"] not in wanted:
                continue
            body, modified = self._read(path)
            yield ArchivedPage(match["ttb_id"], PageKind(match["kind"]), body, modified)

    def page_paths(self) -> Iterator[str]:
        """The page files, sorted: a local archive is walked folder by folder (a glob would stat every file)."""
        if self.local:
            return _local_paths(self.root, 0)
        return iter(sorted(self.fs.glob(f"{self.root}/year=*/month=*/day=*/receipt_method=*/*.html.gz")))

    def _read(self, path: str) -> tuple[bytes, datetime]:
        """A page's body and when it was stored (a local file's mtime is read from its open handle)."""
        if self.local:
            with open(path, "rb") as handle:
                data = handle.read()
                mtime = os.fstat(handle.fileno()).st_mtime
            return gzip_ng.decompress(data), datetime.fromtimestamp(mtime, UTC)
        with self.fs.open(path, "rb") as handle:
            data = handle.read()
        return gzip_ng.decompress(data), self.fs.modified(path).astimezone(UTC)


def _local_paths(folder: str, depth: int) -> Iterator[str]:
    """The ``*.html.gz`` files under the partition folders below ``folder`` (``depth`` of them above it), sorted."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if depth == len(_FOLDERS):
            if entry.name.endswith(".html.gz"):
                yield entry.path
        elif entry.name.startswith(_FOLDERS[depth]) and entry.is_dir():
            yield from _local_paths(entry.path, depth + 1)


@dataclass(frozen=True)
class ArchivedPage:
    """One page read back from the archive; ``fetched_at`` is when it was stored."""

    ttb_id: str
    kind: PageKind
    body: bytes
    fetched_at: datetime


def archived_records(archive: RawArchive, base_url: str, paths: Iterable[str] | None = None) -> Iterator[ColaPages]:
    """The pages of each archived TTB ID (of ``paths`` when given, see :meth:`RawArchive.page_paths`), parsed
    again: its detail page and/or its form.

    Raises:
        ParseError: an archived detail or form page the parsers cannot read (never skipped).
    """
    root = f"{base_url.rstrip('/')}/{DETAIL_PATH}"
    pages = archive.pages((PageKind.DETAIL, PageKind.FORM), paths)
    for ttb_id, group in groupby(pages, key=lambda page: page.ttb_id):
        kinds = {page.kind: page for page in group}
        rows: dict[str, Any] = {}
        for kind, fields, action in (
            (PageKind.DETAIL, DETAIL_FIELDS, "publicDisplaySearchBasic"),
            (PageKind.FORM, FORM_FIELDS, "publicFormDisplay"),
        ):
            page = kinds.get(kind)
            if page is None:
                continue
            parsed = parse_page(kind, page.body)
            assert parsed is not None  # detail and form pages parse to a record or raise
            rows[kind] = (parsed, page_row(
                fields, parsed, source_url=f"{root}?action={action}&ttbid={ttb_id}",
                fetched_at=page.fetched_at.isoformat(), page_sha256=sha256(page.body),
            ))
        if not rows:
            continue
        detail = rows.get(PageKind.DETAIL)
        form = rows.get(PageKind.FORM)
        yield ColaPages(
            ttb_id,
            detail=detail[1] if detail else None,
            form=form[1] if form else None,
            images=tuple(form[0].get("label_images") or ()) if form else (),
        )
