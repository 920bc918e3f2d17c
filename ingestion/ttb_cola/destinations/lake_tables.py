"""The lake's tables are Delta tables: merged (upsert) where the DuckDB warehouse merges, appended where it appends.

dlt's filesystem destination writes a Delta table per table (``table_format="delta"``, the ``deltalake``
package): one folder ``<bucket_url>/<dataset>/<table>/`` with its ``_delta_log/``. Each load of a table is
one Delta commit, so a reader (DuckDB's ``delta_scan``, polars, Spark, Athena, Trino...) sees a table as of
its last committed version and never the files of a write that was killed before its commit.

- the page tables (``cola_details``, ``cola_forms``, ``cola_listings``) are upserted on ``ttb_id``: one row
  per COLA per page kind, its latest fetch, as in the DuckDB warehouse;
- ``cola_label_images`` is upserted on ``(ttb_id, position)`` (Delta has no delete-insert): a refetched form
  with fewer images leaves its old higher positions behind with an older ``_dlt_load_id``, which dbt staging
  drops (it keeps each COLA's images of its latest load);
- ``cola_images`` and ``cola_barcodes`` (label images) are upserted on their keys, ``crawl_parked`` on ``ttb_id``;
- the crawl logs (``crawl_partitions``, ``crawl_searches``) are appended, one row per partition or day per run,
  and so is ``cola_status_log`` (one row per page fetched: the data of the status history, see
  :mod:`ttb_cola.status_log`).

The Delta upsert does not deduplicate a load (two rows for one key fail its MERGE or are both inserted):
the resources send one row per key per load (:mod:`ttb_cola.merged`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from dlt.sources import DltSource

if TYPE_CHECKING:
    from dlt.common.schema.typing import TColumnSchema, TUpsertStrategyDict

from ttb_cola.records import MATERIALIZE

#: The table format of every table dlt writes to the lake.
TABLE_FORMAT: Final = "delta"
#: Tables merged on their primary key; every other table of the lake is appended to.
UPSERTED_TABLES = (
    "cola_details", "cola_forms", "cola_listings", "cola_label_images", "cola_images", "cola_barcodes", "crawl_parked",
)
UPSERT: TUpsertStrategyDict = {"disposition": "merge", "strategy": "upsert"}
#: The parents that feed the tables (never loaded themselves) and the event that creates empty tables.
_PARENTS = ("partitions", "archive")
_DLT_COLUMNS: dict[str, TColumnSchema] = {
    "_dlt_load_id": {"name": "_dlt_load_id", "data_type": "text", "nullable": False},
    "_dlt_id": {"name": "_dlt_id", "data_type": "text", "nullable": False, "unique": True},
}


def as_lake_tables(source: DltSource) -> DltSource:
    """Delta tables for every resource of ``source``; the merged ones upserted on their primary keys.

    The source's event that creates every table before its first row (``MATERIALIZE``) is dropped: an
    upsert hashes the primary key into ``_dlt_id``, and dlt's normalizer cannot hash the empty row it
    makes of that event. :func:`create_lake_tables` creates the empty Delta tables instead.
    """
    for name, resource in source.resources.items():
        if name in _PARENTS:
            resource.add_filter(lambda event: getattr(event, "table", None) != MATERIALIZE)
        elif name in UPSERTED_TABLES:
            resource.apply_hints(write_disposition=UPSERT, merge_key="", table_format=TABLE_FORMAT)
        else:
            resource.apply_hints(table_format=TABLE_FORMAT)
    return source


def create_lake_tables(lake: Any, pipeline: Any, source: DltSource) -> list[str]:
    """Create, empty, every Delta table of ``source`` the lake does not hold yet; the names created.

    Each one from its resource's declared columns (the record contract) and dlt's own two columns, as
    the Arrow types dlt writes, so every table a reader or dbt expects exists from the first run on.
    Called after a load (dlt initializes the dataset's folder itself on the first one).
    """
    import pyarrow as pa
    from deltalake import DeltaTable, write_deltalake
    from dlt.common.libs.deltalake import ensure_delta_compatible_arrow_schema
    from dlt.common.libs.pyarrow import columns_to_arrow

    caps = pipeline.destination.capabilities()
    options = lake.delta_storage_options()
    created = []
    for name, resource in source.resources.items():
        if name in _PARENTS:
            continue
        uri = lake.table_uri(pipeline.dataset_name, name)
        if DeltaTable.is_deltatable(uri, storage_options=options):
            continue
        columns = {**resource.compute_table_schema()["columns"], **_DLT_COLUMNS}
        schema = ensure_delta_compatible_arrow_schema(columns_to_arrow(columns, caps, "UTC"))
        write_deltalake(uri, pa.Table.from_pylist([], schema=schema), mode="append", storage_options=options)
        created.append(name)
    return created


__all__ = ["TABLE_FORMAT", "UPSERTED_TABLES", "as_lake_tables", "create_lake_tables"]
