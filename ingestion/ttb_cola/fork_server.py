"""The fork server the reparse's parse workers come from (:mod:`ttb_cola.archive_batches`), started first.

Its interpreter starts and imports what the workers need (pyarrow, the parsers) while the command imports
dlt and resolves its settings, so this module imports nothing heavy itself: the command starts the server
before any of that.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from multiprocessing import forkserver

#: The modules the fork server imports once, for every worker it forks: the parse and the Arrow tables, with
#: pyarrow's compute functions (imported by the first cast of a date column, some 25 ms a worker otherwise).
PRELOAD = ["ttb_cola.archive_batches", "ttb_cola.arrow_batches", "pyarrow.compute"]


def start_fork_server() -> None:
    """Start the fork server the parse workers come from (where there is one), so that its interpreter starts
    and imports :data:`PRELOAD` while the command starts; at most an idle process when no worker is needed.

    The server starts with SIGINT ignored, which it and its workers keep (an ignored signal stays ignored
    across exec, and the server hands its workers the handlers it started with): a Ctrl-C reaches the whole
    foreground process group, and it is the command's to handle; the command then stops the workers."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    forkserver.set_forkserver_preload(PRELOAD)
    if threading.current_thread() is not threading.main_thread():  # only the main thread sets handlers
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


__all__ = ["PRELOAD", "start_fork_server"]
