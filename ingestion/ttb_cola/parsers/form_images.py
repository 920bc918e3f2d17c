"""The label images of the printable form: attachment file names with their printed type and size."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from selectolax.lexbor import LexborNode

from ttb_cola.parsers.tags import IMG, TEXT, P
from ttb_cola.text import squash

_DIMENSIONS = re.compile(r"([\d.]+)\s*inch(?:es)?\s*W\s*X\s*([\d.]+)\s*inch(?:es)?\s*H", re.IGNORECASE)


def label_images(imgs: Iterable[LexborNode]) -> list[dict[str, Any]]:
    """Of the page's ``<img>`` elements, every label attachment image, with the "Image Type" and
    "Actual Dimensions" printed above it.

    Only ``publicViewAttachment.do`` images with ``filetype=l`` count; the signature image
    (``publicViewSignature.do``) is not a label.
    """
    images: list[dict[str, Any]] = []
    for img in imgs:
        src = img.attrs.get("src") or ""  # the one attribute read of every image (no dict of them all)
        if "publicViewAttachment.do" not in src:
            continue
        _, found, query = src.partition("filename=")
        if not found:
            continue
        filename, _, filetype = query.rpartition("&filetype=")
        if not filename:
            filename, filetype = query, ""
        if filetype.split("&")[0] not in ("l", ""):
            continue
        image_type, width, height = _caption(img)
        if image_type is None:
            alt = squash(img.attrs.get("alt")) or ""
            image_type = squash(alt.partition(":")[2]) if alt.lower().startswith("label image") else None
        images.append(
            {"image_type": image_type, "filename": unquote(filename), "width_in": width, "height_in": height}
        )
    return images


def _caption(img: LexborNode) -> tuple[str | None, float | None, float | None]:
    """Walk back from a label ``<img>`` to its ``<p>Image Type:</p>``, reading type and dimensions.

    The texts between are, in page order: the type, "Actual Dimensions: W inches W X H inches H"
    and, for large labels, a "reduced to fit" note. They are kept as they are (the pattern reads
    any whitespace) and only the type is cleaned.
    """
    texts: list[str] = []
    node = img.prev
    while node is not None:
        tag = node.tag_id
        if tag == TEXT:
            if not node.is_empty_text_node:  # the blank text between the lines, skipped undecoded
                text = node.text_content
                if text and not text.isspace():
                    texts.append(text)
        elif tag == IMG:
            return None, None, None
        elif tag == P and (squash(node.text_lexbor()) or "").lower().startswith("image type"):
            break
        node = node.prev
    else:
        return None, None, None
    if not texts:
        return None, None, None
    texts.reverse()
    first = squash(texts[0])
    image_type = first if first is not None and not first.lower().startswith("actual dimensions") else None
    width = height = None
    for text in texts:
        # the pattern holds an "X" (any case): a text without one is not searched
        match = _DIMENSIONS.search(text) if "X" in text or "x" in text else None
        if match:
            width, height = float(match.group(1)), float(match.group(2))
            break
    return image_type, width, height
