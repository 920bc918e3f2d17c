"""The DuckDB warehouse file: where it is, checked writable before anything is created.

The file is ``data/warehouse.duckdb`` by default, so DuckDB names its catalog ``warehouse``, unlike
any schema in it (``ttb_cola`` raw, ``staging``, ``intermediate``, ``marts``, ``snapshots``):
analysts and dlt's own SQL write two-part names such as ``ttb_cola.colas`` and ``marts.dim_brand``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import dlt

from ttb_cola.destinations.resolved_config import with_resolved_config
from ttb_cola.errors import InputError
from ttb_cola.settings import setting

DEFAULT_DUCKDB_PATH = "data/warehouse.duckdb"
#: DuckDB's memory limit for the pipeline's loads (``destination.duckdb.memory_limit``). DuckDB's own
#: default is 80% of the machine's memory, a bound a load's merge into tables that grow with the index
#: could reach; under the limit DuckDB spills to disk instead, and a run's memory stays bounded.
DEFAULT_MEMORY_LIMIT = "256MB"
_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def duckdb_path() -> Path:
    """The DuckDB file of the default destination (``destination.duckdb.credentials``)."""
    configured_path: object = setting("destination.duckdb.credentials")
    return Path(configured_path if isinstance(configured_path, str) else DEFAULT_DUCKDB_PATH)


def warehouse_file() -> Path:
    """The DuckDB file of the default destination, its directory created and checked writable."""
    path = duckdb_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the data directory {path.parent}: {exc.strerror}") from None
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"the data directory {path.parent} is not writable")
    return path


def memory_limit() -> str:
    """The configured ``destination.duckdb.memory_limit`` (e.g. ``256MB``), checked to be a size."""
    value: object = setting("destination.duckdb.memory_limit")
    limit = DEFAULT_MEMORY_LIMIT if value is None else str(value).strip()
    if not _MEMORY_SIZE.fullmatch(limit):
        raise InputError(f"destination.duckdb.memory_limit {limit!r} is not a size such as 512MB or 2GiB")
    return limit


def duckdb_destination(threads: int | None = None) -> tuple[Any, Path]:
    """dlt's DuckDB destination on the checked warehouse file, its connections held to the configured
    memory limit (and to ``threads`` threads when given), and that file's absolute path.

    The credentials are complete here, so they are marked resolved: dlt then hands this one instance,
    and its connection pool, to every client of the pipeline instead of resolving each client's
    credentials again from the config providers (see :mod:`ttb_cola.destinations.load_steps`). The rest
    of the client configuration is resolved once too (:mod:`ttb_cola.destinations.resolved_config`)."""
    from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

    limit = memory_limit()
    path = warehouse_file().resolve()
    settings: dict[str, Any] = {"memory_limit": limit}
    if threads is not None:
        settings["threads"] = threads
    credentials = DuckDbCredentials(str(path), global_config=settings).resolve()
    return with_resolved_config(dlt.destinations.duckdb(credentials=credentials)), path
