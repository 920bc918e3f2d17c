"""Old copies of the pipeline state pruned from the destination after each load.

dlt writes a full copy of the pipeline state to ``_dlt_pipeline_state`` with every load that changed
it, and restores only one: on DuckDB the newest row whose load ``_dlt_loads`` marks complete
(``status = 0``), on the lake the newest file (which may belong to a load that never finished: see
:mod:`ttb_cola.destinations.lake_state`, which reads the newest complete one). Neither the per-destination
state check (:mod:`ttb_cola.destinations.working_folder`: the destination's newest state against the
local one) nor dropping a package that can never load (:mod:`ttb_cola.runs.quarantine`: dlt rewinds
the local state from the package itself) reads an older copy.

So after a load, the copies of this pipeline older than the newest complete load's are deleted; that
one and every newer copy (of a load not finished yet, which a later run may finish) are kept. Crash
safe: nothing is deleted before the load that supersedes it is complete, a kill part way through
leaves older copies only, and a prune that fails is retried after the next load.
"""

from __future__ import annotations

from typing import Any

import dlt
import fsspec

from ttb_cola.destinations.lake import Lake
from ttb_cola.destinations.lake_state import completed_loads

#: dlt's tables (and lake folders) of the state copies and of the loads.
STATE_TABLE = "_dlt_pipeline_state"
LOADS_TABLE = "_dlt_loads"


def prune_state_copies(pipeline: dlt.Pipeline, lake: Lake | None = None) -> int:
    """Delete this pipeline's state copies older than the newest complete load's; how many went."""
    if lake is not None:
        return _prune_lake(pipeline, lake)
    return _prune_sql(pipeline)


def _prune_sql(pipeline: dlt.Pipeline) -> int:
    with pipeline.sql_client() as client:
        state = client.make_qualified_table_name(STATE_TABLE)
        loads = client.make_qualified_table_name(LOADS_TABLE)
        newest = (
            f"SELECT max(s._dlt_load_id) FROM {state} AS s JOIN {loads} AS l ON l.load_id = s._dlt_load_id "
            "WHERE s.pipeline_name = %s AND l.status = 0"
        )
        rows = client.execute_sql(
            f"DELETE FROM {state} WHERE pipeline_name = %s AND _dlt_load_id < ({newest}) RETURNING 1",
            pipeline.pipeline_name, pipeline.pipeline_name,
        )
    return len(rows or [])


def state_files(fs: fsspec.AbstractFileSystem, dataset: str, pipeline_name: str) -> list[tuple[float, str]]:
    """(load id, path) of each state file of ``pipeline_name`` in the lake dataset folder ``dataset``."""
    found = []
    for path in fs.glob(f"{dataset}/{STATE_TABLE}/*"):
        parts = path.rsplit("/", 1)[-1].split("__")
        if len(parts) >= 3 and parts[0] == pipeline_name:
            found.append((float(parts[1]), path))
    return sorted(found)


def lake_dataset(lake: Lake, dataset_name: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The lake's filesystem and the path of the dataset folder ``dataset_name`` in it."""
    fs, root = fsspec.core.url_to_fs(lake.bucket_url, **lake.storage_options())
    return fs, f"{root.rstrip('/')}/{dataset_name}"


def _prune_lake(pipeline: dlt.Pipeline, lake: Lake) -> int:
    fs, dataset = lake_dataset(lake, pipeline.dataset_name)
    done = {float(load_id) for load_id in completed_loads(fs, dataset)}
    files = state_files(fs, dataset, pipeline.pipeline_name)
    complete = [load_id for load_id, _ in files if load_id in done]
    if not complete:
        return 0
    old = [path for load_id, path in files if load_id < max(complete)]
    if old:
        fs.rm(old)
    return len(old)


def state_copies(pipeline: dlt.Pipeline, lake: Lake | None = None) -> tuple[int, int]:
    """How many copies of this pipeline's state the destination holds, and their bytes (stored form)."""
    if lake is not None:
        fs, dataset = lake_dataset(lake, pipeline.dataset_name)
        files = state_files(fs, dataset, pipeline.pipeline_name)
        return len(files), sum(int(fs.size(path)) for _, path in files)
    with pipeline.sql_client() as client:
        rows: Any = client.execute_sql(
            f"SELECT count(*), coalesce(sum(strlen(state)), 0) FROM {client.make_qualified_table_name(STATE_TABLE)} "
            "WHERE pipeline_name = %s", pipeline.pipeline_name,
        )
    return int(rows[0][0]), int(rows[0][1])
