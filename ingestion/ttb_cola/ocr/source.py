"""``cola_label_text`` and ``cola_label_values`` as dlt resources: the source of ``ttb-cola ocr``.

Named ``ttb_cola`` like the crawl's and the images' sources: one schema holds every table of the dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from ttb_cola.merged import merged_table
from ttb_cola.ocr.tables import OCR_TABLES
from ttb_cola.records import TableRow


@dlt.source(name="ttb_cola", max_table_nesting=0)
def ttb_cola_ocr(rows: Iterable[tuple[str, dict[str, Any]]]) -> Sequence[DltResource]:
    """Label-text rows from an iterable of (table, row)."""

    @dlt.resource(name="ocr_results", selected=False)
    def ocr_results() -> Iterator[TableRow]:
        for table, row in rows:
            yield TableRow(table, row)

    def rows_of(table: str) -> Any:
        def pick(event: TableRow) -> Iterator[dict[str, Any]]:
            if event.table == table:
                yield event.data

        return pick

    return (ocr_results, *(merged_table(ocr_results, rows_of(table), table, key, cols, sort)
                           for table, key, cols, sort in OCR_TABLES))
