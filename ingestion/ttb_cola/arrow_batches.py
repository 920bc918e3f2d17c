"""A batch of rows of one table as one Arrow table, typed by the table's dlt columns.

dlt writes an Arrow table to its load files as it is, where a batch of dicts is normalized row by row
(types coerced, values checked); the archive reparse sends its rows in batches (:func:`page_tables`), so
this is most of what its load costs. Values arrive as the rows hold them: dates and timestamps as ISO text
(cast here), json values as Python objects (serialized as dlt's own JSON serializes them, as its parquet writer
does). Each table carries dlt's row key ``_dlt_id`` (:func:`with_row_ids`), so dlt's normalize step takes the
files as extracted instead of rewriting each to add it. The reparse's parse workers build these tables: this
module does not import dlt, so they start fast.
"""

from __future__ import annotations

import logging
import os
import secrets
from base64 import b64encode
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
import pyarrow as pa

from ttb_cola.records import (
    DETAILS_COLUMNS,
    DETAILS_TABLE,
    FORMS_COLUMNS,
    FORMS_TABLE,
    LABEL_IMAGE_COLUMNS,
    LABEL_IMAGES_TABLE,
    ColaPages,
    TableBatch,
)

#: dlt's row key column, and the random bytes each key encodes (dlt's default length).
ROW_ID = "_dlt_id"
_ROW_ID_BYTES = 10
_PLAIN = {"text": pa.string(), "bigint": pa.int64(), "double": pa.float64(), "bool": pa.bool_()}
_CAST = {"date": pa.date32(), "timestamp": pa.timestamp("us", "UTC")}


def _json(value: Any) -> str:
    """``value`` as dlt's JSON (orjson, keys need not be text) writes it; a type orjson cannot write goes to
    dlt's encoder, imported then."""
    return orjson.dumps(value, default=_dlt_encode, option=orjson.OPT_NON_STR_KEYS).decode()


def _dlt_encode(value: Any) -> Any:
    from dlt.common.json import custom_encode

    return custom_encode(value)


def arrow_batch(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, Mapping[str, Any]]) -> pa.Table:
    """``rows`` as one table of ``columns`` (in their order; a key of a row that is no column is left out)."""
    arrays = []
    fields = []
    for name, column in columns.items():
        kind = column["data_type"]
        values = [row.get(name) for row in rows]
        if kind == "json":
            array = pa.array([None if value is None else _json(value) for value in values], pa.string())
        elif kind in _CAST:
            array = pa.array(values, pa.string()).cast(_CAST[kind])
        else:
            array = pa.array(values, _PLAIN[kind])
        arrays.append(array)
        fields.append(pa.field(name, array.type, nullable=column.get("nullable", True)))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def with_row_ids(table: pa.Table) -> pa.Table:
    """``table`` with a ``_dlt_id`` column: per row, random bytes in base64 as dlt's normalizer makes the key
    (:data:`_SETTINGS` tells dlt the tables bring theirs)."""
    size = _ROW_ID_BYTES
    random = secrets.token_bytes(table.num_rows * size)
    ids = [b64encode(random[start:start + size]).decode("ascii").rstrip("=") for start in range(0, len(random), size)]
    return table.append_column(pa.field(ROW_ID, pa.string(), nullable=False), pa.array(ids, pa.string()))


def page_tables(colas: Sequence[ColaPages]) -> TableBatch:
    """The rows of ``colas`` by table: the page tables and ``cola_label_images`` as Arrow tables, the label
    files' rows (``cola_images``, ``cola_barcodes``) as they are."""
    rows: dict[str, list[dict[str, Any]]] = {DETAILS_TABLE: [], FORMS_TABLE: [], LABEL_IMAGES_TABLE: []}
    details, forms, images = rows[DETAILS_TABLE], rows[FORMS_TABLE], rows[LABEL_IMAGES_TABLE]
    for cola in colas:
        if cola.detail is not None:
            details.append(cola.detail)
        if cola.form is not None:
            forms.append(cola.form)
            images += ({"ttb_id": cola.ttb_id, "position": position, **image}
                       for position, image in enumerate(cola.images, start=1))
        for row in cola.image_rows:
            rows.setdefault(row.table, []).append(row.data)
    batch = TableBatch(rows)
    for table, columns in ((DETAILS_TABLE, DETAILS_COLUMNS), (FORMS_TABLE, FORMS_COLUMNS),
                           (LABEL_IMAGES_TABLE, LABEL_IMAGE_COLUMNS)):
        batch[table] = with_row_ids(arrow_batch(rows[table], columns))
    return batch


#: dlt settings for a run of Arrow batches: dlt adds the ``_dlt_load_id`` column every row of ours carries as it
#: extracts them; the tables bring their ``_dlt_id`` (:func:`with_row_ids`); and each batch its resource yields
#: goes through the table transformers into the load files before the next batch is asked for (dlt's ``fifo``
#: item order; its default, ``round_robin``, asks the resource first, so while the next batch is made, in the
#: reparse the workers parsing it, the last one waits, and is written only once the extract ends).
_SETTINGS = {
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID": "false",
    "EXTRACT__NEXT_ITEM_MODE": "fifo",
}


class _JsonAsText(logging.Filter):
    """Drops dlt's note that a json column came as text: :func:`arrow_batch` serializes them on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "several column hints were different" not in record.getMessage()


@contextmanager
def arrow_loads() -> Iterator[None]:
    """Around a run whose resources send :func:`arrow_batch` tables with their row ids (:func:`with_row_ids`):
    dlt adds ``_dlt_load_id`` to them as it does to rows, leaves their ``_dlt_id`` and writes each batch before
    it asks for the next (set for the run, whatever the config says, see :data:`_SETTINGS`), and keeps quiet
    about the json columns sent as text."""
    saved = {name: os.environ.get(name) for name in _SETTINGS}
    os.environ.update(_SETTINGS)
    quiet = _JsonAsText()
    dlt_logger = logging.getLogger("dlt")
    dlt_logger.addFilter(quiet)
    try:
        yield
    finally:
        dlt_logger.removeFilter(quiet)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


__all__ = ["ROW_ID", "arrow_batch", "arrow_loads", "page_tables", "with_row_ids"]
