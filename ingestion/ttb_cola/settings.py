"""The settings a command reads (dlt's configuration: ``.dlt/config.toml``, environment variables), each
resolved once per command.

The command line enters :func:`settings_once` around every command, so a setting read by several steps
(the checks, each chunk of a crawl, the client, the destination) is resolved by dlt's providers once and has
one value for the whole command. dlt itself is imported at the first read, not with this module, which the
command line imports before it knows the command (``ttb-cola parse`` never pays for dlt).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: The settings the command resolved so far, by key (None: outside :func:`settings_once`, every read resolves).
_resolved: dict[str, Any] | None = None


def _resolve(key: str) -> Any:
    import dlt

    return dlt.config.get(key)


def setting(key: str) -> Any:
    """The setting ``key`` (e.g. ``destination.duckdb.credentials``) as dlt resolves it, None when unset;
    inside :func:`settings_once` resolved on its first read only."""
    if _resolved is None:
        return _resolve(key)
    if key not in _resolved:
        _resolved[key] = _resolve(key)
    return _resolved[key]


def configured(key: str, default: Any = None) -> Any:
    """A ``[sources.ttb_cola]`` setting (:func:`setting`), ``default`` when unset or empty."""
    value = setting(f"sources.ttb_cola.{key}")
    return default if value in (None, "") else value


@contextmanager
def settings_once() -> Iterator[None]:
    """Within the block (one command's run) each setting is resolved once, at its first read: every
    chunk and step of the run sees the same value, and dlt's providers are asked once per key. Nested
    blocks share the outer one's values."""
    global _resolved
    if _resolved is not None:
        yield
        return
    _resolved = {}
    try:
        yield
    finally:
        _resolved = None
