"""Before a run: repair what a killed run left in the pipeline's working folder, then load what it committed.

dlt's normalize step commits a package by renaming its complete normalized copy into
``load/normalized/`` (one atomic rename), and only then deletes the extracted copy in
``normalize/extracted/`` file by file (``dlt/normalize/normalize.py``, ``Normalize.spool_files``: "files
must be renamed and deleted together"). A SIGKILL between the two, or in the middle of the delete, leaves
the same load id in both places. ``Pipeline.run`` sees an extracted package and normalizes it again: the
rename onto the committed copy fails ("Directory not empty"), or the half-deleted copy lacks its
schema or job files, and every later run fails the same way. The committed copy holds everything, so
the leftover extracted copy is removed and the committed package is loaded, never dropped.

A pending package is then finished here, before the source is extracted: ``Pipeline.run`` with pending
packages loads them and returns without extracting its data, which would end the chunk without
crawling it. A package that fails in a way that will recur (:func:`~ttb_cola.runs.quarantine.lasting_failure`)
is moved aside (:mod:`ttb_cola.runs.quarantine`) and the run goes on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.common.storages import NormalizeStorage
from dlt.pipeline.exceptions import PipelineStepFailed

from ttb_cola.progress import progress_log
from ttb_cola.runs.quarantine import lasting_failure, move_aside

#: dlt's normalize volume inside a pipeline's working folder (``Pipeline._normalize_storage_config``).
NORMALIZE_FOLDER = "normalize"


def leftover_extracted_packages(pipeline: dlt.Pipeline) -> list[str]:
    """Extracted packages whose normalized copy was already committed (pending or loaded)."""
    committed = {*pipeline.list_normalized_load_packages(), *pipeline.list_completed_load_packages()}
    return [load_id for load_id in pipeline.list_extracted_load_packages() if load_id in committed]


def remove_leftover_extracted_packages(pipeline: dlt.Pipeline) -> list[str]:
    """Delete the extracted copies of committed packages (see the module docstring); their load ids."""
    leftovers = leftover_extracted_packages(pipeline)
    extracted = Path(pipeline.working_dir) / NORMALIZE_FOLDER / NormalizeStorage.EXTRACTED_FOLDER
    for load_id in leftovers:
        shutil.rmtree(extracted / load_id)
        progress_log.warning(f"load package {load_id}: removed the extracted copy an interrupted run left "
                             "beside its committed normalized copy")
    return leftovers


def finish_pending(pipeline: dlt.Pipeline) -> LoadInfo | None:
    """Repair, then normalize and load the packages a previous run left pending, moving aside any that
    can never load; None when nothing was loaded."""
    remove_leftover_extracted_packages(pipeline)
    info: LoadInfo | None = None
    while pipeline.has_pending_data:  # each pass loads what is pending or moves one package (and newer) aside
        progress_log.info("finishing the load packages an interrupted run left pending")
        try:
            if pipeline.list_normalized_load_packages():  # older than any extracted one: loaded first
                info = pipeline.load()
            if pipeline.list_extracted_load_packages():
                pipeline.normalize()
                info = pipeline.load()
            return info
        except PipelineStepFailed as exc:
            reason = lasting_failure(exc)
            if reason is None:
                raise
            if exc.step == "normalize" and pipeline.list_normalized_load_packages():
                info = pipeline.load()  # the older packages normalize committed before the failing one
            if not move_aside(pipeline, exc.load_id if exc.step == "load" else None, reason):
                raise  # nothing left to move: never loop
    return info
