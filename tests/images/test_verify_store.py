"""Verification (magic bytes + full decode) and content-addressed storage."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from ttb_cola.images.store import ImageStore, default_images_url, relative_path, sha256_hex
from ttb_cola.images.verify import Verdict, check
from ttb_cola_sim.attachments import UNABLE_TO_RENDER
from ttb_cola_sim.render import error_page


def _encoded(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, fmt)
    return out.getvalue()


def test_images_decode_with_format_and_pixel_size() -> None:
    for fmt, ext in (("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("TIFF", "tif"), ("BMP", "bmp")):
        checked = check(_encoded(fmt))
        assert checked.is_image and (checked.image_format, checked.extension) == (fmt, ext)
        assert (checked.width, checked.height) == (40, 30)


def test_html_answers_are_never_images() -> None:
    assert check(UNABLE_TO_RENDER).verdict is Verdict.UNABLE_TO_RENDER
    assert check(error_page("An error has occurred in the system.")).verdict is Verdict.HTML_ERROR
    assert check(b"\x00\x01garbage").verdict is Verdict.UNKNOWN
    assert check(b"").verdict is Verdict.UNKNOWN


def test_magic_bytes_alone_are_not_enough() -> None:
    jpeg, png = _encoded("JPEG", (300, 200)), _encoded("PNG", (300, 200))
    assert check(jpeg[: len(jpeg) // 2]).verdict is Verdict.CORRUPT
    assert check(png[: len(png) // 2]).verdict is Verdict.CORRUPT
    assert check(b"\x89PNG\r\n\x1a\n<html>").verdict is Verdict.CORRUPT


def test_content_addressing_stores_each_file_once(tmp_path: Path) -> None:
    store = ImageStore(str(tmp_path / "images"))
    body = _encoded("PNG")
    digest, written = store.put(body, "png")
    assert written and digest == sha256_hex(body)
    assert store.put(body, "png") == (digest, False) and store.writes == 1
    assert (tmp_path / "images" / digest[:2] / f"{digest}.png").read_bytes() == body
    assert store.exists(digest, "png") and not store.exists(digest, "jpg")
    assert relative_path(digest, "png") == f"{digest[:2]}/{digest}.png"
    assert not list((tmp_path / "images").rglob("*.tmp"))
    assert ImageStore(str(tmp_path / "images")).put(body, "png")[1] is False  # another process sees it


def test_fsspec_urls_and_defaults() -> None:
    store = ImageStore("memory://ttb-images-test/images")
    body = _encoded("JPEG")
    digest, written = store.put(body, "jpg")
    assert written and store.get(digest, "jpg") == body
    assert store.url_of(digest, "jpg") == f"memory://ttb-images-test/images/{digest[:2]}/{digest}.jpg"
    assert default_images_url() == "data/images"
    assert default_images_url("s3://bucket/prefix/") == "s3://bucket/prefix/images"
