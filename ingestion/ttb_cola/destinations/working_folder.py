"""The pipeline's local working folder: one per destination, its state always the destination's.

dlt keeps a pipeline's working state (the crawl state, schemas, pending load packages) in
``<pipelines_dir>/<pipeline_name>``, and restores the state a destination holds (``_dlt_pipeline_state``)
only when that state's version is not lower than the local one's. A folder keyed by the pipeline name
alone was shared by every warehouse file: after more runs on file A than on file B, B's runs used A's
state, skipped partitions settled in A only, and B never got their COLAs. Two rules keep a run on a
destination acting on that destination's state only:

- By default (no ``--pipelines-dir``) the folder follows the destination: one per warehouse file (its
  resolved absolute path) and one per bucket (URL, endpoint and dataset), under dlt's pipelines
  directory (``~/.dlt/pipelines/ttb_cola-destinations/``).
- Before a run acts on the state, the local state must be the one the destination holds last. When it
  is not (a folder shared by two destinations, a file deleted or copied back from a backup), the local
  copy is dropped and the destination's restored. Pending load packages are loaded only into the
  destination whose state they continue; otherwise the folder is moved aside, kept for diagnosis: the
  partitions they held are not settled in the destination's state, so the next crawl of their dates
  fetches them again.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination.client import WithStateSync
from dlt.common.destination.exceptions import DestinationUndefinedEntity
from dlt.common.pipeline import get_dlt_pipelines_dir
from dlt.common.storages import LoadStorage
from dlt.common.versioned_state import decompress_state

from ttb_cola.progress import progress_log

#: Under dlt's pipelines directory: one working folder per destination.
FOLDERS = "ttb_cola-destinations"
#: File in the working folder: the version hash of the destination's state the pending packages continue.
BASE_FILE = "ttb_cola_destination_state"


def destination_folder(kind: str, identity: str, label: str = "") -> str:
    """The default pipelines directory of one destination: ``<kind>-<label>-<hash of identity>``."""
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_.")
    return os.path.join(get_dlt_pipelines_dir(), FOLDERS, "-".join(p for p in (kind, safe, digest) if p))


def destination_state(pipeline: dlt.Pipeline) -> dict[str, Any] | None:
    """The newest pipeline state the destination holds for this pipeline (None: none, or no dataset yet)."""
    try:
        with pipeline.destination_client() as client:
            stored = client.get_stored_state(pipeline.pipeline_name) if isinstance(client, WithStateSync) else None
    except (DestinationUndefinedEntity, FileNotFoundError):
        return None
    return decompress_state(stored.state) if stored else None


#: dlt's load volume inside a pipeline's working folder (``Pipeline._load_storage_config``), and its folders.
LOAD_FOLDER = "load"
LOAD_VOLUME_FOLDERS = (LoadStorage.NEW_PACKAGES_FOLDER, LoadStorage.NORMALIZED_FOLDER, LoadStorage.LOADED_FOLDER)


def complete_load_volume(pipeline: dlt.Pipeline) -> list[str]:
    """Make the folders a killed run left the pipeline's load volume without; their names.

    dlt makes its load volume, marks it ready (its version file), and only then makes the folders packages
    move through (``LoadStorage.initialize_storage``). A SIGKILL in between leaves a ready volume without one
    of them, and every later listing of its packages fails (``pipeline.has_pending_data`` too). A missing
    folder held nothing, so it is made, empty, as dlt makes it."""
    volume = Path(pipeline.working_dir) / LOAD_FOLDER
    if not volume.is_dir():
        return []  # not made yet: dlt makes it whole
    missing = [name for name in LOAD_VOLUME_FOLDERS if not (volume / name).is_dir()]
    for name in missing:
        (volume / name).mkdir()
        progress_log.warning(f"dlt's load volume: made its {name} folder, which an interrupted run left unmade")
    return missing


def aligned_pipeline(open_pipeline: Callable[[], dlt.Pipeline]) -> dlt.Pipeline:
    """The pipeline ``open_pipeline`` opens, its local state the destination's (see the module docstring), its
    load volume completed first (:func:`complete_load_volume`)."""
    pipeline = open_pipeline()
    complete_load_volume(pipeline)
    remote = destination_state(pipeline)
    remote_hash = remote.get("_version_hash") if remote else None
    # a folder never run holds dlt's empty state, which has a hash too: it is no state of a destination
    local_hash = None if pipeline.first_run else pipeline.state.get("_version_hash")
    if pipeline.has_pending_data:
        if remote_hash in (_base(pipeline), local_hash):
            return pipeline  # they continue the destination's state: finish_pending loads them
        aside = Path(pipeline.pipelines_dir) / f"{pipeline.pipeline_name}.set-aside-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
        Path(pipeline.working_dir).rename(aside)
        progress_log.warning(
            f"the working folder held load packages built on a crawl state this destination does not hold "
            f"(another destination's, or the destination was replaced): moved aside to {aside}; the state is "
            "taken from the destination and the dates of those packages are crawled again")
        pipeline = open_pipeline()
    elif local_hash == remote_hash:
        _remember_base(pipeline)
        return pipeline
    else:
        if local_hash is not None:  # a fresh folder takes the destination's state silently
            progress_log.warning(
                f"the local crawl state in {pipeline.working_dir} is not the one the destination holds "
                "(another destination's, or the destination was replaced): taking the destination's")
        pipeline.drop()
    pipeline.sync_destination()
    _remember_base(pipeline)
    return pipeline


def _base(pipeline: dlt.Pipeline) -> str | None:
    """The destination state noted by :func:`_remember_base` (None: none noted)."""
    path = Path(pipeline.working_dir) / BASE_FILE
    return (path.read_text(encoding="utf-8").strip() or None) if path.exists() else None


def _remember_base(pipeline: dlt.Pipeline) -> None:
    """Note the state the destination holds now (the local one): packages this run leaves pending continue it.

    A file of ours rather than dlt's local state, so dlt's own state writes stay as they were."""
    version_hash = pipeline.state.get("_version_hash")
    if not version_hash or _base(pipeline) == version_hash:
        return
    path = Path(pipeline.working_dir) / BASE_FILE
    partial = path.with_name(path.name + ".partial")
    partial.write_text(version_hash, encoding="utf-8")
    os.replace(partial, path)
