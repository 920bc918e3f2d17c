"""What the simulator tests share besides their fixtures (tests/simulator/conftest.py): the simulator's set-up,
a plain HTTP client, page URLs and a page's tag skeleton. Imported by name (a test never imports ``conftest``,
which names a different module in each test folder)."""

from __future__ import annotations

import http.client
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from ttb_cola_sim.server import SimulatorServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AS_OF = date(2025, 6, 30)
SEED = 11


class Client:
    """A minimal keep-alive HTTP client with a cookie, so tests see exactly what the server sends."""

    def __init__(self, server: SimulatorServer, timeout: float = 10.0) -> None:
        self.server = server
        self.timeout = timeout
        self.cookie: str | None = None
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """Send one request to ``/colasonline/<path>`` (or an absolute path); return status, headers, body."""
        url = path if path.startswith("/") else f"/colasonline/{path}"
        all_headers = dict(headers or {})
        if self.cookie:
            all_headers["Cookie"] = self.cookie
        if body is not None:
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        self.conn.request(method, url, body=body, headers=all_headers)
        response = self.conn.getresponse()
        data = response.read()
        header_map = {k.lower(): v for k, v in response.getheaders()}
        if "set-cookie" in header_map:
            self.cookie = header_map["set-cookie"].split(";")[0]
        return response.status, header_map, data

    def get(self, path: str) -> bytes:
        """GET and return the body (asserting HTTP 200)."""
        status, _, body = self.request("GET", path)
        assert status == 200, status
        return body

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def detail_path(ttb_id: str) -> str:
    """The detail page URL of an ID."""
    return f"viewColaDetails.do?action=publicDisplaySearchBasic&ttbid={ttb_id}"


def form_path(ttb_id: str) -> str:
    """The printable form URL of an ID."""
    return f"viewColaDetails.do?action=publicFormDisplay&ttbid={ttb_id}"


class _Skeleton(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append((f"/{tag}", ()))


def skeleton(body: bytes) -> list[tuple[str, tuple[str, ...]]]:
    """The page's tag/attribute-name sequence, text and attribute values removed."""
    parser = _Skeleton()
    parser.feed(body.decode("iso-8859-1"))
    parser.close()
    return parser.tags
