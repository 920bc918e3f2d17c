"""The commands reading the built marts: ``digest``, ``report``, ``serve``, ``mcp`` and ``alerts``, each
with its options in its own package's ``options`` module."""

from __future__ import annotations

import argparse

from ttb_cola.digest.options import add_digest_arguments
from ttb_cola.report.options import add_report_arguments
from ttb_cola.serve.options import add_alerts_arguments, add_mcp_arguments, add_serve_arguments


def cmd_digest(args: argparse.Namespace) -> int:
    """The period's digest as Markdown, HTML and a spreadsheet (:mod:`ttb_cola.digest`)."""
    from ttb_cola.digest.command import run_digest

    return run_digest(args)


def cmd_report(args: argparse.Namespace) -> int:
    """The static report site (:mod:`ttb_cola.report`)."""
    from ttb_cola.report.command import run_report

    return run_report(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """The read-only HTTP API over the published marts (:mod:`ttb_cola.serve`)."""
    from ttb_cola.serve.command import run_serve

    return run_serve(args)


def cmd_mcp(args: argparse.Namespace) -> int:
    """The MCP server over the published marts (:mod:`ttb_cola.mcp_server`)."""
    from ttb_cola.mcp_server.command import run_mcp

    return run_mcp(args)


def cmd_alerts(args: argparse.Namespace) -> int:
    """Deliver new watchlist matches once per channel (:mod:`ttb_cola.alerts`)."""
    from ttb_cola.alerts.command import run_alerts

    return run_alerts(args)


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``digest``, ``report``, ``serve``, ``mcp`` and ``alerts``."""
    for name, text, add_arguments, func in (
        ("digest", "what changed in a week: digest.md, .html, .xlsx (make digest)", add_digest_arguments, cmd_digest),
        ("report", "static report site with charts (make report)", add_report_arguments, cmd_report),
        ("serve", "read-only JSON API over data/analytics.duckdb (make serve)", add_serve_arguments, cmd_serve),
        ("mcp", "MCP server (stdio or HTTP) over data/analytics.duckdb, for AI assistants", add_mcp_arguments,
         cmd_mcp),
        ("alerts", "send new watchlist matches once: webhook, e-mail, Atom feed", add_alerts_arguments, cmd_alerts),
    ):
        command = commands.add_parser(name, help=text)
        add_arguments(command)
        command.set_defaults(func=func)
