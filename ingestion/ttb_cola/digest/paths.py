"""Where the warehouse DuckDB file is: the one place that decides it for the digest and the report.

They read the published copy of the dev marts (``data/analytics.duckdb``, written by ``make build``)
when it is there, so a digest never waits for, nor stops, an ingest or a build on the warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Default DuckDB files, relative to the working directory, per dbt target (see profiles.yml).
DEFAULT_PATHS = {"dev": Path("data/warehouse.duckdb"), "s3": Path("data/ttb_cola_lake.duckdb")}
#: The dev file's name before the layout change; read when it is the only one there.
LEGACY_DEV_PATH = Path("data/ttb_cola.duckdb")
#: dbt's own variables for those files (profiles.yml).
ENV_VARS = {"dev": "TTB_COLA_DUCKDB", "s3": "TTB_COLA_LAKE_DUCKDB"}


class WarehouseNotFound(Exception):
    """The warehouse file does not exist (nothing was built yet)."""


def warehouse_path(target: str = "dev", explicit: str | Path | None = None, must_exist: bool = True) -> Path:
    """The DuckDB file the marts of ``target`` (dev or s3) were built into.

    An explicit path wins, then the target's environment variable (``TTB_COLA_DUCKDB`` or
    ``TTB_COLA_LAKE_DUCKDB``), then ``data/warehouse.duckdb`` / ``data/ttb_cola_lake.duckdb``.

    Raises:
        ValueError: an unknown target.
        WarehouseNotFound: ``must_exist`` and the file is missing.
    """
    if target not in DEFAULT_PATHS:
        raise ValueError(f"unknown target {target!r} (dev or s3)")
    chosen = explicit or os.environ.get(ENV_VARS[target]) or DEFAULT_PATHS[target]
    if chosen == DEFAULT_PATHS["dev"] and not Path(chosen).exists() and LEGACY_DEV_PATH.is_file():
        chosen = LEGACY_DEV_PATH
    path = Path(chosen).expanduser()
    if must_exist and not path.is_file():
        raise WarehouseNotFound(f"no warehouse file at {path} (run `make build` first, or pass --duckdb)")
    return path


def marts_path(target: str = "dev", explicit: str | Path | None = None) -> Path:
    """The DuckDB file to read the marts of ``target`` from: an explicit path or ``TTB_COLA_DUCKDB`` as
    :func:`warehouse_path`, else for dev the published ``analytics.duckdb`` beside the warehouse when it
    exists, else the warehouse file itself.

    Raises:
        ValueError: an unknown target.
        WarehouseNotFound: no such file.
    """
    from ttb_cola.destinations.local_marts import published_file

    if target == "dev" and not explicit and not os.environ.get(ENV_VARS[target]):
        published = published_file(DEFAULT_PATHS[target])
        if published.is_file():
            return published
    return warehouse_path(target, explicit)
