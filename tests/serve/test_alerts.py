"""`ttb-cola alerts` delivers each match of the user's watchlist once per channel: to a webhook receiver on
loopback (signed with HMAC-SHA256), to an SMTP server on loopback (aiosmtpd) and into an Atom feed file.
A rerun sends nothing; a failed webhook delivery is not marked sent and goes out on the next run."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import pytest
from aiosmtpd.controller import Controller
from ports import free_port

from ttb_cola.cli import main

SECRET = "test-signing-key"


class Receiver:
    """A webhook receiver on loopback: records each POST, answers ``status``."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/ttb?token=abc"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.server.shutdown()


class Inbox:
    """aiosmtpd's handler: keeps each message's raw bytes."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content)
        return "250 OK"


def _alerts(published, log: Path, *args: str) -> int:
    return main(["alerts", "--duckdb", str(published.path), "--watchlist", str(published.watchlist),
                 "--sent-log", str(log), *args])


def _sent(log: Path, channel: str) -> set[tuple[str, str]]:
    with duckdb.connect(str(log), read_only=True) as con:
        return set(con.execute("select entry_name, ttb_id from sent_alerts where channel = ?", [channel]).fetchall())


def test_webhook_signed_once_and_a_failure_retried(published, receiver, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ALERTS__WEBHOOK_SECRET", SECRET)
    log = tmp_path / "alerts.duckdb"
    receiver.status = 503
    assert _alerts(published, log, "--webhook", receiver.url) == 1  # the receiver is down
    assert len(receiver.posts) == 1 and not _sent(log, "webhook")
    err = capsys.readouterr().err
    assert "503" in err and "token=abc" not in err and SECRET not in err

    receiver.status = 200
    assert _alerts(published, log, "--webhook", receiver.url) == 0  # the next run delivers
    delivered = receiver.posts[1:]
    received = set()
    for headers, body in delivered:
        want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-TTB-Cola-Signature"] == want and headers["Content-Type"] == "application/json"
        payload = json.loads(body)
        received |= {(m["entry_name"], m["ttb_id"]) for m in payload["matches"]}
        assert all(m["registry_url"].endswith(m["ttb_id"]) for m in payload["matches"])
    assert received == published.expected == _sent(log, "webhook")

    assert _alerts(published, log, "--webhook", receiver.url) == 0  # nothing new: nothing sent
    assert len(receiver.posts) == 1 + len(delivered)


def test_email_once_through_smtp(published, tmp_path) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        log = tmp_path / "alerts.duckdb"
        smtp = ["--smtp", f"127.0.0.1:{controller.port}", "--mail-from", "ttb-cola@example.test",
                "--mail-to", "analyst@example.test,team@example.test"]
        assert _alerts(published, log, *smtp) == 0
        assert _alerts(published, log, *smtp) == 0
    finally:
        controller.stop()
    [raw] = inbox.messages
    message = message_from_bytes(raw)
    assert message["To"] == "analyst@example.test, team@example.test"
    assert message["Subject"] == f"ttb-cola: {len(published.expected)} new watchlist matches"
    text = message.get_payload(decode=True).decode()
    assert all(ttb_id in text for _, ttb_id in published.expected)
    assert _sent(log, "email") == published.expected


def test_feed_once_then_new_matches_on_top(published, tmp_path) -> None:
    log, feed = tmp_path / "alerts.duckdb", tmp_path / "feed" / "watchlist.xml"
    assert _alerts(published, log, "--feed", str(feed)) == 0
    atom = "{http://www.w3.org/2005/Atom}"
    first = ET.parse(feed).getroot().findall(f"{atom}entry")
    assert len(first) == len(published.expected)
    ids = {entry.find(f"{atom}id").text for entry in first}
    assert len(ids) == len(first)
    assert _alerts(published, log, "--feed", str(feed)) == 0
    assert [e.find(f"{atom}id").text for e in ET.parse(feed).getroot().findall(f"{atom}entry")] == \
        [e.find(f"{atom}id").text for e in first]  # nothing added twice

    [second] = published.rows("select permit_number, count(*) as n from marts.fct_cola_approvals group by 1 "
                              "order by n desc, permit_number limit 1 offset 1")
    bigger = tmp_path / "more.csv"
    bigger.write_text(published.watchlist.read_text() + f"Second filer,,,{second['permit_number']},,\n",
                      encoding="utf-8")
    assert main(["alerts", "--duckdb", str(published.path), "--watchlist", str(bigger), "--sent-log", str(log),
                 "--feed", str(feed)]) == 0
    entries = ET.parse(feed).getroot().findall(f"{atom}entry")
    added = len(entries) - len(first)
    assert added == second["n"] and {e.find(f"{atom}id").text for e in entries[added:]} == ids


def test_baseline_bad_input_and_no_channel(published, tmp_path, capsys) -> None:
    log = tmp_path / "alerts.duckdb"
    assert _alerts(published, log, "--feed", str(tmp_path / "f.xml"), "--baseline") == 0
    assert not (tmp_path / "f.xml").exists() and _sent(log, "feed") == published.expected
    assert _alerts(published, log, "--webhook", "ftp://example.test/x") == 2
    assert _alerts(published, log, "--smtp", "127.0.0.1:25") == 2  # no sender, no recipients
    assert main(["alerts", "--duckdb", str(published.path), "--if-configured"]) == 0
    assert main(["alerts", "--duckdb", str(published.path)]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("entry_name,brand_name,company_name,permit_number,class_type,origin\nok,x,,,,\n,y,,,,\n")
    assert _alerts(published, log, "--feed", str(tmp_path / "f.xml"), "--watchlist", str(bad)) == 2
    assert "bad.csv line 3: entry_name is empty" in capsys.readouterr().err
