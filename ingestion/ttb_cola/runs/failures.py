"""A command's failure as one line on stderr and its documented exit status (:mod:`.exit_codes`).

Bad input, the destination's lock held, the registry blocking or down before the run, and a dlt step
that failed (on a file another process holds, damaged or unwritable; on a Ctrl-C; or any other way)
read the same whichever command ran into them: ``ttb-cola COMMAND: what happened``.
"""

from __future__ import annotations

import sys

from ttb_cola.runs.exit_codes import (
    EXIT_BLOCKED,
    EXIT_FAILED,
    EXIT_HELD,
    EXIT_INTERRUPTED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
)


def fail(command: str, status: int, line: str) -> int:
    """Print ``ttb-cola COMMAND: line`` on stderr; ``status``."""
    print(f"ttb-cola {command}: {line}", file=sys.stderr)
    return status


def exit_status(command: str, exc: BaseException, *, files: bool = False, interrupt: str | None = "interrupted") -> int:
    """Report ``exc`` in one line (:func:`fail`) and return its exit status; re-raise an exception of a
    kind not named here.

    A dlt step that failed on a file another process holds, damaged or unwritable gets that file's
    status when ``files``; one a Ctrl-C stopped exits 130 with the line ``interrupt`` (None: it counts
    as any failed step, status 1)."""
    from dlt.common.storages.exceptions import LoadPackageNotFound
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.destinations.lock import LockHeld
    from ttb_cola.runs.file_errors import file_error
    from ttb_cola.runs.preflight import BlockedAtStart, RegistryOutage

    if isinstance(exc, ValueError):  # InputError among them
        return fail(command, EXIT_USAGE, str(exc))
    if isinstance(exc, LockHeld):
        return fail(command, EXIT_HELD, str(exc))
    if isinstance(exc, BlockedAtStart):
        return fail(command, EXIT_BLOCKED, str(exc))
    if isinstance(exc, RegistryOutage):
        return fail(command, EXIT_UNAVAILABLE, f"{exc}; nothing was written, retry later")
    if isinstance(exc, PipelineStepFailed):
        if files and (known := file_error(exc)):
            return fail(command, *known)
        if interrupt is not None and interrupted(exc):  # a second Ctrl-C while dlt normalized or loaded
            return fail(command, EXIT_INTERRUPTED, interrupt)
        return fail(command, EXIT_FAILED, f"the {exc.step} step failed: {root_cause(exc)}")
    if isinstance(exc, LoadPackageNotFound):  # dlt's error path reading a package a killed run left half gone
        return fail(command, EXIT_FAILED,
                    f"{root_cause(exc)} (a package a killed run left incomplete): rerun the command")
    raise exc


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` or one of its causes is a ``KeyboardInterrupt`` (dlt wraps one raised in a step)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def root_cause(exc: BaseException) -> str:
    """The first line of the innermost cause, for one-line error messages."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{type(exc).__name__}: {exc}".splitlines()[0]
