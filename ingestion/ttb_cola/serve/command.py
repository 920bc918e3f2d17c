"""``ttb-cola serve``: the read-only HTTP API (:mod:`ttb_cola.serve.api`) on uvicorn."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ttb_cola.digest.paths import WarehouseNotFound
from ttb_cola.digest.watchlist import WatchlistEntry, WatchlistError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ttb_cola.serve.database import NotServable

Served = TypeVar("Served")


def published_path(option: str | None) -> Path:
    """The file to serve: ``--duckdb``, else ``data/analytics.duckdb`` beside the warehouse.

    Raises:
        WarehouseNotFound: no such file.
    """
    from ttb_cola.destinations.local_marts import published_file
    from ttb_cola.digest.paths import warehouse_path

    path = Path(option).expanduser() if option else published_file(warehouse_path("dev", must_exist=False))
    if not path.is_file():
        raise WarehouseNotFound(f"no published file at {path} (run `make build` first, or pass --duckdb)")
    return path


def open_served(
    command: str, args: argparse.Namespace, open_file: Callable[[Path, list[WatchlistEntry]], Served],
) -> tuple[Served | None, int]:
    """What ``serve`` and ``mcp`` serve: ``open_file`` of the published file and the watchlist, after
    checking ``--port``; on failure None and the exit status (2 bad input, 1 the file cannot be served),
    its one line printed."""
    from ttb_cola.serve.matches import watchlist_entries

    if not 0 < args.port < 65536:
        print(f"ttb-cola {command}: --port must be 1-65535, got {args.port}", file=sys.stderr)
        return None, EXIT_USAGE
    try:
        entries = watchlist_entries(args.watchlist)
        return open_file(published_path(args.duckdb), entries), EXIT_OK
    except WatchlistError as exc:
        print(f"ttb-cola {command}: {exc}", file=sys.stderr)
        return None, EXIT_USAGE
    except (WarehouseNotFound, NotServable) as exc:
        print(f"ttb-cola {command}: {exc}", file=sys.stderr)
        return None, EXIT_FAILED


def run_serve(args: argparse.Namespace) -> int:
    """Serve until interrupted: exit 2 on bad input, 1 when the file cannot be served."""
    import uvicorn

    from ttb_cola.serve.api import create_app

    app, status = open_served("serve", args, create_app)
    if app is None:
        return status
    print(f"ttb-cola serve: http://{args.host}:{args.port} (docs at /docs) over {app.state.path}", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
