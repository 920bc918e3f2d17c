"""The reparse's batches: the same tables whether worker processes parse the archive or the process itself,
chunks that never split a COLA's pages, and the number of workers checked."""

from __future__ import annotations

import multiprocessing
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import ttb_cola.archive_batches as batches
from ttb_cola.archive import RawArchive
from ttb_cola.archive_batches import archive_batches, cola_chunks, worker_count
from ttb_cola.arrow_batches import ROW_ID
from ttb_cola.errors import InputError
from ttb_cola.fork_server import start_fork_server
from ttb_cola.records import DETAILS_TABLE, FORMS_TABLE, LABEL_IMAGES_TABLE
from ttb_cola.registry.pages import PageKind

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://registry.example/colasonline"


def real_pages() -> list[tuple[PageKind, str, Path]]:
    """Every real detail page and form of the fixtures: (kind, TTB ID, file)."""
    pages = [(*path.stem.split("_", 1), path) for path in sorted(FIXTURES.glob("*_*.html"))]
    return [(PageKind(kind), ttb_id, path) for kind, ttb_id, path in pages
            if kind in ("detail", "form") and ttb_id.isdigit()]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> RawArchive:
    """The real pages, archived."""
    archive = RawArchive.at(str(tmp_path_factory.mktemp("archive") / "raw"))
    for kind, ttb_id, path in real_pages():
        archive.put(ttb_id, kind, path.read_bytes())
    return archive


def test_workers_give_the_tables_the_process_gives(archive: RawArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "CHUNK_COLAS", 2)  # several chunks, so several tasks and a join
    pools: list[int] = []
    in_workers = batches._in_workers
    monkeypatch.setattr(batches, "_in_workers", lambda *args: pools.append(args[-1]) or in_workers(*args))
    alone = list(archive_batches(archive, BASE_URL, 4, workers=1))
    assert pools == []
    pooled = list(archive_batches(archive, BASE_URL, 4, workers=2))
    assert pools == [2]
    colas = {ttb_id for _, ttb_id, _ in real_pages()}
    assert len(alone) == len(pooled) == -(-len(colas) // 4)  # batches of 4 COLAs (two chunks of 2)
    for one, other in zip(alone, pooled, strict=True):
        assert one.keys() == other.keys() == {DETAILS_TABLE, FORMS_TABLE, LABEL_IMAGES_TABLE}
        for table in one:  # the same rows; each with its own row key
            assert one[table].drop_columns([ROW_ID]).equals(other[table].drop_columns([ROW_ID]))
    keys = [key for batch in alone + pooled for table in batch.values() for key in table[ROW_ID].to_pylist()]
    assert len(set(keys)) == len(keys) and all(len(key) == 14 for key in keys)  # dlt's 10 random bytes, base64
    ids = [ttb_id for batch in pooled for table in (DETAILS_TABLE, FORMS_TABLE)
           for ttb_id in batch[table]["ttb_id"].to_pylist()]
    assert sorted(ids) == sorted(ttb_id for _, ttb_id, _ in real_pages())  # each page once


def test_one_chunk_is_parsed_without_workers(archive: RawArchive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "_in_workers", lambda *args: pytest.fail("a pool for one chunk"))
    (batch,) = archive_batches(archive, BASE_URL, 1000, workers=2)
    assert batch[FORMS_TABLE].num_rows == sum(1 for kind, _, _ in real_pages() if kind == PageKind.FORM)


def test_chunks_keep_a_colas_pages_together(archive: RawArchive) -> None:
    paths = list(archive.page_paths())
    chunks = list(cola_chunks(paths, 3))
    assert [path for chunk in chunks for path in chunk] == paths
    ids = [{path.rsplit("/", 1)[-1][:14] for path in chunk} for chunk in chunks]
    assert all(len(chunk_ids) == 3 for chunk_ids in ids[:-1]) and 1 <= len(ids[-1]) <= 3
    assert sum(len(chunk_ids) for chunk_ids in ids) == len(set().union(*ids))  # no TTB ID in two chunks
    assert any(len(chunk) > len(chunk_ids) for chunk, chunk_ids in zip(chunks, ids, strict=True))  # both pages


def test_worker_count() -> None:
    assert worker_count(3) == 3
    assert worker_count(0) >= 1
    with pytest.raises(InputError, match="parse_workers"):
        worker_count(-1)


def test_parse_workers_leave_ctrl_c_to_the_command() -> None:
    """A terminal's Ctrl-C reaches the whole process group: the fork server's workers ignore it (no traceback
    of theirs), and the command keeps its own handler (tests/reliability/test_reparse_interrupt.py runs one)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # a command's, whatever this process has
    try:
        start_fork_server()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as pool:
            assert pool.submit(signal.getsignal, signal.SIGINT).result(timeout=120) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_failed_load_stops_an_object_stores_read_ahead_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The load fails while the batches are read (its error held, as a caller reporting it does): the read of
    the pages ahead stops when the batches' block is left, not whenever the error is dropped."""
    import fsspec

    import ttb_cola.archive as archive_module

    monkeypatch.setattr(archive_module, "READ_GROUP", 2)  # several groups, so reads run ahead
    monkeypatch.setattr(batches, "CHUNK_COLAS", 1)
    fs = fsspec.filesystem("memory", skip_instance_cache=True)
    remote = RawArchive(fs, "/raw-read-ahead")
    for kind, ttb_id, path in real_pages():
        remote.put(ttb_id, kind, path.read_bytes())
    assert not remote.local

    def reading() -> list[threading.Thread]:
        return [thread for thread in threading.enumerate() if thread.name.startswith("archive-read")]

    held: list[BaseException] = []
    try:
        with batches.parsed_archive(remote, BASE_URL, 1, workers=2) as parsed:
            next(parsed)
            assert reading()  # the next group is being read
            raise RuntimeError("the load failed")
    except RuntimeError as exc:
        held.append(exc)  # its traceback holds the frames of the batches
        assert not reading()
    assert held
