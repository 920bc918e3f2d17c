"""The raw archive read back from a bucket (a real s3fs on moto's S3): listed a month at a time, its pages come in
groups of concurrent requests, one GET per page and no other request per page, in the order and with the bodies a
local copy gives, each stored at the time S3 gives; a page deleted between the listing and the read fails the
read, named."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import fsspec
import pytest
from moto_server import MotoS3

from ttb_cola import archive as archive_module
from ttb_cola.archive import RawArchive, archived_records
from ttb_cola.ids import parse_ttb_id
from ttb_cola.registry.pages import PageKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GROUP = 8  # small groups, so a few dozen real pages make several


def real_pages() -> list[tuple[str, PageKind, bytes]]:
    """Every real detail and form page of the fixtures under its own TTB ID, and a registry "not found" answer."""
    pages = [(path.stem.split("_")[1], PageKind(path.stem.split("_")[0]), path.read_bytes())
             for kind in ("detail", "form") for path in sorted(FIXTURES.glob(f"{kind}_*.html"))]
    pages.append(("20055001000189", PageKind.NOT_FOUND, (FIXTURES / "notfound_99999999999999.html").read_bytes()))
    return pages


@pytest.fixture(scope="module")
def filled(s3: MotoS3, tmp_path_factory: pytest.TempPathFactory) -> tuple[MotoS3, RawArchive]:
    """A bucket and a local folder holding the same real pages."""
    bucket = s3.new_bucket()
    remote = RawArchive.at(f"{bucket.bucket_url}/lake/raw", **bucket.storage_options())
    local = RawArchive.at(str(tmp_path_factory.mktemp("raw")))
    for ttb_id, kind, body in real_pages():
        remote.put(ttb_id, kind, body)
        local.put(ttb_id, kind, body)
    return bucket, local


def fresh_reader(bucket: MotoS3) -> RawArchive:
    """The bucket's archive on a filesystem of its own (no listing cached by another test)."""
    fs = fsspec.filesystem("s3", skip_instance_cache=True, **bucket.storage_options())
    return RawArchive(fs, f"{bucket.bucket}/lake/raw")


class Requests:
    """The S3 requests an s3fs client sends (botocore's events), by operation, and the most GETs in flight."""

    def __init__(self, archive: RawArchive) -> None:
        self.sent: Counter[str] = Counter()
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()
        archive.fs.connect()
        events = archive.fs.s3.meta.events
        events.register("before-send.s3", self._sent)
        events.register("after-call.s3.GetObject", self._answered)

    def _sent(self, event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        with self._lock:
            self.sent[operation] += 1
            if operation == "GetObject":
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def _answered(self, **_: Any) -> None:
        with self._lock:
            self.in_flight -= 1


@pytest.fixture
def small_groups(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(archive_module, "READ_GROUP", GROUP)
    yield


def test_pages_are_read_in_groups_of_concurrent_gets(filled: tuple[MotoS3, RawArchive], small_groups: None) -> None:
    bucket, local = filled
    archive = fresh_reader(bucket)
    requests = Requests(archive)
    cats: list[list[str]] = []
    cat = archive.fs.cat

    def recorded_cat(paths: list[str], **kwargs: Any) -> Any:  # the real s3fs call, its arguments noted
        cats.append(list(paths))
        return cat(paths, **kwargs)

    archive.fs.cat = recorded_cat
    paths = list(archive.page_paths())
    listing = requests.sent.copy()
    # listed a month at a time: the archive's folder, each year's, then one listing of each month's keys
    years = {path.split("/")[3] for path in paths}  # <bucket>/lake/raw/year=YYYY/month=MM/...
    months = {tuple(path.split("/")[3:5]) for path in paths}
    assert listing == Counter({"ListObjectsV2": 1 + len(years) + len(months)})
    assert len(months) > 3 and not [folder for folder in archive.fs.dircache if "/day=" in folder]  # none kept

    pages = list(archive.pages(paths=paths))
    expected = list(local.pages())
    assert [(p.ttb_id, p.kind, p.body) for p in pages] == [(p.ttb_id, p.kind, p.body) for p in expected]
    assert len(pages) == len(real_pages())
    # one GET per page, nothing else per page (no HEAD for its size or stored time, no listing again)
    assert requests.sent - listing == Counter({"GetObject": len(pages)})
    assert [len(group) for group in cats] == [GROUP] * (len(pages) // GROUP) + (
        [len(pages) % GROUP] if len(pages) % GROUP else [])
    assert [path for group in cats for path in group] == paths and len(cats) == math.ceil(len(pages) / GROUP)
    assert requests.most_in_flight > 1  # a group's GETs were sent together
    # each page stored at the time S3 gives for its key, also when read by an archive that did not list it
    client = bucket.client()
    stored = [client.head_object(Bucket=bucket.bucket, Key=path.split("/", 1)[1])["LastModified"].astimezone(UTC)
              for path in paths]
    assert [page.fetched_at for page in pages] == stored
    other = fresh_reader(bucket)
    other_requests = Requests(other)
    assert [page.fetched_at for page in other.pages(paths=paths)] == stored
    folders = {path.rsplit("/", 1)[0] for path in paths}
    assert other_requests.sent == Counter({"GetObject": len(paths), "ListObjectsV2": len(folders)})  # one a folder


def records(archive: RawArchive) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, tuple[Any, ...]]]:
    """The archive's COLAs parsed again, each row without its stored time (a bucket's is not a file's)."""
    def row(values: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if values is None else {k: v for k, v in values.items() if k != "fetched_at"}

    return [(c.ttb_id, row(c.detail), row(c.form), c.images) for c in archived_records(archive, "https://x")]


def test_the_records_read_from_the_bucket_are_the_local_archives(
    filled: tuple[MotoS3, RawArchive], small_groups: None
) -> None:
    bucket, local = filled
    remote = records(fresh_reader(bucket))
    assert remote == records(local)
    assert [ttb_id for ttb_id, *_ in remote] == sorted(
        {ttb_id for ttb_id, kind, _ in real_pages() if kind != PageKind.NOT_FOUND},
        key=lambda ttb_id: (parse_ttb_id(ttb_id).receipt_date, ttb_id))


def test_a_page_deleted_after_the_listing_fails_the_read_named(
    s3: MotoS3, small_groups: None
) -> None:
    bucket = s3.new_bucket()
    writer = RawArchive.at(f"{bucket.bucket_url}/lake/raw", **bucket.storage_options())
    for ttb_id, kind, body in real_pages():
        writer.put(ttb_id, kind, body)
    archive = fresh_reader(bucket)
    paths = list(archive.page_paths())
    gone = paths[GROUP + 2]  # in the second group: the first group's pages come before the error
    bucket.client().delete_object(Bucket=bucket.bucket, Key=gone.split("/", 1)[1])

    read: list[str] = []
    with pytest.raises(FileNotFoundError, match="archived page gone since the archive was listed") as failed:
        for page in archive.pages(paths=paths):
            read.append(page.ttb_id)
    assert failed.value.filename == gone
    assert read == [path.rsplit("/", 1)[1][:14] for path in paths[:GROUP]]  # the first group, then the error
    with pytest.raises(FileNotFoundError, match="archived page gone"):  # the reparse's reader never skips it
        list(archived_records(fresh_reader(bucket), "https://x", paths))
