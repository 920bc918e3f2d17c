"""The options of ``ttb-cola serve``, ``mcp`` and ``alerts``: argparse only, no heavy imports."""

from __future__ import annotations

import argparse

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MCP_PORT = 8001
DUCKDB_HELP = "the published file (default: data/analytics.duckdb)"
WATCHLIST_HELP = ("watchlist file to match: the CSV seed or saved searches (.toml) (default: the watchlist "
                  "setting, transform/seeds/watchlist.csv)")


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``ttb-cola serve``."""
    parser.add_argument("--duckdb", help=DUCKDB_HELP)
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--watchlist", help=WATCHLIST_HELP + ", for /watchlist")


def add_mcp_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``ttb-cola mcp``."""
    parser.add_argument("--duckdb", help=DUCKDB_HELP)
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio",
                        help="stdio (default: an assistant starts the command) or http (streamable HTTP at /mcp)")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"HTTP address (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_MCP_PORT, help=f"HTTP port (default {DEFAULT_MCP_PORT})")
    parser.add_argument("--watchlist", help=WATCHLIST_HELP + ", for the watchlist tool")


def add_alerts_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``ttb-cola alerts`` (each channel also from ``[alerts]`` in .dlt/config.toml)."""
    parser.add_argument("--duckdb", help=DUCKDB_HELP)
    parser.add_argument("--watchlist", help=WATCHLIST_HELP)
    parser.add_argument("--webhook", help="POST new matches as JSON to this URL (default: alerts.webhook_url)")
    parser.add_argument("--smtp", metavar="HOST[:PORT]", help="send new matches by e-mail through this SMTP "
                        "server (default: alerts.smtp_host); needs --mail-to and --mail-from")
    parser.add_argument("--mail-from", help="sender address (default: alerts.mail_from)")
    parser.add_argument("--mail-to", help="recipients, comma-separated (default: alerts.mail_to)")
    parser.add_argument("--feed", help="append new matches to this Atom feed file (default: alerts.feed_path)")
    parser.add_argument("--sent-log", help="the DuckDB file of what was sent (default: alerts.duckdb beside "
                        "the published file)")
    parser.add_argument("--baseline", action="store_true",
                        help="record the current matches as sent without sending them (before a first run)")
    parser.add_argument("--if-configured", action="store_true",
                        help="exit 0 quietly when no channel is configured (make daily)")
