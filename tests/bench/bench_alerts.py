"""Alert delivery after the daily build: seconds from the start of `ttb-cola alerts --if-configured` (what
`make daily` / bin/ttb-cola-daily runs as soon as `make build` has published) to a webhook receiver on
loopback holding the first POST, on 3M generated COLAs with a saved-search file of four searches.

Two runs: the first, with every current match new (about 100,000: the cost of a first run), and a daily
one after a build added 1,000 COLAs, 200 of them matching. The channel and the file come from the
settings (ALERTS__WEBHOOK_URL, SOURCES__TTB_COLA__WATCHLIST), as a scheduled daily run reads them.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
from bench_serve import make_analytics
from harness import BIN, REPO

#: Seconds to the first POST a daily run should stay under.
TARGET_FIRST_POST_S = 5.0
NEW_COLAS = 1_000


class Receiver:
    """A webhook receiver on loopback: when each POST arrived, its size and match count."""

    def __init__(self) -> None:
        self.posts: list[tuple[float, int, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append((time.perf_counter(), len(body), json.loads(body)["count"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _searches(path: Path, workdir: Path) -> Path:
    """A saved-search file over the generated data: a permit, a brand prefix, bourbon from Kentucky, a word."""
    with duckdb.connect(str(path), read_only=True) as con:
        [(permit,)] = con.execute("select min(permit_number) from marts.dim_company").fetchall()
        [(brand,)] = con.execute("select brand_name from serve.colas order by ttb_id limit 1").fetchall()
    searches = workdir / "searches.toml"
    searches.write_text(f"""\
[[search]]
name = "A filer"
permit = "{permit}"

[[search]]
name = "A brand"
brand = "{brand.split()[0]}%"

[[search]]
name = "Kentucky bourbon"
class_type = "%BOURBON%"
origin = "Kentucky"

[[search]]
name = "A word"
q = "{brand.split()[1].lower()}"
approved_from = 2024-01-01
""", encoding="utf-8")
    return searches


def _add_colas(path: Path, count: int) -> int:
    """Add ``count`` COLAs approved after every other to the serving table, as a build would; the number of
    them the Kentucky bourbon search matches."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"""
            insert into serve.colas
            select * exclude (n) replace ('30001001' || lpad(n::varchar, 6, '0') as ttb_id,
                date '2030-01-01' as approval_date, date '2030-01-01' as newest_date)
            from (
                (select *, row_number() over (order by ttb_id) as n from serve.colas
                 where origin_description = 'KENTUCKY' and class_type_code = '101' limit {count // 5})
                union all
                (select *, {count} + row_number() over (order by ttb_id) as n from serve.colas
                 where class_type_code = '80' and origin_description != 'KENTUCKY' limit {count - count // 5})
            )""")
        con.execute("checkpoint")
    return count // 5


def _run(receiver: Receiver, workdir: Path) -> tuple[float | None, float, str]:
    """Start the daily run's alerts command; seconds to the first POST (None: none) and to its end, its line."""
    receiver.posts.clear()
    env = {**os.environ, "ALERTS__WEBHOOK_URL": receiver.url,
           "SOURCES__TTB_COLA__WATCHLIST": str(workdir / "searches.toml")}
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "ttb-cola"), "alerts", "--if-configured", "--duckdb",
                           str(workdir / "analytics.duckdb"), "--sent-log", str(workdir / "alerts.duckdb")],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    ended = time.perf_counter()
    if done.returncode:
        raise SystemExit(f"ttb-cola alerts failed:\n{done.stderr[-2000:]}")
    first = receiver.posts[0][0] - started if receiver.posts else None
    return first, ended - started, (done.stdout.strip().splitlines() or [""])[-1]


def _startup(workdir: Path) -> float:
    """Seconds `ttb-cola alerts --if-configured` takes with no channel set: Python, the imports and the
    settings, which every run pays before its own work."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ALERTS__")}
    started = time.perf_counter()
    subprocess.run([str(BIN / "ttb-cola"), "alerts", "--if-configured", "--duckdb", str(workdir / "analytics.duckdb")],
                   cwd=REPO, env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def alert_delivery_3m() -> None:
    """First run (every match new) and a daily run (a build added COLAs): seconds to the first POST."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "analytics.duckdb"
        make_analytics(path)
        _searches(path, workdir)
        receiver = Receiver()
        try:
            first, total, line = _run(receiver, workdir)
            matches = sum(count for _, _, count in receiver.posts)
            largest = max(size for _, size, _ in receiver.posts)
            per_post = max(count for _, _, count in receiver.posts)
            print(f"alerts, first run on 3M COLAs: {matches:,} matches in {len(receiver.posts)} POSTs "
                  f"(at most {per_post} matches, {largest / 1e6:.2f} MB per POST)")
            print(f"  first POST {first:.2f} s after `ttb-cola alerts` started  goal <= {TARGET_FIRST_POST_S} s: "
                  f"{first / TARGET_FIRST_POST_S:.2f}x; all delivered in {total:.1f} s ({line})")
            startup = _startup(workdir)
            print(f"  (of which Python start, imports and settings, as a run with no channel: {startup:.2f} s)")
            matching = _add_colas(path, NEW_COLAS)
            first, total, line = _run(receiver, workdir)
            sent = sum(count for _, _, count in receiver.posts)
            if first is None:
                raise SystemExit("the daily run sent nothing")
            print(f"alerts, daily run after a build added {NEW_COLAS:,} COLAs ({matching} matching, {sent} sent): "
                  f"first POST {first:.2f} s  goal <= {TARGET_FIRST_POST_S} s: {first / TARGET_FIRST_POST_S:.2f}x; "
                  f"done in {total:.1f} s")
        finally:
            receiver.server.shutdown()


BENCHES = {"alerts": alert_delivery_3m}
