"""Label images: fetched with the servlet's session protocol, verified, stored by content, barcodes read.

Re-exports resolved on first use, so that the image tables' resources (:mod:`ttb_cola.images.source`, which a
reparse loads) do not import the HTTP client and the image decoders.
"""

from __future__ import annotations

from ttb_cola.lazy_exports import lazy_exports

_EXPORTS = {"ImageResult": "ttb_cola.images.fetch", "fetch_images": "ttb_cola.images.fetch"}


__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = sorted(_EXPORTS)
