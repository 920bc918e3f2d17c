"""The dlt source of ``ttb-cola images``: ``cola_images`` and ``cola_barcodes`` rows of COLAs already loaded.

It is the ``ttb_cola`` source and schema, like the crawl (which writes the same two tables when
``images`` is set) and the archive reparse: one schema holds every table of the dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ttb_cola.records import TableRow
from ttb_cola.source import image_table_resources

#: (table, row) pairs, e.g. from :func:`ttb_cola.images.tables.rows`.
Rows = Iterable[tuple[str, dict[str, Any]]]


@dlt.source(name="ttb_cola", max_table_nesting=0)
def ttb_cola_images(results: Rows) -> Sequence[DltResource]:
    """Label-image rows (``cola_images``, ``cola_barcodes``) from an iterable of (table, row)."""

    @dlt.resource(name="image_results", selected=False)
    def image_results() -> Iterator[TableRow]:
        for table, row in results:
            yield TableRow(table, row)

    return (image_results, *image_table_resources(image_results))
