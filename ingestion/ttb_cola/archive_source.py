"""The dlt source of ``ttb-cola reparse``: the record tables rebuilt from the raw page archive, without HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from ttb_cola.archive import DEFAULT_ARCHIVE_DIR, RawArchive
from ttb_cola.archive_batches import ARCHIVE_BATCH, archive_batches, worker_count
from ttb_cola.records import MATERIALIZE, RowOrBatch, TableBatch, TableRow
from ttb_cola.tables import table_resources


@dlt.source(name="ttb_cola", max_table_nesting=0)
def ttb_cola_archive(
    archive_url: str = DEFAULT_ARCHIVE_DIR,
    base_url: str = dlt.config.value,
    archive_options: dict[str, Any] | None = None,
    parse_workers: int = 0,
    batches: Iterable[TableBatch] | None = None,
) -> Sequence[DltResource]:
    """The page tables rebuilt from the raw page archive, without any HTTP (``ttb-cola reparse``):
    the listings, filled by searches only, are left as they are; ``cola_status_log`` gets the archived
    pages' rows again, stamped with the archive's times (a page with the status it had makes no new
    version of the history).

    Args:
        archive_url: local directory or fsspec URL the crawl archived pages to.
        base_url: registry root, to restore each page's ``source_url``.
        archive_options: fsspec options (credentials, endpoint) for ``archive_url``.
        parse_workers: processes parsing a local archive's pages (:mod:`ttb_cola.archive_batches`); 0: one
            per CPU, 1: none beside this one.
        batches: the archive's batches, when the caller started parsing it already
            (:func:`ttb_cola.archive_batches.parsed_archive`); the three settings above are then not used.
    """
    workers = worker_count(int(parse_workers)) if batches is None else 1  # checked where the batches came from

    @dlt.resource(name="archive", selected=False)
    def archive() -> Iterator[RowOrBatch]:
        yield TableRow(MATERIALIZE, {})
        if batches is not None:
            yield from batches
            return
        raw = RawArchive.at(archive_url, **(archive_options or {}))
        yield from archive_batches(raw, base_url, ARCHIVE_BATCH, workers)

    # the archive holds one page of each kind per COLA: its keys are unique, and too many to remember
    return (archive, *table_resources(archive, f"reparse-{uuid.uuid4().hex[:12]}", once=False))


__all__ = ["ttb_cola_archive"]
