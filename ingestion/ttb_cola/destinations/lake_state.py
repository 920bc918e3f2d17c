"""The crawl state as the lake's last *complete* load left it (``status`` on the filesystem destination).

dlt restores a pipeline's state from the newest file in ``_dlt_pipeline_state/``, whether or not its
load finished; a killed run can leave a state file behind with no ``_dlt_loads`` row. Readers of the
lake keep only loads that ``_dlt_loads`` marks complete (status 0). Read with s3fs/fsspec from dlt's
documented filesystem layout (``_dlt_loads/*.jsonl``, ``_dlt_pipeline_state/<pipeline>__<load_id>__...``),
so no DuckDB extension is downloaded.
"""

from __future__ import annotations

import json
from typing import Any

import fsspec
from dlt.common.versioned_state import decompress_state

from ttb_cola.destinations.lake import checked_lake
from ttb_cola.state_compaction import crawl_view


def _jsonl(fs: fsspec.AbstractFileSystem, path: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in fs.cat_file(path).decode("utf-8").splitlines() if line.strip()]


def completed_loads(fs: fsspec.AbstractFileSystem, dataset: str) -> set[str]:
    """Load ids that ``_dlt_loads`` marks complete."""
    return {row["load_id"] for path in fs.glob(f"{dataset}/_dlt_loads/*.jsonl") for row in _jsonl(fs, path)
            if row.get("status") == 0}


def completed_state(pipeline_name: str, dataset_name: str) -> dict[str, Any]:
    """The pipeline state of the newest complete load in the lake ({} when there is none)."""
    lake = checked_lake()
    fs, root = fsspec.core.url_to_fs(lake.bucket_url, **lake.storage_options())
    dataset = f"{root.rstrip('/')}/{dataset_name}"
    done = completed_loads(fs, dataset)
    candidates = []
    for path in fs.glob(f"{dataset}/_dlt_pipeline_state/*"):
        parts = path.rsplit("/", 1)[-1].split("__")
        if len(parts) >= 3 and parts[0] == pipeline_name and parts[1] in done:
            candidates.append((float(parts[1]), path))
    if not candidates:
        return {}
    rows = _jsonl(fs, max(candidates)[1])
    return decompress_state(rows[0]["state"]) if rows else {}


def completed_crawl_state(pipeline: Any) -> dict[str, Any]:
    """The crawl's resource state (partitions, searches, parked COLAs) as of the newest complete load, unpacked."""
    state = completed_state(pipeline.pipeline_name, pipeline.dataset_name)
    resources = state.get("sources", {}).get("ttb_cola", {}).get("resources", {})
    return crawl_view(resources.get("partitions", {}))
