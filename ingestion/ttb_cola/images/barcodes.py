"""UPC/EAN (and ITF-14) barcodes read from label images with zxing-cpp, validated, as GTIN-14.

zxing reports a UPC-A as an EAN-13 with a leading 0 and a UPC-E expanded to its UPC-A digits; both
are told apart again here. A read counts only when its digits have the length of its symbology and
a valid GS1 check digit (an ITF read of 10 digits, a partial scan, is dropped), so what is kept is
precise by construction. Codes that are not real products (all zeros, one repeated digit, a run of
sequential digits) are kept but flagged ``placeholder``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import zxingcpp
from PIL import Image

_FORMATS = (
    zxingcpp.BarcodeFormat.EAN13,
    zxingcpp.BarcodeFormat.UPCA,
    zxingcpp.BarcodeFormat.UPCE,
    zxingcpp.BarcodeFormat.EAN8,
    zxingcpp.BarcodeFormat.ITF,
)
_LENGTHS = {"EAN-13": (13,), "UPC-A": (12,), "UPC-E": (8, 12, 13), "EAN-8": (8,), "ITF-14": (14,)}
_SEQUENTIAL = "01234567890123456789"


@dataclass(frozen=True, slots=True)
class Barcode:
    """One validated barcode of an image."""

    symbology: str
    gtin: str  # GTIN-14
    raw_text: str
    placeholder: bool


def check_digit_ok(code: str) -> bool:
    """True when the last digit is the GS1 mod-10 check digit of the others."""
    if not code.isdigit() or len(code) < 2:
        return False
    body, check = code[:-1], int(code[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def is_placeholder(gtin: str) -> bool:
    """All zeros, one repeated digit, or sequential digits: not a real trade item number."""
    body = gtin[:-1].lstrip("0")
    return len(set(body)) <= 1 or (len(body) >= 6 and body in _SEQUENTIAL)


def expand_upce(code: str) -> str:
    """An 8-digit UPC-E (number system, 6 digits, check) as its 12-digit UPC-A."""
    ns, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = d[:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[:4] + "00000" + d[4]
    else:
        body = d[:5] + "0000" + last
    return ns + body + check


def normalise(symbology_hint: str, text: str) -> Barcode | None:
    """A zxing read as a validated :class:`Barcode`, or None when it fails validation."""
    digits = text.strip()
    if not digits.isdigit():
        return None
    symbology = symbology_hint
    if symbology == "EAN-13" and len(digits) == 13 and digits.startswith("0"):
        symbology, digits = "UPC-A", digits[1:]
    if symbology == "UPC-E" and len(digits) == 8:
        digits = expand_upce(digits)
    if symbology == "ITF" and len(digits) == 14:
        symbology = "ITF-14"
    if len(digits) not in _LENGTHS.get(symbology, ()) or not check_digit_ok(digits):
        return None
    gtin = digits.zfill(14)
    return Barcode(symbology, gtin, text, is_placeholder(gtin))


_NAMES = {
    zxingcpp.BarcodeFormat.EAN13: "EAN-13",
    zxingcpp.BarcodeFormat.UPCA: "UPC-A",
    zxingcpp.BarcodeFormat.UPCE: "UPC-E",
    zxingcpp.BarcodeFormat.EAN8: "EAN-8",
    zxingcpp.BarcodeFormat.ITF: "ITF",
}


def read_image(image: Image.Image) -> list[Barcode]:
    """Every valid barcode in a decoded image, one per GTIN, in reading order."""
    gray = image.convert("L") if image.mode != "L" else image
    found: dict[str, Barcode] = {}
    # the stub asks for BarcodeFormats, built with `|`, which zxing-cpp deprecates for a tuple
    for result in zxingcpp.read_barcodes(gray, formats=_FORMATS):  # type: ignore[arg-type]
        name = _NAMES.get(result.format)
        barcode = normalise(name, result.text) if name else None
        if barcode is not None and barcode.gtin not in found:
            found[barcode.gtin] = barcode
    return list(found.values())


def read_bytes(body: bytes) -> list[Barcode]:
    """Every valid barcode in an encoded image (empty when it cannot be decoded)."""
    try:
        with Image.open(io.BytesIO(body)) as img:
            img.load()
            return read_image(img)
    except (OSError, ValueError, SyntaxError):
        return []
