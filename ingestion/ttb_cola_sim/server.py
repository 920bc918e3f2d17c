"""The simulator's HTTP server: the registry's own URLs under ``/colasonline`` on loopback.

Its parts, each in its own module: the registry's URLs (:mod:`~ttb_cola_sim.routes`), TTB's open
files at www.ttb.gov's paths (:mod:`~ttb_cola_sim.open_data`, never faulted), the control URLs under
``/__sim__`` (:mod:`~ttb_cola_sim.control`, never faulted), the HTTP layer that injects faults
(:mod:`~ttb_cola_sim.handler`) and the request counts (:mod:`~ttb_cola_sim.accounting`). This module
puts them together and runs them.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from ttb_cola_sim.accounting import RequestCounts
from ttb_cola_sim.attachments import AttachmentServlet
from ttb_cola_sim.control import Controls, fault_config
from ttb_cola_sim.faults import FaultConfig, FaultInjector
from ttb_cola_sim.handler import RequestHandler, SimHTTPServer
from ttb_cola_sim.open_data import OpenDataFiles
from ttb_cola_sim.registry import Registry
from ttb_cola_sim.responses import CONTROL, HTML, PREFIX, Response
from ttb_cola_sim.routes import COOKIE, RegistryRoutes
from ttb_cola_sim.search import EXPORT_CAP, Sessions

__all__ = ["CONTROL", "COOKIE", "HTML", "PREFIX", "Response", "SimulatorServer"]


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
        self.faults = FaultInjector(fault_config(faults))
        self.sessions = Sessions(session_ttl)
        self.attachments = AttachmentServlet(registry)
        #: TTB's open files (List of Permittees, processing times) at www.ttb.gov's paths, on the same port.
        self.open_data = OpenDataFiles(registry)
        self.verbose = verbose
        self.stopping = threading.Event()
        #: Registry requests answered, by path.
        self.requests = RequestCounts()
        self._routes = RegistryRoutes(registry, self.faults, self.sessions, self.attachments, self.requests,
                                      export_cap)
        self._controls = Controls(registry, self.faults, self.sessions, self.requests)
        self._httpd = SimHTTPServer((host, port), RequestHandler)
        self._httpd.sim = self
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def host(self) -> str:
        """The bound address."""
        return str(self._httpd.server_address[0])

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
        self._controls.set_as_of(as_of)

    def set_faults(self, faults: FaultConfig | dict[str, Any] | None = None, **settings: Any) -> None:
        """Replace the fault settings (``set_faults()`` clears them; keywords are FaultConfig fields)."""
        self._controls.set_faults(faults, **settings)

    # ------------------------------------------------------------------ what the handler dispatches to
    def route(self, method: str, path: str, query: str, body: bytes, cookie_header: str | None,
              referer: str | None = None) -> Response:
        """Answer one registry request (after fault injection): see :mod:`~ttb_cola_sim.routes`."""
        return self._routes.answer(method, path, query, body, cookie_header, referer)

    def control(self, method: str, path: str, query: str, body: bytes) -> Response:
        """The ``/__sim__`` control endpoints (JSON): see :mod:`~ttb_cola_sim.control`."""
        return self._controls.answer(method, path, query, body)
