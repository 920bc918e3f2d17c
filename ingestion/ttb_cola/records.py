"""The COLA record contract: every field's name, dlt column type and nullability, in one place.

A record always carries every field (null when blank or absent), so that a detail-only record, a
form-only record and a merged one share one shape and load into one table. The same specs give the
dlt column hints of every table the source writes (see :mod:`ttb_cola.source`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ttb_cola.ids import parse_ttb_id

if TYPE_CHECKING:  # dlt's typing only: `ttb-cola parse` builds records without importing dlt
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


def columns(specs: dict[str, Spec]) -> dict[str, TColumnSchema]:
    """dlt column hints from specs."""
    return {name: {"data_type": kind, "nullable": nullable} for name, (kind, nullable) in specs.items()}


COLAS_COLUMNS = columns({**PAGE_COLUMNS, **LISTING_COLUMNS, **ID_COLUMNS, **PROVENANCE_COLUMNS})
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
