"""``ttb-cola alerts``: match the watchlist file against the published marts and deliver each match a
channel has not taken yet; record it in the sent log only once the channel took it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ttb_cola.alerts.channels import Channel, ChannelError, DeliveryError, Feed, Webhook, resolve_channels
from ttb_cola.alerts.feed import FEED_ENTRIES, write_feed
from ttb_cola.alerts.mail import send_mail
from ttb_cola.alerts.payload import FIELDS, alert_payload
from ttb_cola.alerts.sent_log import SENT_LOG_NAME, SentLog
from ttb_cola.alerts.webhook import BATCH, post_matches
from ttb_cola.digest.paths import WarehouseNotFound
from ttb_cola.digest.queries import MissingMarts
from ttb_cola.digest.watchlist import WatchlistEntry, WatchlistError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ttb_cola.serve.command import published_path
from ttb_cola.serve.filters import BadInput
from ttb_cola.serve.matches import NEWEST_FIRST, NoSearchIndex, matches_sql, watchlist_entries
from ttb_cola.serve.queries import json_value
from ttb_cola.serve.relation import MARTS

#: The columns an alert is made of (:data:`ttb_cola.alerts.payload.FIELDS` but the entry's name).
ALERT_COLUMNS = tuple(name for name in FIELDS if name != "entry_name") + ("newest_date",)


class CurrentMatches:
    """The current matches of the watchlist on a read-only connection to the published file: for a channel,
    those it was not sent, newest first across entries, read from the query's result as delivery goes
    (made into alerts batch by batch, so the first POST does not wait for the last row)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, entries: list[WatchlistEntry]) -> None:
        self._con = con
        self._entries = entries

    def _unsent_sql(self, sent: pa.Table) -> tuple[str, list[Any]]:
        self._con.register("sent_pairs", sent)
        return matches_sql(self._con, self._entries, columns=ALERT_COLUMNS, order=NEWEST_FIRST,
                           leaving_out="sent_pairs")

    def unsent(self, sent: pa.Table) -> Iterator[dict[str, Any]]:
        """The alerts of the matches not in ``sent`` ((``entry_name``, ``ttb_id``) pairs), newest first."""
        if not self._entries:
            return
        result = self._con.execute(*self._unsent_sql(sent))
        names = [column[0] for column in result.description]
        while rows := result.fetchmany(BATCH):
            for row in rows:
                yield alert_payload({name: json_value(value) for name, value in zip(names, row, strict=True)})

    def count(self, sent: pa.Table | None = None) -> int:
        """How many matches are not in ``sent`` (all of them without it)."""
        if not self._entries:
            return 0
        sql, params = self._unsent_sql(sent if sent is not None else pa.table(
            {"entry_name": pa.array([], pa.string()), "ttb_id": pa.array([], pa.string())}))
        [(total,)] = self._con.execute(f"select count(*) from ({sql})", params).fetchall()
        return int(total)


def current_matches(con: duckdb.DuckDBPyConnection, path: Path, entries: list[WatchlistEntry]) -> CurrentMatches:
    """The matches of ``entries`` on ``con``, the published file at ``path`` opened read-only.

    Raises:
        MissingMarts: the file lacks a mart the matches read.
        NoSearchIndex: a saved search uses ``q`` on a file without the full-text index.
        BadInput: a saved search's ``q`` holds no word the index can search.
    """
    present = {name for (name,) in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
    missing = [name for name in MARTS if name not in present]
    if missing:
        raise MissingMarts(f"{path} lacks marts.{', marts.'.join(missing)} (run `make build`)")
    if entries:
        matches_sql(con, entries)  # fails now on a file or q it cannot search, before anything is sent
    return CurrentMatches(con, entries)


def batches(alerts: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """``alerts`` in lists of at most ``size``, in order."""
    batch: list[dict[str, Any]] = []
    for alert in alerts:
        batch.append(alert)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def deliver(channel: Channel, new: Iterator[dict[str, Any]], log: SentLog) -> int:
    """Deliver ``new`` (newest first) to ``channel``, marking each part sent once the channel took it: a
    webhook POST or an e-mail per :data:`BATCH` matches, the feed at once (it keeps the newest). The
    matches delivered.

    Raises:
        DeliveryError: the channel did not take (the rest of) it.
    """
    sent = 0
    if isinstance(channel, Feed):
        alerts = list(new)
        if not alerts:
            return 0
        now = datetime.now(UTC)
        write_feed(channel, [(now, alert) for alert in alerts[:FEED_ENTRIES]] + log.sent(channel.name, FEED_ENTRIES))
        log.mark_sent(channel.name, alerts)
        return len(alerts)
    for batch in batches(new):
        if isinstance(channel, Webhook):
            post_matches(channel, batch)
        else:
            send_mail(channel, batch)
        log.mark_sent(channel.name, batch)
        sent += len(batch)
    return sent


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
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            matches = current_matches(con, path, entries)
        except (MissingMarts, NoSearchIndex) as exc:
            print(f"ttb-cola alerts: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except BadInput as exc:  # a saved search's q with no word the index holds
            print(f"ttb-cola alerts: {exc}", file=sys.stderr)
            return EXIT_USAGE
        return _deliver_all(args, channels, matches, path)


def _deliver_all(args: argparse.Namespace, channels: list[Channel], matches: CurrentMatches, path: Path) -> int:
    """Each channel's unsent matches delivered (or recorded as sent with ``--baseline``); the exit status."""
    log = SentLog(Path(args.sent_log) if args.sent_log else path.with_name(SENT_LOG_NAME))
    failed = 0
    try:
        for channel in channels:
            sent = log.sent_keys(channel.name)
            if args.baseline:
                new = list(matches.unsent(sent))
                log.mark_sent(channel.name, new)
                print(f"{channel.name}: {len(new)} current matches recorded as sent, none delivered")
                continue
            try:
                count = deliver(channel, matches.unsent(sent), log)
            except DeliveryError as exc:
                failed += 1
                left = matches.count(log.sent_keys(channel.name))
                print(f"ttb-cola alerts: {channel.name} failed ({exc}); {left} matches kept for the next run",
                      file=sys.stderr)
            else:
                print(f"{channel.name}: sent {count} new matches to {channel.shown}" if count else
                      f"{channel.name}: nothing new ({matches.count()} matches already sent)")
    finally:
        log.close()
    return EXIT_FAILED if failed else EXIT_OK
