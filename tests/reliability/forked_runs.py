"""``ttb-cola`` runs forked from a process that has already imported the pipeline, for the crash trials.

Each run is a real, separate process (killed with SIGKILL, its exit status and stderr read as a
subprocess's), started without a new interpreter's start-up: about a second of imports per run. The
forking process (this file run as a script) is single-threaded and does nothing but import, then fork
on request: a child starts with the modules loaded and nothing else (no run, no thread, no connection),
sets the run's environment and working directory, arms a kill hook if asked (``kill_at.arm``), runs
``ttb_cola.cli.main`` and exits with its status, as the console script would.

``with fork_server() as forks: run = forks.start(argv, env, stderr=path, hook=spec)``; ``run`` answers
``pid``, ``poll()``, ``wait(timeout)``, ``send_signal(sig)``, ``kill()`` and ``returncode`` like a
``subprocess.Popen``.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

#: Modules a run imports (the DuckDB and the bucket destination), loaded once by the forking process.
PRELOAD = (
    "ttb_cola.cli", "ttb_cola.cli.parser", "ttb_cola.cli.crawl", "ttb_cola.runs.ingest", "ttb_cola.runs.crawl",
    "ttb_cola.runs.pipeline", "ttb_cola.runs.recovery", "ttb_cola.runs.schedule", "ttb_cola.runs.report",
    "ttb_cola.runs.preflight", "ttb_cola.runs.quarantine", "ttb_cola.runs.failures", "ttb_cola.source",
    "ttb_cola.fill.command", "ttb_cola.destinations.warehouse", "ttb_cola.destinations.lake",
    "ttb_cola.destinations.lake_tables", "ttb_cola.destinations.lake_state", "ttb_cola.destinations.state_prune",
    "ttb_cola.destinations.schema_upgrade", "ttb_cola.destinations.materialized", "ttb_cola.scheduler",
    "ttb_cola.probe.runner", "ttb_cola.search.runner", "ttb_cola.parsers.detail", "ttb_cola.parsers.form",
    "dlt", "dlt.pipeline.pipeline", "dlt.extract.extract", "dlt.normalize.normalize", "dlt.load.load",
    "dlt.destinations", "dlt.destinations.impl.duckdb.duck", "dlt.destinations.impl.filesystem.filesystem",
    "dlt.common.libs.pyarrow", "dlt.common.libs.deltalake", "duckdb", "pyarrow.parquet", "pyarrow.compute",
    "deltalake", "s3fs",
)


class Forked:
    """One forked run, answering like a ``subprocess.Popen``."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self._server = server
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit status (negative: the signal that ended it), or None while it runs."""
        if self.returncode is None:
            self.returncode = self._server.exit_status(self.pid, timeout=0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the run to end; ``subprocess.TimeoutExpired`` after ``timeout`` seconds."""
        if self.returncode is None:
            self.returncode = self._server.exit_status(self.pid, timeout=timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"forked run {self.pid}", timeout or 0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """Send ``sig`` to the run (nothing once it has ended)."""
        if self.poll() is None:
            with suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL the run."""
        import signal

        self.send_signal(signal.SIGKILL)


class ForkServer:
    """The test's side of the forking process: requests go to its stdin, pids and exit statuses come back."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        bufsize=0)
        self._buffer = b""
        self._exits: dict[int, int] = {}
        ready = self._message(timeout=300)
        assert ready == {"ready": True}, ready

    def _message(self, timeout: float | None) -> dict[str, Any] | None:
        """The next line the server wrote, or None if none came within ``timeout`` seconds."""
        assert self.process.stdout is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.process.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError(f"the fork server ended (exit {self.process.wait()})")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def start(self, argv: list[str], env: dict[str, str], stderr: Path, hook: str | None = None,
              cwd: Path | None = None) -> Forked:
        """Fork a run of ``ttb-cola argv`` with exactly ``env``, its stderr written to ``stderr``."""
        assert self.process.stdin is not None
        request = {"argv": argv, "env": env, "stderr": str(stderr), "hook": hook,
                   "cwd": str(cwd or Path(__file__).resolve().parents[2])}
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        started = self._message(timeout=300)
        assert started is not None and "pid" in started, started
        return Forked(self, int(started["pid"]))

    def exit_status(self, pid: int, timeout: float | None) -> int | None:
        """``pid``'s exit status once the server reaped it, waiting at most ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while pid not in self._exits:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            message = self._message(timeout=left)
            if message is None:
                return None
            self._exits[int(message["exited"])] = int(message["returncode"])
        return self._exits[pid]

    def close(self) -> None:
        """End the server (its stdin closed, it exits once its last run ended)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


@contextmanager
def fork_server() -> Iterator[ForkServer]:
    """A forking process for the block."""
    server = ForkServer()
    try:
        yield server
    finally:
        server.close()


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become the run, then exit with its status (never returns)."""
    import atexit
    import signal
    import traceback

    status = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDWR)
        err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(err, 2)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.argv = ["ttb-cola", *request["argv"]]
        if request["hook"]:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from kill_at import arm

            arm(request["hook"])
        from ttb_cola.cli import main

        status = main(request["argv"])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # what an uncaught exception prints in a real process
        traceback.print_exc()
        status = 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


def _serve() -> None:
    """Import, then fork one run per request line of stdin until it closes; report pids and exit statuses."""
    import importlib
    import threading

    for name in PRELOAD:
        importlib.import_module(name)
    assert threading.active_count() == 1, "a preloaded module started a thread: forking would not be safe"
    out = sys.stdout.buffer

    def say(message: dict[str, Any]) -> None:
        out.write(json.dumps(message).encode() + b"\n")
        out.flush()

    say({"ready": True})
    for line in sys.stdin.buffer:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        say({"pid": pid})
        _, status = os.waitpid(pid, 0)
        say({"exited": pid, "returncode": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    _serve()
