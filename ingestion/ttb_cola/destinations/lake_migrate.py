"""Convert a lake written before the Delta tables (plain Parquet appended per load) into Delta tables, in place.

For each table folder of the dataset that holds dlt's Parquet files (``<load_id>.<file_id>.parquet``) and
no Delta table yet: the rows of complete loads (``_dlt_loads`` status 0) are read, each merged table is
reduced to what a reader of the old lake saw (the latest load's row per key, as dbt staging kept it), and
written as the table's first Delta commit in the same folder; then the old files are deleted. A folder
whose Delta table exists is only cleared of Parquet files its Delta log does not reference, so a
migration killed half way is finished by running it again. dlt's own folders (``_dlt_loads``, state,
schemas) stay as they are: the crawl state carries over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import fsspec

from ttb_cola.destinations.lake import Lake
from ttb_cola.destinations.lake_state import completed_loads

#: Each merged table's key and how the latest of a key's rows is told (the old staging's order).
LATEST_BY = {
    "cola_details": (("ttb_id",), "fetched_at"),
    "cola_forms": (("ttb_id",), "fetched_at"),
    "cola_listings": (("ttb_id",), "listed_at"),
    "cola_images": (("ttb_id", "position"), "fetched_at"),
    "cola_barcodes": (("ttb_id", "image_sha256", "gtin"), "fetched_at"),
    "crawl_parked": (("ttb_id",), "last_seen"),
}
#: One image list per COLA: the latest load's, whole.
LABEL_IMAGES = "cola_label_images"
APPENDED = ("crawl_partitions", "crawl_searches", "cola_status_log")


@dataclass
class Migration:
    """What a migration did: rows written per table, Parquet files removed, tables already in Delta."""

    written: dict[str, int] = field(default_factory=dict)
    removed_files: int = 0
    already_delta: list[str] = field(default_factory=list)


def _latest_sql(table: str, source: str) -> str:
    if table == LABEL_IMAGES:
        return (f"select * from {source} qualify dense_rank() over (partition by ttb_id order by "
                "try_cast(_dlt_load_id as double) desc) = 1 and row_number() over (partition by ttb_id, "
                "position order by try_cast(_dlt_load_id as double) desc, _dlt_id desc) = 1")
    if table in LATEST_BY:
        key, order = LATEST_BY[table]
        return (f"select * from {source} qualify row_number() over (partition by {', '.join(key)} order by "
                f"try_cast(_dlt_load_id as double) desc, {order} desc nulls last, _dlt_id desc) = 1")
    return f"select * from {source}"


def migrate_lake(lake: Lake, dataset: str) -> Migration:
    """Convert every Parquet table of ``dataset`` in ``lake`` into a Delta table (see the module doc)."""
    from deltalake import DeltaTable, write_deltalake
    from dlt.common.libs.deltalake import ensure_delta_compatible_arrow_data

    fs, root = fsspec.core.url_to_fs(lake.bucket_url, **lake.storage_options())
    folder = f"{root.rstrip('/')}/{dataset}"
    options = lake.delta_storage_options()
    done = completed_loads(fs, folder)
    result = Migration()
    for table in (*LATEST_BY, LABEL_IMAGES, *APPENDED):
        files = sorted(fs.glob(f"{folder}/{table}/*.parquet"))
        uri = lake.table_uri(dataset, table)
        if DeltaTable.is_deltatable(uri, storage_options=options):
            result.already_delta.append(table)
            kept = {path.rsplit("/", 1)[-1] for path in DeltaTable(uri, storage_options=options).file_uris()}
            stale = [path for path in files if path.rsplit("/", 1)[-1] not in kept]
        elif files:
            rows = _read_complete(fs, lake, files, done, table)
            write_deltalake(uri, ensure_delta_compatible_arrow_data(rows), mode="append", storage_options=options)
            result.written[table] = rows.num_rows
            stale = files
        else:
            continue
        for path in stale:
            fs.rm_file(path)
        result.removed_files += len(stale)
    return result


def _read_complete(fs: fsspec.AbstractFileSystem, lake: Lake, files: list[str], done: set[str], table: str) -> Any:
    """The rows of complete loads in ``files``, reduced to the latest per key for a merged table (Arrow)."""
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        if lake.protocol == "file":
            paths = files
        else:
            con.register_filesystem(fs)
            paths = [f"{lake.protocol}://{path}" for path in files]
        con.execute("create temp table complete_loads (load_id varchar)")
        con.executemany("insert into complete_loads values (?)", [[load_id] for load_id in sorted(done)])
        listed = ", ".join("'" + path.replace("'", "''") + "'" for path in paths)
        con.execute(
            f"create temp view complete as select * from read_parquet([{listed}], union_by_name = true) "
            "where _dlt_load_id in (select load_id from complete_loads)")
        return con.sql(_latest_sql(table, "complete")).to_arrow_table()


__all__ = ["Migration", "migrate_lake"]
