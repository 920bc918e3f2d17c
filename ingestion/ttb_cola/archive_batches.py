"""The raw archive parsed again into the reparse's batches, in worker processes where that pays.

Parsing is most of what a reparse costs, and each COLA's pages parse on their own. A local archive is cut into
chunks of ``CHUNK_COLAS`` COLAs (the pages of one TTB ID never split), which worker processes read, parse and
turn into tables (:func:`ttb_cola.arrow_batches.page_tables`); the dlt resource gets them in path order,
joined into batches, while the workers parse the next chunks. The workers come from a fork server
(:mod:`ttb_cola.fork_server`: a fresh interpreter that imports this module, pyarrow and the parsers once, not
dlt): a fork of the running process would inherit its threads (DuckDB's, the lease's heartbeat) and could hang
on a lock one of them held. The command itself imports pyarrow only once the workers parse. The workers hand back
Arrow tables, so the pool adds little CPU to the parse and takes the parse off the wall time (`make bench`
prints both ways). :func:`parsed_archive` starts them before the pipeline is set up, so the parse overlaps the
command's start-up. An archive on an object store (bound by its requests), one worker, or a system without a
fork server (Windows) parse in the process itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from itertools import chain, islice

from ttb_cola.archive import RawArchive, archived_records
from ttb_cola.errors import InputError
from ttb_cola.fork_server import start_fork_server
from ttb_cola.heap import settle_for_parsing
from ttb_cola.records import TableBatch

#: COLAs a worker parses per task: big enough that handing it over costs nothing, small enough to keep
#: every worker busy to the end.
CHUNK_COLAS = 250
#: COLAs whose rows the archive reparse hands the table transformers at once: dlt computes each table's
#: schema again for every Arrow table it is sent, about as long as writing a few thousand rows.
ARCHIVE_BATCH = 5000
#: COLAs the workers may parse ahead of the batches taken (their tables wait in memory, about 1.2 MB per
#: 1,000 forms): enough to keep them parsing through the pipeline's set-up.
AHEAD_COLAS = 2 * ARCHIVE_BATCH


def worker_count(configured: int) -> int:
    """The parse workers: ``configured``, or one per CPU this process may run on when 0.

    Raises:
        InputError: ``configured`` is negative.
    """
    if configured < 0:
        raise InputError(f"parse_workers must be 0 (one per CPU) or more, not {configured}")
    if configured:
        return configured
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def parsed_archive(
    archive: RawArchive, base_url: str, batch_colas: int, workers: int
) -> Iterator[Iterator[TableBatch]]:
    """Every archived COLA parsed again, about ``batch_colas`` COLAs' tables per batch, in path order;
    ``workers`` processes parse (see the module's note). The workers start on entry, and take their first
    chunks then, so they parse while the caller gets ready to read the batches; on exit they stop.

    Raises:
        ParseError: an archived detail or form page the parsers cannot read (never skipped).
    """
    chunks = cola_chunks(archive.page_paths(), CHUNK_COLAS)
    head = list(islice(chunks, 2))  # one chunk is parsed here: forking would cost more than it saves
    chunks = chain(head, chunks)
    with ExitStack() as stack:
        if len(head) > 1 and workers > 1 and archive.local and "forkserver" in multiprocessing.get_all_start_methods():
            tables = stack.enter_context(_in_workers(archive, base_url, chunks, workers))
        else:  # closed on exit, so an object store's read-ahead stops then, whatever holds the batches
            tables = stack.enter_context(closing(_parsed_here(archive, base_url, chunks)))
        yield _batches(tables, batch_colas)


def archive_batches(archive: RawArchive, base_url: str, batch_colas: int, workers: int) -> Iterator[TableBatch]:
    """:func:`parsed_archive`'s batches, its workers started at the first batch asked for."""
    with parsed_archive(archive, base_url, batch_colas, workers) as batches:
        yield from batches


def _batches(tables: Iterator[TableBatch], batch_colas: int) -> Iterator[TableBatch]:
    """``tables`` (of ``CHUNK_COLAS`` COLAs each) joined into batches of about ``batch_colas`` COLAs."""
    group: list[TableBatch] = []
    for table in tables:
        group.append(table)
        if len(group) * CHUNK_COLAS >= batch_colas:
            yield joined(group)
            group = []
    if group:
        yield joined(group)


def cola_chunks(paths: Iterable[str], size: int) -> Iterator[list[str]]:
    """``paths`` (sorted page files) cut into lists of ``size`` COLAs' pages; one TTB ID's pages stay together."""
    chunk: list[str] = []
    colas, last = 0, None
    for path in paths:
        ttb_id = path.rsplit("/", 1)[-1][:14]
        if ttb_id != last:
            if colas == size:
                yield chunk
                chunk, colas = [], 0
            colas, last = colas + 1, ttb_id
        chunk.append(path)
    if chunk:
        yield chunk


def parsed_chunk(archive: RawArchive, base_url: str, paths: list[str]) -> TableBatch:
    """The tables of the COLAs whose pages are ``paths`` (run by a worker)."""
    from ttb_cola.arrow_batches import page_tables  # imported by the fork server (its PRELOAD), not the command

    return page_tables(list(archived_records(archive, base_url, paths)))


def _parsed_here(archive: RawArchive, base_url: str, chunks: Iterator[list[str]]) -> Generator[TableBatch, None, None]:
    """The tables of ``CHUNK_COLAS`` COLAs at a time, parsed in this process from one stream of the chunks'
    pages (an object store's reads run ahead across chunks, see :meth:`RawArchive.pages`)."""
    from ttb_cola.arrow_batches import page_tables

    colas = archived_records(archive, base_url, chain.from_iterable(chunks))
    while group := list(islice(colas, CHUNK_COLAS)):
        yield page_tables(group)


def joined(batches: list[TableBatch]) -> TableBatch:
    """Several batches as one: each table's Arrow tables concatenated, its lists of rows chained."""
    import pyarrow as pa  # the command needs it once the workers parse, not before

    out = TableBatch()
    for table in dict.fromkeys(name for batch in batches for name in batch):
        parts = [batch[table] for batch in batches if table in batch]
        if isinstance(parts[0], pa.Table):
            out[table] = pa.concat_tables(parts)
        else:
            out[table] = [row for part in parts for row in part]
    return out


@contextmanager
def _in_workers(
    archive: RawArchive, base_url: str, chunks: Iterator[list[str]], workers: int
) -> Iterator[Iterator[TableBatch]]:
    """:func:`parsed_chunk` of each of ``chunks`` in ``workers`` processes of a fork server, in order: the
    chunks of the first ``AHEAD_COLAS`` COLAs are handed out on entry (so the workers parse them while the
    pipeline is set up), one more as each result is taken (so memory stays bounded when the load is slower);
    on exit the workers stop, their chunks not started cancelled."""
    start_fork_server()
    pool = ProcessPoolExecutor(  # each worker settles its heap and collector as a parsing process does
        workers, mp_context=multiprocessing.get_context("forkserver"), initializer=settle_for_parsing,
    )
    pending: deque[Future[TableBatch]] = deque()

    def results() -> Iterator[TableBatch]:
        for chunk in chunks:
            pending.append(pool.submit(parsed_chunk, archive, base_url, chunk))
            yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    try:
        ahead = max(2 * workers, AHEAD_COLAS // CHUNK_COLAS)
        pending.extend(pool.submit(parsed_chunk, archive, base_url, chunk) for chunk in islice(chunks, ahead))
        yield results()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


__all__ = [
    "AHEAD_COLAS", "ARCHIVE_BATCH", "CHUNK_COLAS", "archive_batches", "cola_chunks", "joined", "parsed_archive",
    "parsed_chunk", "worker_count",
]
