"""``cola_images`` and ``cola_barcodes`` as dlt resources, and the dlt source of ``ttb-cola images``.

The crawl's source (:mod:`ttb_cola.source`) feeds the same two resources from its own parent when
``images`` is set; ``ttb-cola images`` is the ``ttb_cola`` source and schema too, like the crawl and
the archive reparse: one schema holds every table of the dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from ttb_cola.images.tables import IMAGE_TABLES
from ttb_cola.merged import merged_table
from ttb_cola.records import RowOrBatch, TableRow, rows_for

#: (table, row) pairs, e.g. from :func:`ttb_cola.images.tables.rows`.
Rows = Iterable[tuple[str, dict[str, Any]]]


def image_table_resources(parent: DltResource, once: bool = True) -> tuple[DltResource, ...]:
    """``cola_images`` and ``cola_barcodes`` from ``parent``'s :class:`TableRow` s, merged on their keys
    (the latest fetch wins; ``once``: see :func:`ttb_cola.merged.merged_table`); created by their first
    row, so a reparse or an image-less crawl leaves them as they are."""

    def rows_of(table: str) -> Callable[[RowOrBatch], Iterator[Any]]:
        def rows(event: RowOrBatch) -> Iterator[Any]:
            yield from rows_for(event, table)

        return rows

    return tuple(
        merged_table(parent, rows_of(table), table, key, columns, "fetched_at", once=once)
        for table, key, columns in IMAGE_TABLES
    )


@dlt.source(name="ttb_cola", max_table_nesting=0)
def ttb_cola_images(results: Rows) -> Sequence[DltResource]:
    """Label-image rows (``cola_images``, ``cola_barcodes``) from an iterable of (table, row)."""

    @dlt.resource(name="image_results", selected=False)
    def image_results() -> Iterator[TableRow]:
        for table, row in results:
            yield TableRow(table, row)

    return (image_results, *image_table_resources(image_results))
