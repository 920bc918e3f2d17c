"""Expensive artefacts built once per test session and copied to each test module that reads them.

Under pytest-xdist every worker is its own process: the first worker to ask builds the artefact into
the session's shared temp folder while holding a file lock, the others wait on the lock and then copy.
A module that changes its warehouse (a snapshot, a digest's files) works on its own copy.
"""

from __future__ import annotations

import fcntl
import importlib.util
import pickle
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from digest_helpers import ROOT, dbt_build, dbt_command

#: The dev dataset every dev-warehouse test reads: about 3,000 COLAs over ten receipt dates.
DEV_ROWS, DEV_DAYS = 3000, 10
#: The published dataset the serve, alerts, MCP and image-model tests read: these methods of one receipt
#: date, from the simulator with this seed as of ``PUBLISHED_TODAY``.
PUBLISHED_SEED, PUBLISHED_DAY, PUBLISHED_TODAY, PUBLISHED_METHODS = 9, date(2025, 6, 16), date(2025, 6, 30), "001,002"


def _make_dev_data() -> Callable[..., dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("make_dev_data", ROOT / "transform" / "scripts" / "make_dev_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_dev_data


def shared_root(factory: pytest.TempPathFactory) -> Path:
    """The folder every xdist worker of this session sees (the base temp itself without xdist)."""
    base = factory.getbasetemp()
    return base.parent if base.name.startswith("popen-gw") else base


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], dict[str, Any]]) -> tuple[Path, dict]:
    """``build(folder)`` run once per session for ``name``; its folder and the summary it returned."""
    folder = shared_root(factory) / f"shared-{name}"
    done = folder / "summary.pickle"
    with _locked(shared_root(factory) / f"shared-{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            summary = build(folder)
            done.write_bytes(pickle.dumps(summary))
    return folder, pickle.loads(done.read_bytes())


def _build_dev_warehouse(folder: Path) -> dict[str, Any]:
    summary = _make_dev_data()(folder / "warehouse.duckdb", rows=DEV_ROWS, days=DEV_DAYS)
    log = dbt_build(folder / "warehouse.duckdb", folder / "dbt")
    (folder / "build.log").write_text(log)
    return summary


def dev_warehouse(factory: pytest.TempPathFactory, into: Path) -> tuple[Path, dict[str, Any], str]:
    """A copy, in ``into``, of the session's dev warehouse (make_dev_data.py, then `dbt build`): the file,
    make_dev_data's summary and the build's log."""
    folder, summary = once(factory, "dev-warehouse", _build_dev_warehouse)
    into.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("warehouse.duckdb*"):
        shutil.copy2(path, into / path.name)
    return into / "warehouse.duckdb", summary, (folder / "build.log").read_text()


def dev_docs(factory: pytest.TempPathFactory) -> Path:
    """The session's `dbt docs generate` site (index.html, manifest.json, catalog.json) of the dev warehouse."""

    def generate(folder: Path) -> dict[str, Any]:
        db, _, _ = dev_warehouse(factory, folder / "db")
        done = dbt_command(db, folder / "dbt", "docs", "generate")
        (folder / "docs.log").write_text(done)
        return {"target": str(folder / "dbt" / "target")}

    _, summary = once(factory, "dev-docs", generate)
    return Path(summary["target"])


def _build_published(folder: Path) -> dict[str, Any]:
    from ingest_helpers import Warehouse
    from sim_server import running_simulator

    from ttb_cola.cli import main

    day, today = PUBLISHED_DAY.isoformat(), PUBLISHED_TODAY.isoformat()
    with running_simulator(seed=PUBLISHED_SEED, as_of=PUBLISHED_TODAY) as sim, pytest.MonkeyPatch.context() as patch:
        warehouse = Warehouse(folder, patch)
        assert warehouse.ingest(sim.base_url, "--date", day, "--methods", PUBLISHED_METHODS, today=PUBLISHED_TODAY) == 0
        assert main(["images", "--date", day, "--today", today, "--base-url", sim.base_url,
                     "--requests-per-second", "0", "--images-url", str(folder / "images"), "--which", "all",
                     "--pipelines-dir", str(warehouse.pipelines), "--quiet"]) == 0
    (folder / "build.log").write_text(dbt_build(warehouse.db, folder / "dbt", unit_tests=False))
    assert main(["publish", "--duckdb", str(warehouse.db)]) == 0
    return {"warehouse": str(warehouse.db.relative_to(folder))}


def published_warehouse(factory: pytest.TempPathFactory, into: Path) -> tuple[Path, Path, str]:
    """Copies, in ``into``, of the session's published warehouse: ``PUBLISHED_METHODS`` of ``PUBLISHED_DAY``
    ingested from the simulator, their label images read (`ttb-cola images --which all`, the files stored in
    the shared folder the rows point to), `dbt build` (its unit tests left out: ``NO_UNIT_TESTS``), then
    `ttb-cola publish`. Returns the warehouse file,
    the published ``analytics.duckdb`` beside it and the build's log."""
    folder, summary = once(factory, "published", _build_published)
    built = folder / summary["warehouse"]
    into.mkdir(parents=True, exist_ok=True)
    for path in [*built.parent.glob("warehouse.duckdb*"), *built.parent.glob("analytics.duckdb*")]:
        shutil.copy2(path, into / path.name)
    return into / "warehouse.duckdb", into / "analytics.duckdb", (folder / "build.log").read_text()
