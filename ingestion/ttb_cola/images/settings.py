"""The crawl's image settings for one chunk: which images, where they are stored, what is stored already."""

from __future__ import annotations

from typing import Any

from ttb_cola.images.known import KnownImages
from ttb_cola.images.store import default_images_url


def crawl_image_settings(which: str, images_url: str | None, destination: str, dataset: str,
                         lake: Any) -> dict[str, Any]:
    """The ``ttb_cola`` source's image arguments: ``images``, and with images on the store
    (``images_url``, else ``data/images`` or ``<bucket_url>/images``) and the
    :class:`KnownImages` read from the destination (close it after the load)."""
    if which == "none":
        return {"images": which}
    url = images_url or default_images_url(lake.bucket_url if lake is not None else None)
    return {
        "images": which,
        "images_url": url,
        "images_options": lake.storage_options() if lake is not None and "://" in url else None,
        "known_images": KnownImages.read(destination, dataset, lake),
    }
