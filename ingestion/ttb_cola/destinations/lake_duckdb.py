"""A DuckDB connection that reads the lake's Delta tables: the dbt ``s3`` target's plugin (``profiles.yml``).

DuckDB's ``delta`` and ``httpfs`` extensions come from their Python wheels (``duckdb-extension-delta``,
``duckdb-extension-httpfs``, pinned to the installed DuckDB), loaded from the file each wheel ships, so
nothing is downloaded at run time. The bucket's credentials are dlt's (``[destination.filesystem]``, the
``DESTINATION__FILESYSTEM__*`` variables, else boto's default chain), handed to DuckDB as a temporary S3
secret: never written to a file, a log or the profile. The bucket URL is resolved the same way (from
``.dlt/secrets.toml``, ``.dlt/config.toml`` or the environment, as ingestion does) and handed to DuckDB as the
variable ``ttb_cola_lake_root``, which the ``ttb`` source's ``external_location`` reads; dlt looks for ``.dlt/``
in the repository root (where ``profiles.yml`` lives) whichever directory dbt was started from.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dlt
import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from dlt.common.configuration.providers.toml import SettingsTomlProvider

from ttb_cola.destinations.lake import Lake, resolve_lake

EXTENSIONS = ("httpfs", "delta")
SECRET_NAME = "ttb_cola_lake"
#: The DuckDB variable holding the lake's root (``getvariable('ttb_cola_lake_root')`` in the sources).
ROOT_VARIABLE = "ttb_cola_lake_root"
#: Names of the providers reading the repo root's ``.dlt/`` files (see :func:`use_settings_of`).
REPO_PROVIDER_PREFIX = "repo root "


def extension_file(name: str) -> Path:
    """The ``<name>.duckdb_extension`` file of the ``duckdb-extension-<name>`` wheel for this DuckDB."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"DuckDB's {name} extension is not installed: pip install duckdb-extension-{name}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}"
    path = folder / f"{name}.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(f"duckdb-extension-{name} has no build for DuckDB {duckdb.__version__} ({folder})")
    return path


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def s3_secret_sql(lake: Lake) -> str:
    """``CREATE SECRET`` for the lake's bucket with dlt's credentials (it holds the secret: never print it)."""
    credentials = lake.aws_credentials()
    session = credentials.to_session_credentials()
    options = {
        "type": "s3",
        "key_id": session.get("aws_access_key_id"),
        "secret": session.get("aws_secret_access_key"),
        "session_token": session.get("aws_session_token"),
        "region": credentials.region_name,
    }
    if credentials.endpoint_url:  # an S3-compatible store (MinIO, R2, moto): path-style URLs
        endpoint = urlparse(credentials.endpoint_url)
        options.update(endpoint=endpoint.netloc, url_style="path", use_ssl="true" if endpoint.scheme == "https"
                       else "false")
    body = ", ".join(f"{k} {v if k in ('type', 'use_ssl') else _quoted(v)}" for k, v in options.items() if v)
    url = urlparse(lake.bucket_url)
    return f"create or replace temporary secret {SECRET_NAME} ({body}, scope {_quoted(f's3://{url.netloc}')})"


def lake_root(lake: Lake) -> str:
    """The lake's root as DuckDB's readers take it: the bucket URL, or a plain path for ``file://``."""
    return lake.bucket_url.rstrip("/").removeprefix("file://")


def use_settings_of(repo_root: Path) -> None:
    """Read dlt's settings also from ``repo_root/.dlt/`` (unless ``DLT_PROJECT_DIR`` says otherwise), as
    ingestion does: dbt may run from ``transform/``, where dlt's own TOML providers find no ``.dlt/``.

    The repo's two files are registered as extra providers (``dlt.config.register_provider``), after the
    environment and the working directory's files, under names of their own.
    """
    if os.environ.get("DLT_PROJECT_DIR") or not (repo_root / ".dlt").is_dir():
        return
    if (Path.cwd() / ".dlt").resolve() == (repo_root / ".dlt").resolve():
        return
    settings = str(repo_root / ".dlt")
    for accessor, file_name, secret in ((dlt.secrets, "secrets.toml", True), (dlt.config, "config.toml", False)):
        name = f"{REPO_PROVIDER_PREFIX}{file_name}"
        if name not in [provider.name for provider in accessor.config_providers]:
            accessor.register_provider(SettingsTomlProvider(name, secret, file_name, [settings]))


def root_variable_sql(root: str) -> str:
    """``SET VARIABLE`` of the lake's root: per DuckDB connection, so it is set on every cursor dbt opens."""
    return f"set variable {ROOT_VARIABLE} = {_quoted(root)}"


def configure(conn: duckdb.DuckDBPyConnection, repo_root: Path | None = None) -> str:
    """Load the extensions from their wheels, set the lake's root and, for an ``s3://`` lake, its secret.

    Returns the lake's root (see :func:`lake_root`).
    """
    for name in EXTENSIONS:
        conn.load_extension(str(extension_file(name)))
    if repo_root is not None:
        use_settings_of(repo_root)
    lake = resolve_lake()
    root = lake_root(lake)
    conn.execute(root_variable_sql(root))
    if lake.protocol == "s3":
        conn.execute(s3_secret_sql(lake))
    return root


class Plugin(BasePlugin):
    """dbt-duckdb plugin (``plugins: [{module: ttb_cola.destinations.lake_duckdb}]``): :func:`configure`.

    Its ``config`` may name ``profiles_dir``, the directory dbt read ``profiles.yml`` from (the repo root, or
    ``transform/`` through the symlink): dlt's settings are read from the repo root's ``.dlt/``.
    """

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        profiles_dir = plugin_config.get("profiles_dir")
        self.repo_root = Path(profiles_dir, "profiles.yml").resolve().parent if profiles_dir else None
        self.root: str | None = None

    def configure_connection(self, conn: Any) -> None:
        self.root = configure(conn, self.repo_root)

    def configure_cursor(self, cursor: Any) -> None:
        if self.root is not None:
            cursor.execute(root_variable_sql(self.root))
