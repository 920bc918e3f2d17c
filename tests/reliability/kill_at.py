"""Run ``ttb-cola`` with a SIGKILL armed at one exact moment inside dlt, for the crash trials.

``python tests/reliability/kill_at.py SPEC ttb-cola-args...`` where SPEC is
``module:Class.method:when:nth[:where[:removals]]``: the process kills itself (SIGKILL, nothing is
flushed or cleaned up) on the ``nth`` call of the method, ``before`` or ``after`` it runs, or
``during`` it after ``removals`` file or folder deletions (an interrupted ``rmtree``, e.g. in
``PackageStorage.delete_package``). ``where`` keeps only calls whose storage path contains it (e.g.
``normalize/extracted``; empty: every call). The crash trials call :func:`arm` in a run forked by
``forked_runs.py``.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def _storage_path(args: tuple[Any, ...]) -> str:
    storage = getattr(args[0], "storage", None) if args else None
    return str(getattr(storage, "storage_path", ""))


def _removals_then_kill(removals: int) -> None:
    """Let ``removals`` file or folder deletions happen, then kill at the next one."""
    done = 0

    def counted(original: Callable[..., Any]) -> Callable[..., Any]:
        def remove(*args: Any, **kwargs: Any) -> Any:
            nonlocal done
            if done >= removals:
                os.kill(os.getpid(), signal.SIGKILL)
            done += 1
            return original(*args, **kwargs)

        return remove

    os.unlink = counted(os.unlink)
    os.rmdir = counted(os.rmdir)


def arm(spec: str) -> None:
    """Patch the method named by ``spec`` to kill this process at the given moment."""
    module, attr, when, nth, *rest = spec.split(":")
    where = rest[0] if rest else ""
    owner: Any = importlib.import_module(module)
    *path, name = attr.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    calls = 0

    def armed(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if where not in _storage_path(args):
            return original(*args, **kwargs)
        calls += 1
        hit = calls == int(nth)
        if hit and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        if hit and when == "during":
            _removals_then_kill(int(rest[1]))
        result = original(*args, **kwargs)
        if hit and when in ("after", "during"):
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, armed)


if __name__ == "__main__":
    arm(sys.argv[1])
    from ttb_cola.cli import main

    sys.argv = ["ttb-cola", *sys.argv[2:]]
    sys.exit(main())
