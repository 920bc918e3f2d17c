"""Label images: fetched with the servlet's session protocol, verified, stored by content, barcodes read.

Re-exports resolved on first use, so that the image tables' resources (:mod:`ttb_cola.images.source`, which a
reparse loads) do not import the HTTP client and the image decoders.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {"ImageResult": "ttb_cola.images.fetch", "fetch_images": "ttb_cola.images.fetch"}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ttb_cola.images' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
