"""Is this answer a label image? Magic bytes first, then a full Pillow decode.

The servlet answers HTTP 200 whatever happens, with an HTML page ("Unable to render attachment",
or an error page without a session/Referer) where an image should be; such an answer must never
be stored as an image. Only bytes whose magic matches a known image format *and* that Pillow
decodes completely (``Image.load()``, not just the header) count.
"""

from __future__ import annotations

import enum
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# magic prefix -> (Pillow format, file extension)
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "JPEG", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "PNG", "png"),
    (b"GIF87a", "GIF", "gif"),
    (b"GIF89a", "GIF", "gif"),
    (b"II*\x00", "TIFF", "tif"),
    (b"MM\x00*", "TIFF", "tif"),
    (b"BM", "BMP", "bmp"),
)
EXTENSIONS = {fmt: ext for _, fmt, ext in _MAGIC}
MAX_PIXELS = 80_000_000


class Verdict(enum.StrEnum):
    """What an answer of the image servlet is."""

    IMAGE = "image"
    UNABLE_TO_RENDER = "unable_to_render"  # HTTP 200 HTML "Unable to render attachment"
    HTML_ERROR = "html_error"  # any other HTML page (no session, no Referer, error page)
    CORRUPT = "corrupt"  # image magic, but Pillow cannot decode it all
    UNKNOWN = "unknown"  # neither HTML nor a known image format


@dataclass(frozen=True, slots=True)
class Checked:
    """The verdict on one body, with the decoded image's format and pixel size when it is one."""

    verdict: Verdict
    image_format: str | None = None
    extension: str | None = None
    width: int | None = None
    height: int | None = None
    detail: str | None = None

    @property
    def is_image(self) -> bool:
        """True for a fully decoded image."""
        return self.verdict is Verdict.IMAGE


def sniff(body: bytes) -> tuple[str, str] | None:
    """(Pillow format, extension) from the magic bytes, or None."""
    for magic, fmt, ext in _MAGIC:
        if body.startswith(magic):
            return fmt, ext
    return None


def is_html(body: bytes) -> bool:
    """True when the body looks like an HTML page."""
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<p", b"<table", b"<?xml")) or b"<html" in head


def check(body: bytes) -> Checked:
    """The verdict on one servlet answer."""
    magic = sniff(body)
    if magic is None:
        if is_html(body):
            text = body[:20_000].decode("latin-1").lower()
            if "unable to render attachment" in text:
                return Checked(Verdict.UNABLE_TO_RENDER, detail="Unable to render attachment")
            return Checked(Verdict.HTML_ERROR, detail="HTML page instead of an image")
        return Checked(Verdict.UNKNOWN, detail=f"unrecognised {len(body)}-byte answer")
    fmt, ext = magic
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body), formats=[fmt]) as img:
                if img.width * img.height > MAX_PIXELS:
                    return Checked(Verdict.CORRUPT, fmt, ext, detail="too many pixels")
                img.load()
                return Checked(Verdict.IMAGE, fmt, ext, img.width, img.height)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        return Checked(Verdict.CORRUPT, fmt, ext, detail=f"{type(exc).__name__}: {exc}"[:200])
