"""Defaults and table schemas of the ttb_cola source (verified-sources style: settings in one place)."""

from __future__ import annotations

from typing import Any

from dlt.common.schema.typing import TColumnSchema

DEFAULT_BASE_URL = "https://www.ttbonline.gov/colasonline"
DEFAULT_DATASET = "ttb_cola"
DEFAULT_DUCKDB_PATH = "data/ttb_cola.duckdb"
DEFAULT_ARCHIVE_DIR = "data/raw"
PIPELINE_NAME = "ttb_cola"

_TEXT = ("text", True)
_DATE = ("date", True)


def _columns(spec: dict[str, tuple[str, bool]]) -> dict[str, TColumnSchema]:
    return {name: {"data_type": kind, "nullable": nullable} for name, (kind, nullable) in spec.items()}


COLAS_COLUMNS: dict[str, TColumnSchema] = _columns(
    {
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
        "completed_date": _DATE,
        "receipt_date": ("date", False),
        "receipt_method": ("text", False),
        "sequence": ("bigint", False),
        "source_url": _TEXT,
        "fetched_at": ("timestamp", True),
        "page_sha256": _TEXT,
    }
)

LABEL_IMAGE_COLUMNS: dict[str, TColumnSchema] = _columns(
    {
        "ttb_id": ("text", False),
        "position": ("bigint", False),
        "image_type": _TEXT,
        "filename": _TEXT,
        "width_in": ("double", True),
        "height_in": ("double", True),
    }
)

CRAWL_PARTITION_COLUMNS: dict[str, TColumnSchema] = _columns(
    {
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
)

CRAWL_SEARCH_COLUMNS: dict[str, TColumnSchema] = _columns(
    {
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
)

# New tables may appear (dlt's own); the columns and types of ours are fixed by the contract above.
SCHEMA_CONTRACT: Any = {"tables": "evolve", "columns": "freeze", "data_type": "freeze"}
