"""``ttb-cola serve``: the read-only HTTP API (:mod:`ttb_cola.serve.api`) on uvicorn."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ttb_cola.digest.paths import WarehouseNotFound
from ttb_cola.digest.watchlist import WatchlistError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ttb_cola.serve.database import NotServable


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


def run_serve(args: argparse.Namespace) -> int:
    """Serve until interrupted: exit 2 on bad input, 1 when the file cannot be served."""
    import uvicorn

    from ttb_cola.serve.api import create_app
    from ttb_cola.serve.matches import watchlist_entries

    if not 0 < args.port < 65536:
        print(f"ttb-cola serve: --port must be 1-65535, got {args.port}", file=sys.stderr)
        return EXIT_USAGE
    try:
        entries = watchlist_entries(args.watchlist)
        app = create_app(published_path(args.duckdb), entries)
    except WatchlistError as exc:
        print(f"ttb-cola serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (WarehouseNotFound, NotServable) as exc:
        print(f"ttb-cola serve: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"ttb-cola serve: http://{args.host}:{args.port} (docs at /docs) over {app.state.path}", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
