"""The dlt source of label-image results: ``cola_images`` and ``cola_barcodes``, merged on their keys.

Loaded by ``ttb-cola images`` into the crawl's pipeline and dataset; the crawl can feed the same
two transformers (:func:`image_table_resources`) from its own parent resource once it fetches
images after each form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ttb_cola.images.tables import (
    BARCODE_COLUMNS,
    BARCODE_KEY,
    BARCODES_TABLE,
    IMAGE_COLUMNS,
    IMAGE_KEY,
    IMAGES_TABLE,
)
from ttb_cola.records import SCHEMA_CONTRACT

#: (table, row) pairs, e.g. from :func:`ttb_cola.images.tables.rows`.
Rows = Iterable[tuple[str, dict[str, Any]]]


def image_table_resources(parent: DltResource) -> tuple[DltResource, DltResource]:
    """The two tables, fed by ``parent``'s (table, row) pairs."""

    def picker(table: str) -> Callable[[tuple[str, dict[str, Any]]], Iterator[dict[str, Any]]]:
        def pick(item: tuple[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
            if item[0] == table:
                yield item[1]

        return pick

    images = dlt.transformer(
        picker(IMAGES_TABLE), data_from=parent, name=IMAGES_TABLE, write_disposition="merge",
        primary_key=IMAGE_KEY, columns=IMAGE_COLUMNS, schema_contract=SCHEMA_CONTRACT,
    )
    barcodes = dlt.transformer(
        picker(BARCODES_TABLE), data_from=parent, name=BARCODES_TABLE, write_disposition="merge",
        primary_key=BARCODE_KEY, columns=BARCODE_COLUMNS, schema_contract=SCHEMA_CONTRACT,
    )
    return images, barcodes


@dlt.source(name="ttb_cola_images", max_table_nesting=0)
def ttb_cola_images(results: Rows) -> Sequence[DltResource]:
    """Label-image rows (``cola_images``, ``cola_barcodes``) from an iterable of (table, row)."""

    @dlt.resource(name="image_results", selected=False)
    def image_results() -> Iterator[tuple[str, dict[str, Any]]]:
        yield from results

    return (image_results, *image_table_resources(image_results))
