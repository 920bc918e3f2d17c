"""Load packages that can never load, moved aside so that they never wedge the pipeline.

A package whose rows the frozen schema contract refuses, whose normalize step fails, whose load job
the destination refuses terminally, or whose load job failed on three runs in a row, fails the same way
on every try; and dlt finishes pending
packages before anything else, so one such package would stop every later run on the destination.
Such a package is copied to ``quarantine/<load_id>/`` in the pipeline's working folder (with
``moved_aside.json``: why, when, and the crawl state it held), then dropped with dlt's
``Pipeline.abort_packages``, which also rewinds the local state to where the package started.

The crawl state goes in the same package as the rows, so nothing is lost: the partitions and
completed dates the package recorded are again as they were before it, and the next run that covers
them crawls them again. Packages newer than the dropped one were built on its state and are moved
aside with it. ``ttb-cola status`` lists what was moved aside (:func:`moved_aside`).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination.exceptions import DestinationTerminalException
from dlt.common.schema.exceptions import DataValidationError
from dlt.load.exceptions import LoadClientJobException, LoadClientJobRetry
from dlt.pipeline.exceptions import PipelineStepFailed

from ttb_cola.clock import utc_now
from ttb_cola.destinations.held import held_file
from ttb_cola.progress import progress_log
from ttb_cola.state_compaction import crawl_view

#: Where a pipeline keeps the packages it moved aside, inside its working folder.
QUARANTINE_FOLDER = "quarantine"
#: The record beside each package moved aside.
RECORD_FILE = "moved_aside.json"
#: Crawl state entries named in the one-line message (the record has them all).
NAMED = 5
#: Tries of one load job, counted across runs, after which an error dlt calls transient is taken to
#: recur (a file the destination cannot read fails so on every try): dlt stops a run's retries at
#: every 5th, so this is the third run in a row that failed the same job.
LASTING_RETRIES = 15


@dataclass
class MovedAside:
    """One load package moved aside: why, when, where it is kept, and the crawl state it held."""

    load_id: str
    reason: str
    moved_at: str
    folder: str
    #: Partition keys and completed dates whose state the package held (crawled again by later runs).
    undone: list[str] = field(default_factory=list)


def lasting_failure(exc: PipelineStepFailed) -> str | None:
    """Why the failed step will fail the same way on every retry (one line), or None when a retry may
    succeed (a held file, the destination unreachable, a disk full)."""
    if held_file(exc):
        return None
    chain = _causes(exc)
    reason = f"{type(chain[-1]).__name__}: {chain[-1]}".splitlines()[0]
    if any(isinstance(one, DataValidationError) for one in chain):
        return f"the schema contract refuses a row ({reason})"
    if exc.step == "normalize" and not any(isinstance(one, (OSError, MemoryError)) for one in chain):
        return f"its normalize step fails ({reason})"
    if exc.step == "load" and any(
        isinstance(one, LoadClientJobException) and isinstance(one, DestinationTerminalException) for one in chain
    ):
        return f"the destination refuses one of its load jobs for good ({reason})"
    if exc.step == "load" and any(
        isinstance(one, LoadClientJobRetry) and one.retry_count >= LASTING_RETRIES for one in chain
    ):
        return f"one of its load jobs failed {LASTING_RETRIES} times or more, over several runs ({reason})"
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    chain = [exc]
    while (inner := chain[-1].__cause__ or getattr(chain[-1], "exception", None)) is not None and inner not in chain:
        chain.append(inner)
    return chain


def _abort(pipeline: dlt.Pipeline, load_id: str | None, dry_run: bool = False) -> Any:
    """dlt's ``abort_packages`` at ``load_id``, or at the oldest pending package when None."""
    if load_id is None:
        return pipeline.abort_packages(dry_run=dry_run)
    return pipeline.abort_packages(load_id, dry_run=dry_run)


def move_aside(pipeline: dlt.Pipeline, load_id: str | None, reason: str) -> list[MovedAside]:
    """Copy the package ``load_id`` (None: every pending package, the oldest first) and the packages
    newer than it into the quarantine folder, drop them and rewind the local state; what was moved."""
    plan = _abort(pipeline, load_id, dry_run=True)
    if plan is None:
        return []
    aborted = [plan["package_to_abort"]["load_id"]] if plan["package_to_abort"] else []
    load_ids = sorted({*aborted, *plan["packages_to_delete"], *plan["extracted_packages_to_delete"]})
    folder = Path(pipeline.working_dir).absolute() / QUARANTINE_FOLDER
    before = _crawl_entries(pipeline.state)
    moved: list[MovedAside] = []
    for one in load_ids:
        kept = folder / one
        why = reason if one == load_ids[0] else f"newer than {load_ids[0]}, built on its crawl state"
        shutil.copytree(pipeline.get_load_package_info(one).package_path, kept / "package", dirs_exist_ok=True)
        moved.append(MovedAside(one, why, utc_now(), str(kept)))
        _write(moved[-1])  # kept before the package is dropped: a crash here loses nothing
    _abort(pipeline, load_id)
    after = _crawl_entries(pipeline.state)
    undone = sorted(key for key, entry in before.items() if after.get(key) != entry)
    for aside in moved:
        aside.undone = undone
        _write(aside)
    named = ", ".join(undone[:NAMED]) + (f" and {len(undone) - NAMED} more" if len(undone) > NAMED else "")
    progress_log.warning(
        f"load package {load_ids[0]} can never load: {reason}; moved aside to {moved[0].folder}"
        + (f" with {len(moved) - 1} newer package(s)" if len(moved) > 1 else "")
        + (f"; its crawl state is undone, the next run that covers them crawls again: {named}" if undone else "")
    )
    return moved


def moved_aside(working_dir: str | Path) -> list[MovedAside]:
    """The packages moved aside in a pipeline's working folder, oldest first."""
    found: list[MovedAside] = []
    for record in sorted((Path(working_dir) / QUARANTINE_FOLDER).glob(f"*/{RECORD_FILE}")):
        try:
            found.append(MovedAside(**{**json.loads(record.read_text(encoding="utf-8")), "folder": str(record.parent)}))
        except (ValueError, TypeError):
            found.append(MovedAside(record.parent.name, f"unreadable record {record}", "", str(record.parent)))
    return found


def _write(one: MovedAside) -> None:
    record = Path(one.folder) / RECORD_FILE
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(asdict(one), indent=1), encoding="utf-8")


def _crawl_entries(state: Any) -> dict[str, Any]:
    """The crawl's partition and completed-date states by name (the ``partitions`` resource's state)."""
    crawl = crawl_view(state.get("sources", {}).get("ttb_cola", {}).get("resources", {}).get("partitions", {}))
    entries = {f"partition {key}": value for key, value in crawl.get("partitions", {}).items()}
    entries.update({f"completed date {day}": value for day, value in crawl.get("searches", {}).items()})
    return entries
