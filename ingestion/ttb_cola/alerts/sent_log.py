"""What each channel was sent: a DuckDB file beside the published one (``alerts.duckdb``), which
``ttb-cola publish`` never replaces. One row per (watch entry, TTB ID, channel), written only after
the channel took the delivery, so a failed delivery is sent again by the next run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

#: The sent log's name, beside the published file.
SENT_LOG_NAME = "alerts.duckdb"

_SCHEMA = """
create table if not exists sent_alerts (
    entry_name varchar not null,
    ttb_id varchar not null,
    channel varchar not null,
    sent_at timestamptz not null,
    match_json varchar not null,
    primary key (entry_name, ttb_id, channel)
)"""


class SentLog:
    """The sent log at ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._con = duckdb.connect(str(path))
        self._con.execute(_SCHEMA)

    def sent_keys(self, channel: str) -> pa.Table:
        """The (``entry_name``, ``ttb_id``) pairs ``channel`` was sent, as an Arrow table (a query joins it)."""
        return self._con.execute("select entry_name, ttb_id from sent_alerts where channel = ?",
                                 [channel]).to_arrow_table()

    def mark_sent(self, channel: str, matches: list[dict[str, Any]]) -> None:
        """Record that ``channel`` took ``matches`` (one statement, one transaction). The rows go in as one
        Arrow table: DuckDB binds Python parameters one value at a time, minutes for 100,000 matches."""
        if not matches:
            return
        part = pa.table({
            "entry_name": [m["entry_name"] for m in matches],
            "ttb_id": [m["ttb_id"] for m in matches],
            "channel": [channel] * len(matches),
            "sent_at": pa.array([datetime.now(UTC)] * len(matches), pa.timestamp("us", tz="UTC")),
            "match_json": [json.dumps(m, sort_keys=True) for m in matches],
        })
        self._con.register("sent_part", part)
        try:
            self._con.execute("insert or ignore into sent_alerts select * from sent_part")
        finally:
            self._con.unregister("sent_part")

    def sent(self, channel: str, limit: int) -> list[tuple[datetime, dict[str, Any]]]:
        """The ``limit`` latest matches sent to ``channel``, newest first, with when."""
        return [(at, json.loads(text)) for at, text in self._con.execute(
            "select sent_at, match_json from sent_alerts where channel = ? "
            "order by sent_at desc, entry_name, ttb_id desc limit ?", [channel, limit]).fetchall()]

    def close(self) -> None:
        """Close the file."""
        self._con.close()
