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

import fsspec
from fsspec import AbstractFileSystem

from ttb_cola.ids import parse_ttb_id
from ttb_cola.pages import PageKind

ARCHIVED_KINDS = (PageKind.DETAIL, PageKind.FORM)
_NAME = re.compile(r"^(?P<ttb_id>[0-9]{14})\.(?P<kind>[a-z_]+)\.html\.gz$")


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
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            handle.write(gzip.compress(body, compresslevel=6, mtime=0))
        return path

    def pages(self) -> Iterator[tuple[str, PageKind, bytes]]:
        """Every archived page as ``(ttb_id, kind, body)``, in path order."""
        pattern = f"{self.root}/year=*/month=*/day=*/receipt_method=*/*.html.gz"
        for path in sorted(self.fs.glob(pattern)):
            match = _NAME.match(path.rsplit("/", 1)[-1])
            if not match:
                continue
            with self.fs.open(path, "rb") as handle:
                yield match["ttb_id"], PageKind(match["kind"]), gzip.decompress(handle.read())
