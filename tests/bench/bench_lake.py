"""`dbt build --target s3` on N COLAs in a Delta lake on moto's S3 vs the DuckDB target, in the same run; and
the raw page archive read back from the bucket (what `ttb-cola reparse --destination filesystem` reads).

The dev data (``transform/scripts/make_dev_data.py``, N = ``LAKE_BENCH_COLAS``, default 1,000,000) is
generated into a DuckDB file; the DuckDB target builds on that file, and the same tables are written
straight into Delta tables with ``deltalake`` in dlt's layout (``<bucket_url>/ttb_cola/<table>/``, Arrow
types as dlt's filesystem destination writes them, dlt's ``_dlt_loads`` log as JSON lines), for the
``s3`` target to build on. moto runs in its own process on loopback; the s3 target reaches it through a
counting proxy (:class:`CountingProxy`), so the bucket bytes each build reads are the bodies of the GET
answers that went through it.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
from harness import BIN, REPO
from moto_server import MotoS3, running_moto

ROWS = int(os.environ.get("LAKE_BENCH_COLAS", "1000000"))
DATASET = "ttb_cola"
TABLES = ("cola_details", "cola_forms", "cola_listings", "cola_label_images", "crawl_partitions", "cola_status_log")
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


class CountingProxy:
    """A plain HTTP proxy in front of moto on loopback, counting GET requests and their body bytes.

    Headers are forwarded as they came (``Host`` included), so the SigV4 signatures made for the proxy's
    address still verify at moto.
    """

    def __init__(self, upstream: str) -> None:
        target = urlparse(upstream)
        self.gets = 0
        self.get_bytes = 0
        self.by_table: dict[str, int] = {}
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                upstream_conn = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                upstream_conn.request(self.command, self.path, body=body, headers=headers)
                answer = upstream_conn.getresponse()
                data = answer.read()
                upstream_conn.close()
                if self.command == "GET":
                    with proxy._lock:
                        proxy.gets += 1
                        proxy.get_bytes += len(data)
                        table = _table_of(self.path)
                        proxy.by_table[table] = proxy.by_table.get(table, 0) + len(data)
                self.send_response_only(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_HEADERS and key.lower() != "content-length":
                        self.send_header(key, value)
                if self.command != "HEAD":
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reset(self) -> None:
        """Zero the counters."""
        with self._lock:
            self.gets = self.get_bytes = 0
            self.by_table = {}

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _table_of(path: str) -> str:
    """The lake table a path-style request is for (``/<bucket>/<prefix>/ttb_cola/<table>/...``), else ``other``."""
    parts = urlparse(path).path.strip("/").split("/")
    return parts[parts.index(DATASET) + 1] if DATASET in parts[:-1] else "other"


def _make_dev_data(db: Path, rows: int) -> None:
    spec = importlib.util.spec_from_file_location("make_dev_data", REPO / "transform" / "scripts" / "make_dev_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_dev_data(db, rows=rows)


def write_lake(db: Path, s3: MotoS3, bucket_url: str) -> dict[str, int]:
    """The dev file's tables as Delta tables in dlt's layout under ``bucket_url``; the bytes stored per table."""
    from deltalake import write_deltalake
    from dlt.common.libs.deltalake import ensure_delta_compatible_arrow_schema

    options = {"aws_access_key_id": s3.access_key_id, "aws_secret_access_key": s3.secret_access_key,
               "endpoint_url": s3.endpoint_url, "region": s3.region_name, "aws_allow_http": "true"}
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        catalog = con.execute("SELECT current_database()").fetchone()[0]
        for table in TABLES:
            json_columns = [name for name, kind in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ? "
                "AND table_schema = ? AND table_name = ?", [catalog, DATASET, table]).fetchall() if kind == "JSON"]
            replace = f" REPLACE ({', '.join(f'CAST({c} AS VARCHAR) AS {c}' for c in json_columns)})" if json_columns \
                else ""
            data = con.execute(f'SELECT *{replace} FROM "{catalog}".{DATASET}."{table}"').fetch_arrow_table()
            schema = ensure_delta_compatible_arrow_schema(data.schema)
            write_deltalake(f"{bucket_url}/{DATASET}/{table}", data.cast(schema), mode="overwrite",
                            storage_options=options)
        loads = con.execute(f'SELECT load_id, schema_name, status, inserted_at, schema_version_hash '
                            f'FROM "{catalog}".{DATASET}._dlt_loads').fetchall()
    client = s3.client()
    prefix = urlparse(bucket_url).path.strip("/")
    for load_id, schema_name, status, inserted_at, version_hash in loads:  # dlt's load log: one file per load
        row = {"load_id": load_id, "schema_name": schema_name, "status": status,
               "inserted_at": inserted_at.astimezone(UTC).isoformat(), "schema_version_hash": version_hash}
        client.put_object(Bucket=s3.bucket, Key=f"{prefix}/{DATASET}/_dlt_loads/{schema_name}__{load_id}.jsonl",
                          Body=(json.dumps(row) + "\n").encode())
    sizes: dict[str, int] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket):
        for obj in page.get("Contents", []):
            table = _table_of("/" + obj["Key"])
            sizes[table] = sizes.get(table, 0) + obj["Size"]
    return sizes


def _dbt_build(env: dict[str, str], tmp: Path, target: str) -> float:
    env = dict(env, DBT_TARGET_PATH=str(tmp / f"target-{target}"), DBT_LOG_PATH=str(tmp / f"logs-{target}"))
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "dbt"), "build", "--project-dir", "transform", "--target", target, "--quiet"],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"dbt build --target {target} failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    return seconds


def build_on_lake_vs_duckdb() -> None:
    """Time `dbt build` on the DuckDB target and on the lake (`--target s3`), and the bucket bytes read."""
    with tempfile.TemporaryDirectory() as tmp_name, running_moto() as s3:
        tmp = Path(tmp_name)
        db = tmp / "warehouse.duckdb"
        started = time.perf_counter()
        _make_dev_data(db, ROWS)
        generated = time.perf_counter() - started
        bucket_url = f"{s3.bucket_url}/lake"
        started = time.perf_counter()
        sizes = write_lake(db, s3, bucket_url)
        lake_bytes = sum(sizes.values())
        written = time.perf_counter() - started

        base = {k: v for k, v in os.environ.items() if not k.startswith(("DESTINATION__", "AWS_"))}
        duck_seconds = _dbt_build(dict(base, TTB_COLA_DUCKDB=str(db)), tmp, "dev")
        with CountingProxy(s3.endpoint_url) as proxy:
            env = dict(base, **s3.env(bucket_url, endpoint_url=proxy.endpoint_url),
                       TTB_COLA_LAKE_DUCKDB=str(tmp / "lake.duckdb"), AWS_EC2_METADATA_DISABLED="true")
            proxy.reset()
            lake_seconds = _dbt_build(env, tmp, "s3")
            gets, read, by_table = proxy.gets, proxy.get_bytes, proxy.by_table
    ratio = lake_seconds / duck_seconds
    print(f"dbt build on {ROWS:,} COLAs: DuckDB target {duck_seconds:.1f} s, s3 target (Delta on moto, loopback) "
          f"{lake_seconds:.1f} s -> ratio {ratio:.2f}x (goal <= 2x: {'met' if ratio <= 2 else 'NOT met'})")
    print(f"bucket read by the s3 build: {read / 1e6:,.1f} MB in {gets:,} GETs "
          f"({read / max(lake_bytes, 1):.2f}x the lake's {lake_bytes / 1e6:,.1f} MB); "
          f"dev data generated in {generated:.1f} s, written to Delta in {written:.1f} s")
    print("bytes read per table: " + ", ".join(
        f"{table} {size / 1e6:,.1f} MB" + (f" ({size / sizes[table]:.1f}x its size)" if sizes.get(table) else "")
        for table, size in sorted(by_table.items(), key=lambda kv: -kv[1])))


#: COLAs of the archive read back (a detail page and a form each); latency a proxy adds to each request, about
#: an object store's time to first byte.
ARCHIVE_COLAS = int(os.environ.get("LAKE_ARCHIVE_BENCH_COLAS", "1000"))
LATENCY_MS = 15.0
REGISTRY_PAGES = 5_000_000  # about 3M COLAs, a page or two each


@dataclass
class SlowEndpoint:
    """``latency_proxy.py`` running: its URL, and its process to ask for the requests it forwarded."""

    url: str
    process: subprocess.Popen[str]

    def requests(self) -> dict[str, int]:
        """The requests forwarded since the last call, by method."""
        assert self.process.stdout is not None
        self.process.send_signal(signal.SIGUSR1)
        return dict(json.loads(self.process.stdout.readline()))


@contextmanager
def latency_proxy(upstream: str, delay_ms: float) -> Iterator[SlowEndpoint]:
    """``latency_proxy.py`` in a process of its own in front of ``upstream``."""
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("latency_proxy.py")), upstream,
                                str(delay_ms)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield SlowEndpoint(process.stdout.readline().strip(), process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _read_archive(s3: MotoS3, endpoint: str, root: str, group: int) -> tuple[int, int, float]:
    """(pages, GET requests, seconds) reading the archive at ``root`` through ``endpoint`` with ``RawArchive.pages``
    ``group`` pages at a time; the listing made first, not timed."""
    import fsspec

    from ttb_cola import archive as archive_module

    options = dict(s3.storage_options(), endpoint_url=endpoint)
    archive = archive_module.RawArchive(fsspec.filesystem("s3", skip_instance_cache=True, **options), root)
    paths = list(archive.page_paths())
    archive.fs.connect()
    gets = [0]
    archive.fs.s3.meta.events.register("before-send.s3.GetObject", lambda **_: gets.__setitem__(0, gets[0] + 1))
    configured, archive_module.READ_GROUP = archive_module.READ_GROUP, group
    try:
        started = time.perf_counter()
        pages = sum(1 for _ in archive.pages(paths=paths))
        seconds = time.perf_counter() - started
    finally:
        archive_module.READ_GROUP = configured
    return pages, gets[0], seconds


def archive_reads() -> None:
    """Pages/s reading the raw archive from the bucket (``RawArchive.pages``): one page at a time (``READ_GROUP``
    = 1: a GET per page, one after another, as before) and in groups of concurrent GETs, on moto and through a
    proxy adding ``LATENCY_MS`` to each request; the hours registry scale would take at each rate. Then the
    whole lake reparse of that archive through the proxy: COLAs/s and its requests per page."""
    from ttb_cola.archive import READ_GROUP, RawArchive
    from ttb_cola.ids import format_ttb_id
    from ttb_cola.registry.pages import PageKind

    fixtures = REPO / "tests" / "fixtures"
    form = (fixtures / "form_24011001000462.html").read_bytes()
    detail = (fixtures / "detail_24011001000462.html").read_bytes()
    with running_moto() as s3, latency_proxy(s3.endpoint_url, LATENCY_MS) as slow:
        root = f"{s3.bucket}/lake/raw"
        writer = RawArchive.at(f"s3://{root}", **s3.storage_options())
        ids = [format_ttb_id(date(2024, 1 + n % 12, 1 + n % 28), "001", n) for n in range(ARCHIVE_COLAS)]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda ttb_id: (writer.put(ttb_id, PageKind.FORM, form),
                                          writer.put(ttb_id, PageKind.DETAIL, detail)), ids))
        for label, endpoint in (("moto on loopback", s3.endpoint_url), (f"+{LATENCY_MS:.0f} ms a request", slow.url)):
            rates = {}
            for group in (1, READ_GROUP):
                pages, gets, seconds = _read_archive(s3, endpoint, root, group)
                rates[group] = pages / seconds
                print(f"archive read from the bucket ({label}), {group} page(s) at a time: {pages:,} pages, "
                      f"{gets:,} GETs, {seconds:.2f} s -> {rates[group]:,.0f} pages/s "
                      f"({REGISTRY_PAGES / rates[group] / 3600:,.1f} h for {REGISTRY_PAGES:,} pages)")
            print(f"  groups of {READ_GROUP} vs one at a time: {rates[READ_GROUP] / rates[1]:.1f}x")
        slow.requests()
        seconds = _reparse(s3, slow.url)
        sent = slow.requests()
        print(f"`ttb-cola reparse --destination filesystem` of {ARCHIVE_COLAS:,} COLAs (+{LATENCY_MS:.0f} ms a "
              f"request): {seconds:.1f} s -> {ARCHIVE_COLAS / seconds:,.0f} COLAs/s; requests per archived page: "
              + ", ".join(f"{method} {count / (2 * ARCHIVE_COLAS):.2f}" for method, count in sorted(sent.items())))


def _reparse(s3: MotoS3, endpoint: str) -> float:
    """Wall seconds of `ttb-cola reparse --destination filesystem` (a process of its own) on the lake at
    ``<bucket>/lake`` through ``endpoint``, on a fresh runner."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DESTINATION__"))}
        env.update(s3.env(f"{s3.bucket_url}/lake", endpoint_url=endpoint), RUNTIME__LOG_LEVEL="ERROR",
                   AWS_EC2_METADATA_DISABLED="true")
        started = time.perf_counter()
        done = subprocess.run([str(BIN / "ttb-cola"), "reparse", "--destination", "filesystem", "--pipelines-dir",
                               f"{tmp}/pipelines"], cwd=tmp, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"ttb-cola reparse failed:\n{done.stderr[-2000:]}")
    return seconds


BENCHES = {"lake": build_on_lake_vs_duckdb, "lake_archive": archive_reads}
