"""The ``cola_images`` and ``cola_barcodes`` tables: column contract and rows of fetch results.

``cola_images``: one row per TTB ID x label position (1-based, as ``cola_label_images``), merged
on that key. ``cola_barcodes``: one row per TTB ID x image sha256 x GTIN, merged on that key (a
refetched image that no longer shows a code does not delete its old row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ttb_cola.records import Spec, columns

if TYPE_CHECKING:  # a reparse loads these tables' resources without the image fetcher's HTTP and decoders
    from ttb_cola.images.fetch import ImageResult

IMAGES_TABLE = "cola_images"
BARCODES_TABLE = "cola_barcodes"
IMAGE_KEY = ("ttb_id", "position")
BARCODE_KEY = ("ttb_id", "image_sha256", "gtin")

IMAGE_SPECS: dict[str, Spec] = {
    "ttb_id": ("text", False),
    "position": ("bigint", False),
    "image_type": ("text", True),
    "filename": ("text", False),
    "status": ("text", False),
    "sha256": ("text", True),
    "bytes": ("bigint", True),
    "format": ("text", True),
    "extension": ("text", True),
    "width_px": ("bigint", True),
    "height_px": ("bigint", True),
    "image_url": ("text", True),
    "shared_with_previous": ("bool", False),
    "mixups": ("bigint", False),
    "requests": ("bigint", False),
    "detail": ("text", True),
    "fetched_at": ("timestamp", False),
}
BARCODE_SPECS: dict[str, Spec] = {
    "ttb_id": ("text", False),
    "image_sha256": ("text", False),
    "position": ("bigint", False),
    "symbology": ("text", False),
    "gtin": ("text", False),
    "raw_text": ("text", False),
    "placeholder": ("bool", False),
    "fetched_at": ("timestamp", False),
}
IMAGE_COLUMNS = columns(IMAGE_SPECS)
BARCODE_COLUMNS = columns(BARCODE_SPECS)
#: (table, merge key, columns) of each image table, for the dlt sources.
IMAGE_TABLES = ((IMAGES_TABLE, IMAGE_KEY, IMAGE_COLUMNS), (BARCODES_TABLE, BARCODE_KEY, BARCODE_COLUMNS))


def image_row(result: ImageResult, image_url: str | None = None) -> dict[str, Any]:
    """The ``cola_images`` row of one result (``image_url``: where the store keeps it)."""
    return {
        "ttb_id": result.ttb_id,
        "position": result.position,
        "image_type": result.image_type,
        "filename": result.filename,
        "status": result.status,
        "sha256": result.sha256,
        "bytes": result.bytes,
        "format": result.image_format,
        "extension": result.extension,
        "width_px": result.width_px,
        "height_px": result.height_px,
        "image_url": image_url,
        "shared_with_previous": result.shared_with_previous,
        "mixups": result.mixups,
        "requests": result.requests,
        "detail": result.detail,
        "fetched_at": result.fetched_at,
    }


def barcode_rows(result: ImageResult) -> Iterator[dict[str, Any]]:
    """The ``cola_barcodes`` rows of one result (none unless stored and a code was read)."""
    for barcode in result.barcodes:
        yield {
            "ttb_id": result.ttb_id,
            "image_sha256": result.sha256,
            "position": result.position,
            "symbology": barcode.symbology,
            "gtin": barcode.gtin,
            "raw_text": barcode.raw_text,
            "placeholder": barcode.placeholder,
            "fetched_at": result.fetched_at,
        }


def rows(results: Iterable[ImageResult], url_of: Any = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, row) for every result: its image row, then its barcode rows."""
    for result in results:
        url = url_of(result.sha256, result.extension) if url_of and result.sha256 else None
        yield IMAGES_TABLE, image_row(result, url)
        for row in barcode_rows(result):
            yield BARCODES_TABLE, row
