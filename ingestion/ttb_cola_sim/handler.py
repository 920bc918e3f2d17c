"""The HTTP layer: each request is dispatched to the control URLs, TTB's open files, or through fault
injection to the registry's routes, and the answer is written byte for byte (or broken, as a fault says).
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from ttb_cola_sim import fault_pages, render
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
    FaultInjector,
)
from ttb_cola_sim.open_data import OpenDataFiles
from ttb_cola_sim.responses import CONTROL, PREFIX, Response


class Site(Protocol):
    """What the handler serves (the :class:`~ttb_cola_sim.server.SimulatorServer`)."""

    verbose: bool
    stopping: threading.Event
    faults: FaultInjector
    open_data: OpenDataFiles

    def route(self, method: str, path: str, query: str, body: bytes, cookie_header: str | None,
              referer: str | None = None) -> Response: ...

    def control(self, method: str, path: str, query: str, body: bytes) -> Response: ...


class RequestHandler(BaseHTTPRequestHandler):
    """One connection's requests, answered as the registry's Apache front end does."""

    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    server: SimHTTPServer

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


class SimHTTPServer(ThreadingHTTPServer):
    """The listening socket, one daemon thread per connection, serving a :class:`Site`."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    sim: Site

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (killed, interrupted) is no error of the simulator's: only
        other failures are reported (with their traceback, as the standard server does)."""
        if isinstance(sys.exc_info()[1], (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)
