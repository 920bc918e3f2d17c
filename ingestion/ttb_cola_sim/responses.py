"""What the simulator's routes answer, and the URL roots they are found under."""

from __future__ import annotations

#: The registry's own URLs, as on ttbonline.gov.
PREFIX = "/colasonline"
#: The simulator's control URLs (never faulted).
CONTROL = "/__sim__"
HTML = "text/html;charset=ISO-8859-1"


class Response:
    """What a route produced."""

    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(self, body: bytes, status: int = 200, content_type: str = HTML,
                 headers: list[tuple[str, str]] | None = None) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or []
