"""The digest's List of Permittees sections: new permits with no label yet, and new permittees' first labels.

Read from ``marts.fct_permittee_leads`` and ``marts.fct_permittee_first_labels``; a warehouse without
them (no list loaded by ``ttb-cola permittees`` yet, or built before they existed) gets empty sections
saying so.
"""

from __future__ import annotations

import duckdb

from ttb_cola.digest.model import Section
from ttb_cola.digest.period import Period

NO_LIST = "No List of Permittees loaded yet (`ttb-cola permittees`, then `make build`)."


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                        "and table_name = ?", [table]).fetchone()
    return bool(found and found[0])


def new_permits_section(con: duckdb.DuckDBPyConnection, period: Period) -> Section:
    """Permits first listed in the period that no COLA in the index is matched to yet (the leads), newest first."""
    columns = ["permit", "owner", "operating_name", "industry", "state", "city", "first_seen"]
    if not _has(con, "fct_permittee_leads"):
        return Section("new_permits", "New permits, no label yet", columns, [], note=NO_LIST)
    rows = con.execute("""
        select permit_number, owner_name, operating_name, industry_type, premises_state, premises_city, first_seen_date
        from marts.fct_permittee_leads
        where first_seen_date between ? and ? and is_new_permit
        order by lead_rank""", [period.start, period.end]).fetchall()
    return Section("new_permits", "New permits, no label yet", columns, rows, limit=50,
                   note="Importers, distilled spirits plants and wine producers first listed in TTB's List of "
                        "Permittees in the period, with no COLA in the index matched to them.")


def first_labels_section(con: duckdb.DuckDBPyConnection, period: Period) -> Section:
    """New permittees whose first COLA was received in the period, with the lag from their permit."""
    columns = ["permit", "owner", "industry", "state", "first_seen", "ttb_id", "receipt_date", "days_after_permit"]
    if not _has(con, "fct_permittee_first_labels"):
        return Section("first_labels", "First label from a new permittee", columns, [], note=NO_LIST)
    rows = con.execute("""
        select permit_number, owner_name, industry_type, premises_state, first_seen_date, first_cola_ttb_id,
            first_cola_receipt_date, days_permit_to_first_cola
        from marts.fct_permittee_first_labels
        where first_cola_receipt_date between ? and ?
        order by first_cola_receipt_date desc, permit_number""", [period.start, period.end]).fetchall()
    return Section("first_labels", "First label from a new permittee", columns, rows, limit=50,
                   note="Permits new when first listed whose first matched COLA was received in the period.")
