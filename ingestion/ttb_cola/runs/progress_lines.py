"""The progress lines a long command prints on stderr (logger ``ttb_cola.progress``)."""

from __future__ import annotations

import logging
import sys


def configure_logging(quiet: bool) -> None:
    """Progress lines on stderr, timestamped (none with ``quiet``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    progress = logging.getLogger("ttb_cola.progress")
    progress.handlers[:] = [handler]
    progress.setLevel(logging.WARNING if quiet else logging.INFO)
    progress.propagate = False
