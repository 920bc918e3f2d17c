"""A DuckDB file that is not a database (truncated, overwritten, another format): one line saying so.

DuckDB refuses such a file with ``IO Error: The file "<path>" exists, but it is not a valid DuckDB
database file!``, or (cut short) ``Could not read enough bytes from file "<path>"``; dlt wraps that in
a connection error that blames credentials and the network. This module finds DuckDB's own words in
an exception's chain, so every command says what is wrong instead.
"""

from __future__ import annotations

import re

_DAMAGED = (
    re.compile(r'The file "(?P<path>[^"]+)" exists, but it is not a valid DuckDB database file'),
    re.compile(r'Could not read enough bytes from file "(?P<path>[^"]+)"'),
)


def damaged_file(exc: BaseException) -> str | None:
    """One line naming the damaged DuckDB file in ``exc`` (or its causes), else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if match := next(filter(None, (pattern.search(str(current)) for pattern in _DAMAGED)), None):
            return (f"{match['path']} is not a valid DuckDB database file: the file is damaged; restore it from "
                    "a backup or move it aside (a new one is made on the next run); nothing was written")
        current = current.__cause__ or current.__context__
    return None


__all__ = ["damaged_file"]
