"""What the serve, MCP and alerts tests share besides their fixtures (tests/serve/conftest.py): the published
warehouse's days, the command, a free port and the API run as a process. Imported by name (a test never imports
``conftest``, which names a different module in each test folder)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest_helpers import ROOT  # noqa: E402
from ports import free_port  # noqa: E402
from shared_builds import PUBLISHED_DAY, PUBLISHED_TODAY  # noqa: E402

DAY = PUBLISHED_DAY
TODAY = PUBLISHED_TODAY
TTB_COLA = str(Path(sys.executable).with_name("ttb-cola"))


@dataclass
class Published:
    """The built warehouse, its published file and a user's watchlist file with its expected matches."""

    root: Path
    warehouse: Path
    path: Path
    watchlist: Path
    expected: set[tuple[str, str]]

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of ``sql`` on the published file, read directly (not through the code under test)."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            result = con.execute(sql, params or [])
            names = [c[0] for c in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


@contextmanager
def running_api(published: Published, watchlist: Path) -> Iterator[str]:
    """`ttb-cola serve` over the published file with ``watchlist``, as a real process on loopback; yields its
    base URL."""
    port = free_port()
    process = subprocess.Popen([TTB_COLA, "serve", "--duckdb", str(published.path), "--port", str(port),
                                "--watchlist", str(watchlist)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the API did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


__all__ = ["DAY", "ROOT", "TODAY", "TTB_COLA", "Published", "running_api"]
