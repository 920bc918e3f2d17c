"""Raw page archive: every fetched page stored gzipped, so tables can be rebuilt without HTTP.

Layout (one file per TTB ID and page kind):
``<root>/year=YYYY/month=MM/day=DD/receipt_method=MMM/<ttbid>.<kind>.html.gz``, partitioned by
receipt date like the crawl, on a local directory or any fsspec filesystem (an S3 bucket).

A local archive is walked and read file by file (a read costs microseconds). On an object store each request
takes some milliseconds: its keys are listed a month at a time (one paginated listing, up to 1,000 keys a
request, rather than one per folder; one month's listing held at a time), each page's stored time kept from that
listing until the page is read, and its pages read ``READ_GROUP`` at a time with the filesystem's ``cat`` (s3fs
sends a group's requests concurrently), the next group while the last one's pages are used.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby, islice
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


#: Pages of an object-store archive read at once: the requests s3fs sends together (over its pool of
#: connections). At most two groups are held, the one being used and the next.
READ_GROUP = 200

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
    #: An object store's pages listed and not yet read, in path order: when each was stored.
    _stored: OrderedDict[str, datetime] = field(default_factory=OrderedDict, init=False, repr=False, compare=False)

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
        ID come together); the others are not read.

        Raises:
            FileNotFoundError: a page gone since it was listed, named (never skipped).
        """
        wanted = {str(kind) for kind in kinds}
        named = (
            (path, match) for path in (self.page_paths() if paths is None else paths)
            if (match := _NAME.match(path.rsplit("/", 1)[-1])) and match["kind"] in wanted
        )
        if not self.local:
            for (path, match), body in _read_ahead(named, self._read_group):
                yield ArchivedPage(match["ttb_id"], PageKind(match["kind"]), body, self._stored_at(path))
            return
        for path, match in named:
            body, modified = self._read(path)
            yield ArchivedPage(match["ttb_id"], PageKind(match["kind"]), body, modified)

    def page_paths(self) -> Iterator[str]:
        """The page files, sorted: a local archive is walked folder by folder (a glob would stat every file), an
        object store listed a month at a time (see the module's note)."""
        if self.local:
            return _local_paths(self.root, 0)
        return self._remote_paths()

    def _remote_paths(self) -> Iterator[str]:
        """An object store's page files, sorted, listed a month at a time; their stored times kept until read."""
        for year in self._folders(self.root, _FOLDERS[0]):
            for month in self._folders(year, _FOLDERS[1]):
                listed = self.fs.find(month, detail=True)
                for path in sorted(listed):
                    parts = path[len(month) + 1:].split("/")
                    if len(parts) == 3 and parts[0].startswith(_FOLDERS[2]) and parts[1].startswith(_FOLDERS[3]) \
                            and parts[2].endswith(".html.gz"):
                        self._keep_stored(path, listed[path])
                        yield path
                for folder in {path.rsplit("/", 1)[0] for path in listed}:  # the month's listing is not cached
                    self.fs.invalidate_cache(folder)

    def _folders(self, parent: str, prefix: str) -> list[str]:
        """The partition folders ``prefix...`` in ``parent``, sorted (none when ``parent`` does not exist)."""
        try:
            entries = self.fs.ls(parent, detail=True)
        except FileNotFoundError:
            return []
        names = (entry["name"].rstrip("/") for entry in entries if entry["type"] == "directory")
        return sorted(name for name in names if name.rsplit("/", 1)[-1].startswith(prefix))

    def _keep_stored(self, path: str, info: dict[str, Any]) -> None:
        """Keep a listed page's stored time (S3's ``LastModified``) until the page is read."""
        modified = info.get("LastModified")
        if isinstance(modified, datetime):
            self._stored[path] = modified.astimezone(UTC)

    def _stored_at(self, path: str) -> datetime:
        """When an object store's page was stored: from the archive's listing, else from its folder's (listed
        now, kept for the pages after it), else as the filesystem says. Times of the pages before it are dropped
        (read, or not asked for), so only those listed and not yet read are kept."""
        while self._stored and next(iter(self._stored)) < path:
            self._stored.popitem(last=False)
        if path not in self._stored:
            folder = path.rsplit("/", 1)[0]
            for info in self.fs.ls(folder, detail=True):
                if info["name"] >= path:
                    self._keep_stored(info["name"], info)
            self.fs.invalidate_cache(folder)  # kept here instead, as long as needed
        stored = self._stored.pop(path, None)
        return stored if stored is not None else self.fs.modified(path).astimezone(UTC)

    def _read(self, path: str) -> tuple[bytes, datetime]:
        """A local page's body and when it was stored (its mtime, read from its open handle)."""
        with open(path, "rb") as handle:
            data = handle.read()
            mtime = os.fstat(handle.fileno()).st_mtime
        return gzip_ng.decompress(data), datetime.fromtimestamp(mtime, UTC)

    def _read_group(self, paths: list[str]) -> list[bytes]:
        """The bodies of ``paths`` on the object store, read together (s3fs sends the requests concurrently).

        Raises:
            FileNotFoundError: one of ``paths`` is gone, named; any other error reading a page as raised.
        """
        # from byte 0: a ranged read, for which s3fs does not first ask each page's size (a HEAD request)
        bodies = self.fs.cat(paths, on_error="return", start=0)
        for path in paths:
            if isinstance(failed := bodies.get(path), FileNotFoundError):
                raise FileNotFoundError(errno.ENOENT, "archived page gone since the archive was listed", path) \
                    from failed
            if isinstance(failed, BaseException):
                raise failed
        return [gzip_ng.decompress(bodies[path]) for path in paths]


def _read_ahead(
    named: Iterable[tuple[str, re.Match[str]]], read: Callable[[list[str]], list[bytes]]
) -> Iterator[tuple[tuple[str, re.Match[str]], bytes]]:
    """Each of ``named`` with what ``read`` gives for its path, in order, ``READ_GROUP`` paths per call; the
    next group is read in a thread while the last one's pages are used."""
    items = iter(named)
    with ThreadPoolExecutor(1, thread_name_prefix="archive-read") as reader:
        pending: tuple[list[tuple[str, re.Match[str]]], Future[list[bytes]]] | None = None
        try:
            while group := list(islice(items, READ_GROUP)):
                ahead = (group, reader.submit(read, [path for path, _ in group]))
                if pending is not None:
                    yield from zip(pending[0], pending[1].result(), strict=True)
                pending = ahead
            if pending is not None:
                yield from zip(pending[0], pending[1].result(), strict=True)
        finally:
            if pending is not None:
                pending[1].cancel()


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
