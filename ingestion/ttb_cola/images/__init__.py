"""Label images: fetched with the servlet's session protocol, verified, stored by content, barcodes read."""

from ttb_cola.images.fetch import ImageResult, fetch_images

__all__ = ["ImageResult", "fetch_images"]
