"""``ttb-cola mcp``: the MCP server (:mod:`ttb_cola.mcp_server.server`) over stdio or streamable HTTP.

Over stdio the protocol owns standard output: every message of ours goes to standard error.
"""

from __future__ import annotations

import argparse
import sys

from ttb_cola.digest.paths import WarehouseNotFound
from ttb_cola.digest.watchlist import WatchlistError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ttb_cola.serve.database import NotServable


def run_mcp(args: argparse.Namespace) -> int:
    """Serve MCP until the client closes the session (stdio) or until interrupted (http)."""
    from ttb_cola.mcp_server.server import create_server
    from ttb_cola.serve.command import published_path
    from ttb_cola.serve.database import Database
    from ttb_cola.serve.matches import watchlist_entries

    if not 0 < args.port < 65536:
        print(f"ttb-cola mcp: --port must be 1-65535, got {args.port}", file=sys.stderr)
        return EXIT_USAGE
    try:
        entries = watchlist_entries(args.watchlist)
        database = Database(published_path(args.duckdb))
    except WatchlistError as exc:
        print(f"ttb-cola mcp: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (WarehouseNotFound, NotServable) as exc:
        print(f"ttb-cola mcp: {exc}", file=sys.stderr)
        return EXIT_FAILED
    server = create_server(database, entries)
    try:
        if args.transport == "http":
            print(f"ttb-cola mcp: http://{args.host}:{args.port}/mcp over {database.path}", file=sys.stderr)
            server.run("streamable-http", host=args.host, port=args.port)
        else:
            server.run("stdio")
    finally:
        database.close()
    return EXIT_OK
