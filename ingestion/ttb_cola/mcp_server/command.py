"""``ttb-cola mcp``: the MCP server (:mod:`ttb_cola.mcp_server.server`) over stdio or streamable HTTP.

Over stdio the protocol owns standard output: every message of ours goes to standard error.
"""

from __future__ import annotations

import argparse
import sys

from ttb_cola.runs.exit_codes import EXIT_OK


def run_mcp(args: argparse.Namespace) -> int:
    """Serve MCP until the client closes the session (stdio) or until interrupted (http)."""
    from ttb_cola.mcp_server.server import create_server
    from ttb_cola.serve.command import open_served
    from ttb_cola.serve.database import Database

    opened, status = open_served("mcp", args, lambda path, entries: (Database(path), entries))
    if opened is None:
        return status
    database, entries = opened
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
