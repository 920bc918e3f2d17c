"""The COLA record contract (DESIGN.md section 3): field list and the merge of detail + form pages.

A record always carries every field (null when blank or absent), so that a detail-only record, a
form-only record and a merged one share one shape and load into one table.
"""

from __future__ import annotations

from typing import Any

from ttb_cola.ids import parse_ttb_id

LIST_FIELDS = ("type_of_application", "other_permits", "label_images")
PAGE_FIELDS = (
    "ttb_id",
    "status",
    "vendor_code",
    "serial_number",
    "class_type_description",
    "origin_description",
    "class_type_code",
    "origin_code",
    "brand_name",
    "fanciful_name",
    "type_of_application",
    "for_sale_in",
    "total_bottle_capacity",
    "previous_ttb_id",
    "grape_varietals",
    "wine_vintage",
    "wine_appellation",
    "formula",
    "approval_date",
    "qualifications",
    "permit_number",
    "company_name",
    "address_street",
    "address_city",
    "address_state",
    "address_zip",
    "other_permits",
    "dba_name",
    "contact_name",
    "phone",
    "email",
    "source_of_product",
    "type_of_product",
    "date_of_application",
    "date_issued",
    "expiration_date",
    "label_images",
)
#: From the registry's search list (discovery by completed date): the date the current status took
#: effect, and the codes the detail page lacks. Null on records found by probing without a list.
LISTING_FIELDS = ("completed_date",)
ID_FIELDS = ("receipt_date", "receipt_method", "sequence")
PROVENANCE_FIELDS = ("source_url", "fetched_at", "page_sha256")
RECORD_FIELDS = PAGE_FIELDS + LISTING_FIELDS + ID_FIELDS + PROVENANCE_FIELDS


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
