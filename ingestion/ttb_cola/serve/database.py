"""The published file, opened read-only, reopened when ``ttb-cola publish`` replaces it.

One DuckDB connection per build of the file; each request takes its own cursor (DuckDB connections are
not shared across threads, cursors are). Publishing renames a new file over the old one: the next
request sees a new inode and opens the new build, while requests already running finish on the old one.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from ttb_cola.serve.lookup import LOOKUP_TABLE
from ttb_cola.serve.search_index import FTS_SCHEMA, TABLE, WORDS_TABLE, load_fts

#: DuckDB threads per query. Each request already runs on its own thread and cursor: one thread per query
#: keeps concurrent requests from waiting on each other's task handoffs (what a point lookup mostly costs).
QUERY_THREADS = 1


class NotServable(Exception):
    """The file lacks the serving table or its full-text index (published before they existed, or not the
    published file at all)."""


class Database:
    """Read-only access to the published marts at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._previous: duckdb.DuckDBPyConnection | None = None
        self._inode: tuple[int, int] | None = None
        self.cursor().close()  # fail now, not on the first request

    def _open(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(self.path), read_only=True, config={"threads": QUERY_THREADS})
        tables = {f"{schema}.{name}" for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()").fetchall()}
        if not {TABLE, WORDS_TABLE, LOOKUP_TABLE, f"{FTS_SCHEMA}.stopwords"} <= tables:
            con.close()
            raise NotServable(f"{self.path} has no search index or lookup table (publish it again: `make build` or "
                              "`ttb-cola publish`)")
        load_fts(con)
        return con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the newest published build."""
        stat = os.stat(self.path)
        inode = (stat.st_dev, stat.st_ino)
        with self._lock:
            if self._con is None or inode != self._inode:
                # requests may still run on the build before: it is closed one publish later
                if self._previous is not None:
                    self._previous.close()
                self._previous, self._con, self._inode = self._con, self._open(), inode
            return self._con.cursor()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            for con in (self._con, self._previous):
                if con is not None:
                    con.close()
            self._con = self._previous = None
