"""The DuckDB destination with catalog-qualified table names.

The contract puts the dataset ``ttb_cola`` in the file ``data/ttb_cola.duckdb``, whose DuckDB
catalog is therefore also named ``ttb_cola``. DuckDB then binds a two-part name such as
``"ttb_cola"."colas"`` to the *catalog* (``ttb_cola.main.colas``), so dlt's own SQL (merge, state
sync) breaks. Qualifying every name with the catalog (``"ttb_cola"."ttb_cola"."colas"``) is
unambiguous for any file name; this module makes dlt's DuckDB client do that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlt.destinations.impl.duckdb.duck import DuckDbClient
from dlt.destinations.impl.duckdb.factory import duckdb as duckdb_factory
from dlt.destinations.impl.duckdb.sql_client import DuckDbSqlClient


class CatalogQualifiedSqlClient(DuckDbSqlClient):
    """dlt's DuckDB SQL client, naming tables ``catalog.dataset.table``."""

    def catalog_name(self, quote: bool = True, casefold: bool = True) -> str | None:
        """The catalog DuckDB gives the database file: its name without the extension."""
        database = self.credentials._conn_str()
        if database in (":memory:", ""):
            return None
        catalog = Path(database).stem
        return self.capabilities.escape_identifier(catalog) if quote else catalog

    def warn_if_catalog_equals_dataset_name(self) -> None:
        """The clash it warns of is what this client resolves."""


class CatalogQualifiedClient(DuckDbClient):
    """dlt's DuckDB job client using :class:`CatalogQualifiedSqlClient`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # DuckDbClient builds its SQL client inline; the subclass only overrides naming methods.
        self.sql_client.__class__ = CatalogQualifiedSqlClient


class warehouse_duckdb(duckdb_factory):  # noqa: N801 - dlt destination factories are lower case
    """``dlt.destinations.duckdb`` with catalog-qualified names (see the module docstring)."""

    @property
    def client_class(self) -> type[DuckDbClient]:
        """The job client class dlt instantiates for this destination."""
        return CatalogQualifiedClient
