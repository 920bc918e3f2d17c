"""The serving table and full-text index ``ttb-cola publish`` builds into the published file.

``serve.colas`` is :data:`ttb_cola.serve.relation.COLAS_SQL` materialised, newest first, with ART indexes
on the TTB ID and permit number (point lookups and a company's COLAs without a scan); the marts a single
COLA, company or barcode is read from get ART indexes on their keys too (the data is not changed).
DuckDB's ``fts`` extension, loaded from its ``duckdb-extension-fts`` wheel (nothing downloaded), indexes
the brand, fanciful name, company and permittee names into the ``fts_serve_colas`` schema (tokenised,
accents and stop words dropped, Porter-stemmed). Its terms are then laid out as ``serve.cola_words``
(one row per stemmed word and COLA, sorted by word), so a search reads the few row groups of its words
instead of scoring every COLA: the API lists newest first, not by relevance. A single COLA is read from
``serve.cola_lookup`` (:mod:`ttb_cola.serve.lookup`). Everything is written into
the new file before it replaces the published one, so a reader never sees a half-built index.
"""

from __future__ import annotations

import duckdb

from ttb_cola.destinations.lake_duckdb import extension_file
from ttb_cola.serve.lookup import build_lookup_table
from ttb_cola.serve.relation import COLAS_SQL, MARTS

SCHEMA = "serve"
TABLE = f"{SCHEMA}.colas"
#: One row per (stemmed word, COLA) with the COLA's sort date, sorted by word.
WORDS_TABLE = f"{SCHEMA}.cola_words"
#: The schema the fts extension names after the table; its ``match_bm25`` macro scores a query.
FTS_SCHEMA = "fts_serve_colas"
#: The columns the full-text search covers.
TEXT_COLUMNS = ("brand_name", "fanciful_name", "company_name", "permittee_name")
#: Mart columns a company or barcode is looked up by (a single COLA is read from ``serve.cola_lookup``).
LOOKUP_KEYS = (("bridge_cola_gtins", "gtin"), ("dim_company", "permit_number"))


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB's fts extension from its wheel."""
    con.load_extension(str(extension_file("fts")))


def serving_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """What ``ttb-cola publish`` builds on the marts it copied into ``con``'s database: the serving table and
    its index, rows per table (none when the marts it reads are not all there)."""
    indexed = build_search_index(con)
    return {TABLE: indexed} if indexed else {}


def build_search_index(con: duckdb.DuckDBPyConnection) -> int:
    """Create ``serve.colas`` and its full-text index in ``con``'s database; rows indexed (0: the marts
    it reads are not all there, and nothing is created)."""
    present = {name for (name,) in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' and database_name = current_database()"
    ).fetchall()}
    if not set(MARTS) <= present:
        return 0
    load_fts(con)
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(f"create or replace table {TABLE} as select * from ({COLAS_SQL}) "
                "order by newest_date desc, ttb_id desc")
    con.execute(f"create index serve_colas_ttb_id on {TABLE} (ttb_id)")
    con.execute(f"create index serve_colas_permit on {TABLE} (permit_number)")
    columns = ", ".join(f"'{name}'" for name in TEXT_COLUMNS)
    con.execute(f"pragma create_fts_index('{TABLE}', 'ttb_id', {columns}, overwrite = 1)")
    con.execute(f"""
        create or replace table {WORDS_TABLE} as
        with words as (
            select distinct dict.term as word, docs.name as ttb_id
            from {FTS_SCHEMA}.terms as terms
            inner join {FTS_SCHEMA}.dict as dict on terms.termid = dict.termid
            inner join {FTS_SCHEMA}.docs as docs on terms.docid = docs.docid
        )
        select words.word, words.ttb_id, colas.newest_date
        from words inner join {TABLE} as colas on words.ttb_id = colas.ttb_id
        order by words.word, colas.newest_date desc, words.ttb_id desc""")
    for table, column in LOOKUP_KEYS:
        if table in present:
            con.execute(f'create index "{table}_{column}" on marts."{table}" ("{column}")')
    build_lookup_table(con, TABLE, present)
    return con.execute(f"select count(*) from {TABLE}").fetchone()[0]  # type: ignore[index]
