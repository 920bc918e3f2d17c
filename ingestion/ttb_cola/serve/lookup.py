"""The serving table of single-COLA lookups, ``serve.cola_lookup``: one row per COLA holding everything
``GET /colas/{ttb_id}`` answers (its list row, its form's fields, its status history, label images and
barcodes as lists of structs), sorted by TTB ID with an ART index on it.

A lookup is then one small statement on one table instead of five (or one five-table join): DuckDB's
planning and per-table work, not the data read, is what a point lookup costs.
"""

from __future__ import annotations

import duckdb

#: The table ``ttb-cola publish`` writes and ``get_cola`` reads.
LOOKUP_TABLE = "serve.cola_lookup"
#: Columns of fct_cola_approvals a single COLA adds to its list row.
DETAIL_COLUMNS = (
    "receipt_method", "receipt_sequence", "is_active", "status_date_source", "application_date", "issued_date",
    "expiration_date", "product_type_source", "product_source_source", "vendor_code", "serial_number",
    "is_label_approval", "is_exemption", "is_distinctive_bottle", "is_resubmission", "for_sale_in",
    "total_bottle_capacity", "wine_vintage", "wine_appellation", "grape_varietals", "has_formula",
    "has_detail_page", "is_form_fetched", "days_to_approval", "days_application_to_approval",
    "other_permit_count", "primary_gtin", "fetched_at",
)
#: A COLA's lists: (answer key, mart, fields as ``name := column``, order).
COLA_LISTS = (
    ("status_history", "fct_cola_status_history",
     ("version_number", "status", "approval_date", "expiration_date", "completed_date", "valid_from", "valid_to",
      "is_current"), "version_number"),
    ("images", "fct_cola_images",
     ("image_position", "image_type", "filename", "is_stored", "image_sha256", "image_format", "width_pixels",
      "height_pixels", "image_url"), "image_position"),
    ("barcodes", "bridge_cola_gtins",
     ("gtin", "symbology", "is_placeholder", "first_image_position", "colas_with_gtin := cola_count"), "gtin"),
)


def build_lookup_table(con: duckdb.DuckDBPyConnection, colas_table: str, marts: set[str]) -> None:
    """Create :data:`LOOKUP_TABLE` from ``colas_table`` and the ``marts`` present (a list whose mart is not
    in this build is left out; ``get_cola`` answers it empty)."""
    lists = [(key, mart, fields, order) for key, mart, fields, order in COLA_LISTS if mart in marts]
    ctes = ",\n".join(f"{key} as (select ttb_id, list(struct_pack({', '.join(fields)}) order by {order}) as {key} "
                      f"from marts.{mart} group by ttb_id)" for key, mart, fields, order in lists)
    con.execute(f"""
        create or replace table {LOOKUP_TABLE} as
        {'with ' + ctes if lists else ''}
        select colas.*, {', '.join(f'approvals.{name}' for name in DETAIL_COLUMNS)}
            {''.join(f', coalesce({key}.{key}, []) as {key}' for key, *_ in lists)}
        from {colas_table} as colas
        left join marts.fct_cola_approvals as approvals on colas.ttb_id = approvals.ttb_id
        {' '.join(f'left join {key} on colas.ttb_id = {key}.ttb_id' for key, *_ in lists)}
        order by colas.ttb_id""")
    con.execute(f"create index serve_cola_lookup_ttb_id on {LOOKUP_TABLE} (ttb_id)")
