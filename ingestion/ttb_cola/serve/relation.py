"""One row per COLA as searches see it, from the marts alone: the columns every filter and list reads.

The COLA's own company name comes from ``fct_cola_signals`` (as on its form), the permit holder's latest
name from ``dim_company``, the class/type and origin descriptions from their dimensions. The serving
table (:mod:`ttb_cola.serve.search_index`) and the watchlist matches (:mod:`ttb_cola.serve.matches`)
both read this relation, so a watch and a search match the same COLAs.
"""

from __future__ import annotations

#: The relation's SQL (a subquery over the ``marts`` schema; no parameters).
COLAS_SQL = """
select
    approvals.ttb_id,
    approvals.receipt_date,
    approvals.approval_date,
    approvals.status,
    approvals.status_date,
    coalesce(approvals.approval_date, approvals.status_date, approvals.receipt_date) as newest_date,
    approvals.permit_number,
    coalesce(signals.company_name, company.company_name) as company_name,
    company.company_name as permittee_name,
    approvals.brand_name,
    approvals.fanciful_name,
    approvals.class_type_code,
    nullif(class_type.class_type_description, '(unknown)') as class_type_description,
    approvals.origin_code,
    nullif(origin.origin_description, '(unknown)') as origin_description,
    approvals.product_type,
    approvals.product_source,
    signals.signal_type,
    approvals.has_pages,
    approvals.label_image_count,
    approvals.gtin_count
from marts.fct_cola_approvals as approvals
left join marts.fct_cola_signals as signals on approvals.ttb_id = signals.ttb_id
left join marts.dim_company as company on approvals.company_key = company.company_key
left join marts.dim_class_type as class_type on approvals.class_type_key = class_type.class_type_key
left join marts.dim_origin as origin on approvals.origin_key = origin.origin_key
"""

#: The columns of :data:`COLAS_SQL`, in order: what a COLA in a list holds.
COLUMNS = (
    "ttb_id", "receipt_date", "approval_date", "status", "status_date", "newest_date", "permit_number",
    "company_name", "permittee_name", "brand_name", "fanciful_name", "class_type_code", "class_type_description",
    "origin_code", "origin_description", "product_type", "product_source", "signal_type", "has_pages",
    "label_image_count", "gtin_count",
)
#: The marts the relation reads.
MARTS = ("fct_cola_approvals", "fct_cola_signals", "dim_company", "dim_class_type", "dim_origin")


#: The columns each pattern criterion is tested on (any of them matching is a match).
CRITERIA_COLUMNS = {
    "permit": ("permit_number",),
    "brand": ("brand_name",),
    "company": ("company_name", "permittee_name"),
    "class_type": ("class_type_code", "class_type_description"),
    "origin": ("origin_code", "origin_description"),
}


def criterion_sql(name: str, pattern: str) -> tuple[str, list[str]]:
    """The test of criterion ``name`` (a key of :data:`CRITERIA_COLUMNS`) against the watchlist pattern
    ``pattern`` on any of its columns, and its parameters: case-insensitive, ``%`` any run of characters,
    ``_`` and ``\\`` literal, surrounding spaces of the pattern ignored (the dbt macro ``watchlist_match``;
    the marts' text is trimmed by the staging models, so the columns are compared as they are).

    The pattern is escaped here rather than in SQL, and ``ESCAPE`` is written only when it holds a ``_`` or
    ``\\``: DuckDB's plain ``ILIKE`` is several times faster on millions of distinct names."""
    text = pattern.strip()
    escaped = text.replace("\\", "\\\\").replace("_", "\\_")
    test = "{} ilike ? escape '\\'" if escaped != text else "{} ilike ?"
    columns = CRITERIA_COLUMNS[name]
    return "(" + " or ".join(test.format(column) for column in columns) + ")", [escaped] * len(columns)
