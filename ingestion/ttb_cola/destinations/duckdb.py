"""The DuckDB warehouse file: where it is, checked writable before anything is created.

The file is ``data/warehouse.duckdb`` by default, so DuckDB names its catalog ``warehouse``, unlike
any schema in it (``ttb_cola`` raw, ``staging``, ``intermediate``, ``marts``, ``snapshots``):
analysts and dlt's own SQL write two-part names such as ``ttb_cola.colas`` and ``marts.dim_brand``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dlt

from ttb_cola.errors import InputError

DEFAULT_DUCKDB_PATH = "data/warehouse.duckdb"


def duckdb_path() -> Path:
    """The DuckDB file of the default destination (``destination.duckdb.credentials``)."""
    configured_path: object = dlt.config.get("destination.duckdb.credentials")
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


def duckdb_destination() -> tuple[Any, Path]:
    """dlt's DuckDB destination on the checked warehouse file, and that file's absolute path."""
    path = warehouse_file().resolve()
    return dlt.destinations.duckdb(credentials=str(path)), path
