"""``ttb-cola alerts``: match the watchlist file against the published marts and deliver each match a
channel has not taken yet; record it in the sent log only once the channel took it."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ttb_cola.alerts.channels import Channel, ChannelError, DeliveryError, Email, Feed, Webhook, resolve_channels
from ttb_cola.alerts.feed import FEED_ENTRIES, write_feed
from ttb_cola.alerts.mail import send_mail
from ttb_cola.alerts.payload import alert_payload
from ttb_cola.alerts.sent_log import SENT_LOG_NAME, SentLog
from ttb_cola.alerts.webhook import BATCH, post_matches
from ttb_cola.digest.paths import WarehouseNotFound
from ttb_cola.digest.queries import MissingMarts
from ttb_cola.digest.watchlist import WatchlistError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ttb_cola.serve.command import published_path
from ttb_cola.serve.matches import watch_matches, watchlist_entries
from ttb_cola.serve.relation import MARTS


def current_alerts(path: Path, entries: list[Any]) -> list[dict[str, Any]]:
    """The alert of every match of ``entries`` in the marts at ``path``.

    Raises:
        MissingMarts: the file lacks a mart the matches read.
    """
    with duckdb.connect(str(path), read_only=True) as con:
        present = {name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
        missing = [name for name in MARTS if name not in present]
        if missing:
            raise MissingMarts(f"{path} lacks marts.{', marts.'.join(missing)} (run `make build`)")
        return [alert_payload(match) for match in watch_matches(con, entries)]


def deliver(channel: Channel, new: list[dict[str, Any]], log: SentLog) -> None:
    """Deliver ``new`` to ``channel``, marking each part sent once the channel took it.

    Raises:
        DeliveryError: the channel did not take (the rest of) it.
    """
    if isinstance(channel, Webhook):
        for start in range(0, len(new), BATCH):
            post_matches(channel, new[start:start + BATCH])
            log.mark_sent(channel.name, new[start:start + BATCH])
        return
    if isinstance(channel, Email):
        send_mail(channel, new)
    elif isinstance(channel, Feed):
        now = datetime.now(UTC)
        write_feed(channel, [(now, alert) for alert in new] + log.sent(channel.name, FEED_ENTRIES))
    log.mark_sent(channel.name, new)


def run_alerts(args: argparse.Namespace) -> int:
    """The ``alerts`` subcommand: exit 0 when every channel took its matches, 1 when one failed (the next run
    retries it) or the marts are unusable, 2 on bad input."""
    try:
        channels = resolve_channels(args)
        if not channels:
            if args.if_configured:
                return EXIT_OK
            raise ChannelError("no alert channel: pass --webhook, --smtp or --feed, or set them under [alerts] "
                               "in .dlt/config.toml")
        entries = watchlist_entries(args.watchlist)
        path = published_path(args.duckdb)
    except (ChannelError, WatchlistError) as exc:
        print(f"ttb-cola alerts: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseNotFound as exc:
        print(f"ttb-cola alerts: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        alerts = current_alerts(path, entries)
    except MissingMarts as exc:
        print(f"ttb-cola alerts: {exc}", file=sys.stderr)
        return EXIT_FAILED
    log = SentLog(Path(args.sent_log) if args.sent_log else path.with_name(SENT_LOG_NAME))
    failed = 0
    try:
        for channel in channels:
            new = log.unsent(channel.name, alerts)
            if args.baseline:
                log.mark_sent(channel.name, new)
                print(f"{channel.name}: {len(new)} current matches recorded as sent, none delivered")
            elif not new:
                print(f"{channel.name}: nothing new ({len(alerts)} matches already sent)")
            else:
                try:
                    deliver(channel, new, log)
                except DeliveryError as exc:
                    failed += 1
                    left = len(log.unsent(channel.name, alerts))
                    print(f"ttb-cola alerts: {channel.name} failed ({exc}); {left} matches kept for the next run",
                          file=sys.stderr)
                else:
                    print(f"{channel.name}: sent {len(new)} new matches to {channel.shown}")
    finally:
        log.close()
    return EXIT_FAILED if failed else EXIT_OK
