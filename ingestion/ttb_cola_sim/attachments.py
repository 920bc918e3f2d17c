"""The label-image servlet (``publicViewAttachment.do``) with the real one's behaviours.

- it is bound to the session: it serves an image of the COLA whose printable form the session
  last displayed; a filename that COLA does not have gets that COLA's first image (asking for A's
  file after viewing B returns B's image);
- without the session cookie (a session that displayed a form) or without a Referer it answers an
  HTML error page (HTTP 200);
- some images are broken for good (``broken_rate``, fixed per image) and some answers fail once
  (``unrenderable_rate``, per request): HTTP 200 with the HTML "Unable to render attachment" page;
- now and then (``stale_rate``, per request) it serves the image of the COLA the session displayed
  *before* the current one (the mix-up others observed), so a client must check its bytes.
"""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass
from typing import Any

from ttb_cola_sim import labels, render
from ttb_cola_sim.registry import Registry

HTML = "text/html;charset=ISO-8859-1"
UNABLE_TO_RENDER = (
    b"<html><head><title>TTB Online - COLAs Online</title></head><body>"
    b"<p>Unable to render attachment.</p></body></html>"
)


@dataclass
class AttachmentConfig:
    """How often the servlet misbehaves (all 0 but a few broken images by default)."""

    broken_rate: float = 0.02
    unrenderable_rate: float = 0.0
    stale_rate: float = 0.0


class AttachmentServlet:
    """Answers label-image requests from the session's last displayed form."""

    def __init__(self, registry: Registry, config: AttachmentConfig | None = None) -> None:
        self.registry = registry
        self.config = config or AttachmentConfig()
        self._lock = threading.Lock()
        self._bound: dict[str, tuple[str, str | None]] = {}  # sid -> (current ttb_id, previous ttb_id)
        self._rng = random.Random(registry.seed)
        self.counts: dict[str, int] = {}
        self.fail_next = 0  # the next N image answers are "Unable to render attachment" (tests)

    def configure(self, **settings: float) -> None:
        """Set misbehaviour rates (fields of :class:`AttachmentConfig`)."""
        self.config = AttachmentConfig(**{**self.config.__dict__, **settings})

    def bind(self, sid: str, ttb_id: str) -> None:
        """The session displayed this COLA's printable form."""
        with self._lock:
            current = self._bound.get(sid)
            self._bound[sid] = (ttb_id, current[0] if current and current[0] != ttb_id else None)

    def serve(self, filename: str, sid: str | None, referer: str | None) -> tuple[bytes, str]:
        """The body and content type answering a request for ``filename``."""
        with self._lock:
            bound = self._bound.get(sid or "")
            roll_unrenderable, roll_stale = self._rng.random(), self._rng.random()
            failing = self.fail_next > 0 and bound is not None and bool(referer)
            self.fail_next -= failing
        if bound is None or not referer:
            self._count("error")
            return render.error_page("An error has occurred in the system."), HTML
        record = self.registry.raw(bound[0])
        if record is None or not record["label_images"]:
            self._count("error")
            return render.error_page("An error has occurred in the system."), HTML
        position = _position(record, filename)
        if failing or self._broken(record["ttb_id"], position) or roll_unrenderable < self.config.unrenderable_rate:
            self._count("unable_to_render")
            return UNABLE_TO_RENDER, HTML
        if bound[1] is not None and roll_stale < self.config.stale_rate:
            previous = self.registry.raw(bound[1])
            if previous is not None and previous["label_images"]:
                self._count("stale")
                # an image the servlet does serve for that COLA (a form may list one file name twice)
                named = previous["label_images"][min(position, len(previous["label_images"]) - 1)]["filename"]
                return labels.label_image(self.registry.seed, previous, _position(previous, named))
        self._count("image")
        return labels.label_image(self.registry.seed, record, position)

    def broken(self, ttb_id: str, position: int) -> bool:
        """True when this image always answers "Unable to render attachment"."""
        return self._broken(ttb_id, position)

    def _broken(self, ttb_id: str, position: int) -> bool:
        digest = hashlib.sha256(f"{self.registry.seed}:broken:{ttb_id}:{position}".encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32 < self.config.broken_rate

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1


def _position(record: dict[str, Any], filename: str) -> int:
    for position, image in enumerate(record["label_images"]):
        if image["filename"] == filename:
            return position
    return 0
