"""The simulator's HTTP server: the registry's own URLs under ``/colasonline`` on loopback.

Registry URLs (relative to ``/colasonline/``):

- ``viewColaDetails.do?action=publicDisplaySearchBasic&ttbid=ID`` detail page,
  ``...&action=publicFormDisplay&ttbid=ID`` printable form (both HTTP 200 "Unable to process
  request" for unknown or non-public IDs);
- ``publicViewAttachment.do?filename=F&filetype=l`` label image, ``publicViewSignature.do?ttbid=ID``;
- ``publicSearchColasBasic.do`` (GET: search form, starts the session),
  ``publicSearchColasBasicProcess.do?action=search`` (POST), ``...?action=clear``,
  ``publicPageBasicCola.do?action=page[&pgfcn=nextset|prevset]`` and ``?action=sort&sortcol=C&order=O``,
  ``publicSaveSearchResultsToFile.do?path=/publicSearchColasBasicProcess`` (CSV).

TTB's open files (never faulted; :mod:`ttb_cola_sim.open_data`): ``/system/files/2025-04/FRL_*.csv`` and
``/images/foia/cola_stats.xml``, ``/images/foia/form_stats.csv``, with ETag / If-None-Match.

Control URLs (never faulted): ``/__sim__/health``, ``/__sim__/as_of`` (GET; POST ``?date=YYYY-MM-DD``
or a JSON body ``{"as_of": ...}``), ``/__sim__/faults`` (GET; POST a JSON object of
:class:`~ttb_cola_sim.faults.FaultConfig` fields, ``{}`` clears), ``/__sim__/stats``.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ttb_cola_sim import fault_pages, render
from ttb_cola_sim.attachments import AttachmentServlet
from ttb_cola_sim.faults import (
    CAPTCHA,
    FORBIDDEN,
    HANG,
    MAINTENANCE,
    RATE_LIMIT,
    RESET,
    SERVER_ERROR,
    SESSION_TIMEOUT,
    TRUNCATE,
    FaultConfig,
    FaultInjector,
)
from ttb_cola_sim.open_data import OpenDataFiles
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.search import EXPORT_CAP, PAGE_SIZE, Session, Sessions, run_search, sort_results

PREFIX = "/colasonline"
CONTROL = "/__sim__"
HTML = "text/html;charset=ISO-8859-1"
COOKIE = "JSESSIONID"


class Response:
    """What a route produced."""

    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(self, body: bytes, status: int = 200, content_type: str = HTML,
                 headers: list[tuple[str, str]] | None = None) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.sim.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch(b"")

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length else b"")

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch(b"", head=True)

    # --------------------------------------------------------------------------------------------
    def _dispatch(self, body: bytes, head: bool = False) -> None:
        sim = self.server.sim
        url = urlsplit(self.path)
        if url.path.startswith(CONTROL):
            self._send(sim.control(self.command, url.path[len(CONTROL):], url.query, body))
            return
        if (served := sim.open_data.serve(url.path, self.headers.get("If-None-Match"))) is not None:
            status, payload, content_type, headers = served
            self._send(Response(payload, status, content_type, headers), head=head)
            return
        if url.path[len(PREFIX) + 1:] in sim.faults.config.spare_paths:
            self._send(sim.route(self.command, url.path[len(PREFIX) + 1:], url.query, body, self.headers.get("Cookie")))
            return
        decision = sim.faults.decide()
        if decision.delay:
            time.sleep(decision.delay)
        kind = decision.kind
        if kind == RESET:
            self._reset()
            return
        if kind == HANG:
            sim.stopping.wait(sim.faults.config.hang_seconds)
            self.close_connection = True
            return
        if kind == SERVER_ERROR:
            status = 503 if decision.number % 2 else 500
            self._send(Response(fault_pages.server_error_page(status), status, "text/html"))
            return
        if kind == RATE_LIMIT:
            headers = [("Retry-After", str(sim.faults.config.retry_after))]
            page = (b"<html><head><title>429 Too Many Requests</title></head>"
                    b"<body><h1>Too Many Requests</h1></body></html>")
            self._send(Response(page, 429, "text/html", headers))
            return
        if kind == CAPTCHA:
            self._send(Response(render.captcha_page(f"{17_000_000_000_000_000 + decision.number * 7919}")))
            return
        if kind == SESSION_TIMEOUT:
            self._send(Response(render.session_timeout_page()))
            return
        if kind == FORBIDDEN:
            self._send(Response(fault_pages.forbidden_page(decision.number), 403, "text/html"))
            return
        if kind == MAINTENANCE:
            self._send(Response(fault_pages.maintenance_page(), 200, "text/html"))
            return
        if not url.path.startswith(PREFIX + "/"):
            response = Response(render.error_page("The requested page was not found."), 404)
        else:
            response = sim.route(self.command, url.path[len(PREFIX) + 1:], url.query, body,
                                 self.headers.get("Cookie"), self.headers.get("Referer"))
        if kind == TRUNCATE:
            self._send(response, truncate=True)
            return
        self._send(response, head=head)

    def _send(self, response: Response, truncate: bool = False, head: bool = False) -> None:
        body = response.body
        lines = [f"HTTP/1.1 {response.status} {self.responses.get(response.status, ('',))[0]}\r\n",
                 f"Content-Type: {response.content_type}\r\n",
                 f"Content-Length: {len(body)}\r\n"]
        lines.extend(f"{name}: {value}\r\n" for name, value in response.headers)
        if truncate:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        payload = "".join(lines).encode("latin-1")
        if not head:
            payload += body[: len(body) // 2] if truncate else body
        try:
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:
            self.close_connection = True
            return
        if truncate:
            self.close_connection = True

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), as a dropped connection looks."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    sim: SimulatorServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (killed, interrupted) is no error of the simulator's: only
        other failures are reported (with their traceback, as the standard server does)."""
        if isinstance(sys.exc_info()[1], (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class SimulatorServer:
    """The local registry over HTTP.

    Args:
        registry: the synthetic registry to serve (its clock is the server's clock).
        host: interface to bind (loopback by default).
        port: TCP port; 0 picks a free one.
        faults: fault settings (a :class:`FaultConfig`, a dict of its fields, or None for none).
        session_ttl: seconds a search session may stay idle before it times out.
        verbose: log every request to stderr.
        export_cap: rows the CSV export holds at most (the first rows of the results, in their order).
    """

    def __init__(self, registry: Registry, host: str = "127.0.0.1", port: int = 0,
                 faults: FaultConfig | dict[str, Any] | None = None, session_ttl: float = 1800.0,
                 verbose: bool = False, export_cap: int = EXPORT_CAP) -> None:
        if export_cap < 1:
            raise ValueError(f"export cap must be at least 1 row, got {export_cap}")
        self.registry = registry
        self.export_cap = export_cap
        self.faults = FaultInjector(_fault_config(faults))
        self.sessions = Sessions(session_ttl)
        self.attachments = AttachmentServlet(registry)
        #: TTB's open files (List of Permittees, processing times) at www.ttb.gov's paths, on the same port.
        self.open_data = OpenDataFiles(registry)
        self.verbose = verbose
        self.stopping = threading.Event()
        self.requests: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sim = self
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def host(self) -> str:
        """The bound address."""
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        """The bound port."""
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT/colasonline``, the pipeline's ``base_url``."""
        return f"http://{self.host}:{self.port}{PREFIX}"

    @property
    def site_url(self) -> str:
        """``http://HOST:PORT``, the open-data source's ``base_url`` (TTB's www.ttb.gov)."""
        return f"http://{self.host}:{self.port}"

    @property
    def control_url(self) -> str:
        """``http://HOST:PORT/__sim__``."""
        return f"http://{self.host}:{self.port}{CONTROL}"

    def start(self) -> SimulatorServer:
        """Serve in a background daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"ttb-sim-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until :meth:`stop` (or KeyboardInterrupt)."""
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving, release hanging responses and close the socket."""
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ clock and faults
    def set_as_of(self, as_of: date | str) -> None:
        """Move the registry clock."""
        self.registry.set_as_of(date.fromisoformat(as_of) if isinstance(as_of, str) else as_of)

    def set_faults(self, faults: FaultConfig | dict[str, Any] | None = None, **settings: Any) -> None:
        """Replace the fault settings (``set_faults()`` clears them; keywords are FaultConfig fields)."""
        config = _fault_config(faults)
        if settings:
            config = FaultConfig.from_dict({**config.to_dict(), **settings})
        self.faults.configure(config)

    # ------------------------------------------------------------------ routes
    def _count(self, name: str) -> None:
        with self._lock:
            self.requests[name] = self.requests.get(name, 0) + 1

    def route(self, method: str, path: str, query: str, body: bytes, cookie_header: str | None,
              referer: str | None = None) -> Response:
        """Answer one registry request (after fault injection)."""
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        self._count(path)
        if path == "viewColaDetails.do":
            action = params.get("action")
            ttb_id = params.get("ttbid", "").strip()
            if fault_pages.server_error(self.faults.config, action, ttb_id):
                return Response(fault_pages.server_error_page(500), 500)
            record = self.registry.raw(ttb_id) if action in ("publicDisplaySearchBasic", "publicFormDisplay") else None
            if record is None:
                return Response(render.not_found_page())
            faulty = fault_pages.cola_page(self.faults.config, action, ttb_id, record)
            if faulty is not None:
                return Response(faulty)
            if action == "publicDisplaySearchBasic":
                return Response(render.detail_page(record))
            return self._form(record, cookie_header)
        if path == "publicViewAttachment.do":
            session = self.sessions.get(_cookie(cookie_header))
            image, content_type = self.attachments.serve(params.get("filename", ""), session and session.sid, referer)
            return Response(image, content_type=content_type)
        if path == "publicViewSignature.do":
            return Response(render.signature_image(), content_type="image/gif")
        if path == "publicSearchColasBasic.do":
            session = self.sessions.get(_cookie(cookie_header)) or self.sessions.create()
            session.criteria = {}
            page = render.search_form_page({"searchCriteria.dateCompletedTo": render.today_us(self.registry.as_of)})
            return Response(page, headers=[("Set-Cookie", f"{COOKIE}={session.sid}; Path={PREFIX}; HttpOnly")])
        if path in ("publicSearchColasBasicProcess.do", "publicPageBasicCola.do", "publicSaveSearchResultsToFile.do"):
            session = self.sessions.get(_cookie(cookie_header))
            if session is None:
                return Response(render.session_timeout_page())
            return self._search(session, path, params, body)
        return Response(render.error_page("The requested page was not found."), 404)

    def _form(self, record: dict[str, Any], cookie_header: str | None) -> Response:
        """The printable form; the session (started here if need be) is bound to it for the image servlet."""
        session = self.sessions.get(_cookie(cookie_header))
        headers = []
        if session is None:
            session = self.sessions.create()
            headers.append(("Set-Cookie", f"{COOKIE}={session.sid}; Path={PREFIX}; HttpOnly"))
        self.attachments.bind(session.sid, record["ttb_id"])
        return Response(render.form_page(record), headers=headers)

    def _search(self, session: Session, path: str, params: dict[str, str], body: bytes) -> Response:
        if path == "publicSearchColasBasicProcess.do":
            if params.get("action") == "clear":
                session.criteria, session.results, session.page = {}, None, 0
                return Response(render.search_form_page())
            form = {k: v[-1] for k, v in parse_qs(body.decode("latin-1"), keep_blank_values=True).items()}
            error, results = run_search(self.registry, form)
            if error:
                return Response(render.search_form_page(form, error))
            results = fault_pages.listing(self.faults.config, results)
            session.criteria, session.results, session.page = form, results, 0
            return self._results(session)
        if session.results is None:
            return Response(render.search_form_page())
        if path == "publicSaveSearchResultsToFile.do":
            headers = [("Content-Disposition", "attachment; filename=\"SearchResults.csv\"")]
            return Response(render.export_csv(session.results[:self.export_cap]),
                            content_type="text/csv;charset=ISO-8859-1", headers=headers)
        action = params.get("action")
        if action == "sort":
            session.results = list(session.results)  # every record, to sort by any column
            sort_results(session.results, params.get("sortcol", "ttbId"), params.get("order", "asc"))
            session.page = 0
        elif params.get("pgfcn") == "nextset":
            session.page = min(session.page + 1, session.pages - 1)
        elif params.get("pgfcn") == "prevset":
            session.page = max(session.page - 1, 0)
        return self._results(session)

    def _results(self, session: Session) -> Response:
        rows = session.page_rows()
        total = len(session.results or [])
        return Response(render.search_results_page(
            rows, session.page * PAGE_SIZE + 1, total, session.page > 0, session.page < session.pages - 1))

    def control(self, method: str, path: str, query: str, body: bytes) -> Response:
        """The ``/__sim__`` control endpoints (JSON)."""
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            return _json({"error": "body is not JSON"}, 400)
        try:
            if path == "/health":
                return _json({"ok": True, "seed": self.registry.seed, "as_of": self.registry.as_of.isoformat()})
            if path == "/as_of":
                if method == "POST":
                    self.set_as_of(params.get("date") or payload.get("as_of") or payload.get("date"))
                return _json({"as_of": self.registry.as_of.isoformat()})
            if path == "/faults":
                if method == "POST":
                    self.set_faults(FaultConfig.from_dict(payload))
                return _json({"faults": self.faults.config.to_dict(), "counts": dict(self.faults.counts)})
            if path == "/sessions/expire" and method == "POST":
                self.sessions.expire_all()
                return _json({"ok": True})
            if path == "/stats":
                with self._lock:
                    requests = dict(self.requests)
                return _json({"requests": requests, "faults": dict(self.faults.counts)})
        except (TypeError, ValueError) as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"error": f"unknown control path {path}"}, 404)


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data).encode(), status, "application/json")


def _cookie(header: str | None) -> str | None:
    if not header:
        return None
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


def _fault_config(faults: FaultConfig | dict[str, Any] | None) -> FaultConfig:
    if isinstance(faults, FaultConfig):
        return faults
    return FaultConfig.from_dict(faults)
