"""The COLA record contract: every field's name, dlt column type and nullability, in one place.

The registry shows a COLA on up to three kinds of page, and each kind has its own raw table, merged
on ``ttb_id`` on its own: ``cola_details`` (the detail page), ``cola_forms`` (the printable form; its
label images go to ``cola_label_images``) and ``cola_listings`` (the row of the search by completed
date). A refetch of one kind never erases another kind's fields; dbt staging joins them into one row
per COLA. A page row always carries every field of its kind (null when blank or absent).
:func:`build_record` merges parsed pages into the one-row shape that ``ttb-cola parse`` prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ttb_cola.ids import parse_ttb_id

if TYPE_CHECKING:  # dlt's typing only: `ttb-cola parse` builds records without importing dlt
    from dlt.common.data_types.typing import TDataType
    from dlt.common.schema.typing import TColumnSchema

#: A column spec: (dlt data type, nullable).
Spec = tuple[str, bool]
_TEXT: Spec = ("text", True)
_DATE: Spec = ("date", True)

#: Fields read from the detail page and the printable form (label_images becomes its own table).
PAGE_COLUMNS: dict[str, Spec] = {
    "ttb_id": ("text", False),
    "status": _TEXT,
    "vendor_code": _TEXT,
    "serial_number": _TEXT,
    "class_type_description": _TEXT,
    "origin_description": _TEXT,
    "class_type_code": _TEXT,
    "origin_code": _TEXT,
    "brand_name": _TEXT,
    "fanciful_name": _TEXT,
    "type_of_application": ("json", True),
    "for_sale_in": _TEXT,
    "total_bottle_capacity": _TEXT,
    "previous_ttb_id": _TEXT,
    "grape_varietals": _TEXT,
    "wine_vintage": _TEXT,
    "wine_appellation": _TEXT,
    "formula": _TEXT,
    "approval_date": _DATE,
    "qualifications": _TEXT,
    "permit_number": _TEXT,
    "company_name": _TEXT,
    "address_street": _TEXT,
    "address_city": _TEXT,
    "address_state": _TEXT,
    "address_zip": _TEXT,
    "other_permits": ("json", True),
    "dba_name": _TEXT,
    "contact_name": _TEXT,
    "phone": _TEXT,
    "email": _TEXT,
    "source_of_product": _TEXT,
    "type_of_product": _TEXT,
    "date_of_application": _DATE,
    "date_issued": _DATE,
    "expiration_date": _DATE,
}
#: From the registry's search list (discovery by completed date): the date the current status took
#: effect. Null on records found by probing without a list.
LISTING_COLUMNS: dict[str, Spec] = {
    "completed_date": _DATE,
}
#: Kept with each page row: values of the page that did not parse (they are null), one line each.
WARNING_COLUMNS: dict[str, Spec] = {
    "parse_warnings": ("json", True),
}
#: Kept with each detail row: true when the same fetch found the printable form unavailable (the
#: registry's error page while the detail page exists); null when the form was read or not asked for.
FORM_STATUS_COLUMNS: dict[str, Spec] = {
    "form_unavailable": ("bool", True),
}
#: Items 12 and 13 of the printable form's edition before mid-2016, as printed and as values (null on
#: later forms, which no longer carry them): ttb_cola.parsers.form_contents.
FORM_CONTENT_COLUMNS: dict[str, Spec] = {
    "net_contents": _TEXT,
    "alcohol_content": _TEXT,
    "net_contents_ml": ("double", True),
    "abv_percent": ("double", True),
}
#: Derived from the TTB ID itself.
ID_COLUMNS: dict[str, Spec] = {
    "receipt_date": ("date", False),
    "receipt_method": ("text", False),
    "sequence": ("bigint", False),
}
PROVENANCE_COLUMNS: dict[str, Spec] = {
    "source_url": _TEXT,
    "fetched_at": ("timestamp", True),
    "page_sha256": _TEXT,
}

LIST_FIELDS = ("type_of_application", "other_permits", "label_images")
PAGE_FIELDS = (*PAGE_COLUMNS, "label_images")
LISTING_FIELDS = tuple(LISTING_COLUMNS)
ID_FIELDS = tuple(ID_COLUMNS)
PROVENANCE_FIELDS = tuple(PROVENANCE_COLUMNS)
RECORD_FIELDS = PAGE_FIELDS + LISTING_FIELDS + ID_FIELDS + PROVENANCE_FIELDS

LABEL_IMAGE_SPECS: dict[str, Spec] = {
    "ttb_id": ("text", False),
    "position": ("bigint", False),
    "image_type": _TEXT,
    "filename": _TEXT,
    "width_in": ("double", True),
    "height_in": ("double", True),
}
CRAWL_PARTITION_SPECS: dict[str, Spec] = {
    "partition_key": ("text", False),
    "receipt_date": ("date", False),
    "receipt_method": ("text", False),
    "run_id": ("text", False),
    "probed": ("bigint", False),
    "found": ("bigint", False),
    "not_found": ("bigint", False),
    "retried": ("bigint", False),
    "requests": ("bigint", False),
    "errors": ("bigint", False),
    "highest_sequence": ("bigint", False),
    "holes": ("bigint", False),
    "status": ("text", False),
    "error": _TEXT,
    "started_at": ("timestamp", False),
    "finished_at": ("timestamp", False),
}
CRAWL_SEARCH_SPECS: dict[str, Spec] = {
    "completed_date": ("date", False),
    "run_id": ("text", False),
    "reported_total": ("bigint", True),
    "listed": ("bigint", False),
    "fetched": ("bigint", False),
    "new": ("bigint", False),
    "moved": ("bigint", False),
    "exports": ("bigint", False),
    "pages": ("bigint", False),
    "splits": ("bigint", False),
    "requests": ("bigint", False),
    "status": ("text", False),
    "error": _TEXT,
    "started_at": ("timestamp", False),
    "finished_at": ("timestamp", False),
}

#: Fields of the detail page: no codes, checkboxes or form dates.
DETAIL_FIELDS = (
    "ttb_id", "status", "vendor_code", "serial_number", "class_type_description", "origin_description",
    "brand_name", "fanciful_name", "type_of_application", "for_sale_in", "total_bottle_capacity",
    "grape_varietals", "wine_vintage", "formula", "approval_date", "qualifications", "permit_number",
    "company_name", "address_street", "address_city", "address_state", "address_zip", "other_permits",
    "contact_name", "phone", "email", "parse_warnings", "form_unavailable",
)
#: Fields of the printable form: every page field but the vendor code and the approval date (its
#: "date issued" stands for it); its label images go to their own table.
FORM_FIELDS = (*(name for name in PAGE_COLUMNS if name not in ("vendor_code", "approval_date")), *FORM_CONTENT_COLUMNS,
               "parse_warnings")
#: Fields of a row of the registry's search list (results page or CSV export).
LISTING_ROW_FIELDS = (
    "ttb_id", "completed_date", "permit_number", "serial_number", "brand_name", "fanciful_name",
    "class_type_code", "class_type_description", "origin_code", "origin_description",
)
_FIELD_SPECS: dict[str, Spec] = {**PAGE_COLUMNS, **LISTING_COLUMNS, **WARNING_COLUMNS, **FORM_STATUS_COLUMNS,
                                 **FORM_CONTENT_COLUMNS}
LISTING_PROVENANCE_COLUMNS: dict[str, Spec] = {"listed_at": ("timestamp", False)}

DETAILS_TABLE = "cola_details"
FORMS_TABLE = "cola_forms"
LISTINGS_TABLE = "cola_listings"
LABEL_IMAGES_TABLE = "cola_label_images"


def columns(specs: dict[str, Spec]) -> dict[str, TColumnSchema]:
    """dlt column hints from specs."""
    return {
        name: {"data_type": cast("TDataType", kind), "nullable": nullable} for name, (kind, nullable) in specs.items()
    }


def _table_specs(fields: tuple[str, ...], provenance: dict[str, Spec]) -> dict[str, Spec]:
    return {**{name: _FIELD_SPECS[name] for name in fields}, **ID_COLUMNS, **provenance}


DETAIL_SPECS = _table_specs(DETAIL_FIELDS, PROVENANCE_COLUMNS)
FORM_SPECS = _table_specs(FORM_FIELDS, PROVENANCE_COLUMNS)
LISTING_SPECS = _table_specs(LISTING_ROW_FIELDS, LISTING_PROVENANCE_COLUMNS)
DETAILS_COLUMNS = columns(DETAIL_SPECS)
FORMS_COLUMNS = columns(FORM_SPECS)
LISTINGS_COLUMNS = columns(LISTING_SPECS)
LABEL_IMAGE_COLUMNS = columns(LABEL_IMAGE_SPECS)
CRAWL_PARTITION_COLUMNS = columns(CRAWL_PARTITION_SPECS)
CRAWL_SEARCH_COLUMNS = columns(CRAWL_SEARCH_SPECS)
# New tables may appear (dlt's own); the columns and types of ours are fixed by the specs above.
SCHEMA_CONTRACT: Any = {"tables": "evolve", "columns": "freeze", "data_type": "freeze"}


def id_fields(ttb_id: str) -> dict[str, Any]:
    """The fields derived from the TTB ID itself: receipt date (ISO), method and sequence."""
    parsed = parse_ttb_id(ttb_id)
    return {
        "receipt_date": parsed.receipt_date.isoformat(),
        "receipt_method": parsed.receipt_method,
        "sequence": parsed.sequence,
    }


def build_record(*pages: dict[str, Any] | None, **provenance: Any) -> dict[str, Any]:
    """Merge parsed pages of one COLA into a full record.

    Earlier pages win where they hold a value (pass the detail page first: it states the current
    status); later pages fill what earlier ones lack (the form's codes, checkboxes and images).
    """
    record: dict[str, Any] = {name: ([] if name in LIST_FIELDS else None) for name in RECORD_FIELDS}
    for page in pages:
        if not page:
            continue
        for name, value in page.items():
            if value in (None, [], "") or name not in record:
                continue
            if record[name] in (None, []):
                record[name] = value
    if record["ttb_id"]:
        record.update(id_fields(record["ttb_id"]))
    for name, value in provenance.items():
        if name not in PROVENANCE_FIELDS:
            raise TypeError(f"unknown provenance field {name!r}")
        record[name] = value
    return record


@dataclass(frozen=True)
class TableRow:
    """One row for one of the source's tables."""

    table: str
    data: dict[str, Any]


#: The event that makes every table's schema real in the destination, even when no row comes.
MATERIALIZE = "__materialize__"

class TableBatch(dict[str, Any]):
    """Rows of several tables at once, by table name: an Arrow table (:mod:`ttb_cola.arrow_batches`) or a
    list of rows. A reparse sends these: dlt's cost is per item, and every table's transformer sees every item."""


#: What a parent resource yields to the table transformers: one row, or a batch of tables' rows.
RowOrBatch = TableRow | TableBatch


def rows_for(item: RowOrBatch, table: str) -> Iterator[Any]:
    """The data of ``item``'s rows for ``table``: one row as is, a batch's rows as one item."""
    if isinstance(item, TableBatch):
        rows = item.get(table)
        if rows is not None and len(rows):
            yield rows
    elif item.table == table:
        yield item.data


def page_row(fields: tuple[str, ...], parsed: dict[str, Any], **provenance: Any) -> dict[str, Any]:
    """A parsed page shaped for its table: every field of ``fields`` (None when absent), the TTB ID's
    parts and the provenance (``source_url``, ``fetched_at``, ``page_sha256``)."""
    get = parsed.get  # blanks ("" and []) become None; most values are set, so truth decides first
    row: dict[str, Any] = {
        name: value if (value := get(name)) or value is None or (value != "" and value != []) else None
        for name in fields
    }
    for name in LIST_FIELDS:
        if name in row and row[name] is None:
            row[name] = []
    row.update(id_fields(row["ttb_id"]))
    for name, value in provenance.items():
        if name not in PROVENANCE_FIELDS:
            raise TypeError(f"unknown provenance field {name!r}")
        row[name] = value
    return row


def listing_row(row: dict[str, Any], listed_at: str) -> dict[str, Any]:
    """A search list row shaped for ``cola_listings``."""
    out: dict[str, Any] = {name: row.get(name) or None for name in LISTING_ROW_FIELDS}
    out.update(id_fields(out["ttb_id"]), listed_at=listed_at)
    return out


@dataclass(frozen=True)
class ColaPages:
    """The pages fetched for one COLA: its detail page row and/or its printable form row."""

    ttb_id: str
    detail: dict[str, Any] | None = None
    form: dict[str, Any] | None = None
    #: The form's label images (``image_type``, ``filename``, ``width_in``, ``height_in``).
    images: tuple[dict[str, Any], ...] = ()
    #: ``cola_images`` / ``cola_barcodes`` rows of the label files fetched after the form (setting ``images``).
    image_rows: tuple[TableRow, ...] = ()

    @property
    def sequence(self) -> int:
        """The COLA's daily sequence number."""
        return parse_ttb_id(self.ttb_id).sequence

    def rows(self) -> list[TableRow]:
        """One row per page fetched, one per label image of the form, and the fetched files' rows."""
        rows = [TableRow(DETAILS_TABLE, self.detail)] if self.detail is not None else []
        if self.form is not None:
            rows.append(TableRow(FORMS_TABLE, self.form))
            rows += [
                TableRow(LABEL_IMAGES_TABLE, {"ttb_id": self.ttb_id, "position": position, **image})
                for position, image in enumerate(self.images, start=1)
            ]
        return rows + list(self.image_rows)
