"""Synthetic label images: brand and fanciful text rendered with Pillow, a real barcode on some.

Everything about a label follows from ``(seed, record, position)`` through its own hash, so the
registry's record stream is untouched and the same label always renders to the same bytes. The
barcode's GTIN belongs to the company and brand (a brand's renewed COLAs share it); a company's
"WARNING LABEL" files are one shared image (byte-identical across its COLAs), as real filers reuse
a back label. Alcohol, net contents, vintage and age statements with decoys are drawn in a band beside the
label (:mod:`ttb_cola_sim.statements`). :func:`label_truth` gives what was drawn, so tests can check what
the pipeline read.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ttb_cola_sim.statements import Style, label_style, plan_statements

PX_PER_INCH = 60
MIN_PX, MAX_PX = 240, 720
# symbology name -> (zxing format, digits written, weight)
SYMBOLOGIES = {
    "UPC-A": (zxingcpp.BarcodeFormat.UPCA, 11, 50),
    "EAN-13": (zxingcpp.BarcodeFormat.EAN13, 12, 25),
    "UPC-E": (zxingcpp.BarcodeFormat.UPCE, 7, 10),
    "EAN-8": (zxingcpp.BarcodeFormat.EAN8, 7, 10),
    "ITF-14": (zxingcpp.BarcodeFormat.ITF14, 13, 5),
}
_PALETTE = [(250, 244, 230), (235, 245, 250), (245, 235, 240), (240, 250, 235), (255, 255, 255)]


@dataclass(frozen=True)
class LabelSpec:
    """What one label image shows."""

    key: str  # the identity of the bytes: equal keys render equal bytes
    text: tuple[str, ...]
    width: int
    height: int
    image_format: str  # "JPEG" or "PNG"
    symbology: str | None = None
    digits: str | None = None  # the full code written, check digit included
    distortion: str | None = None  # None, "rotated" or "blurred"
    statements: tuple[str, ...] = ()  # alcohol, net contents, vintage, age and decoy lines (ttb_cola_sim.statements)
    style: Style | None = None


def check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of a digit string without it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def _rng(*parts: Any) -> random.Random:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _code(rng: random.Random, symbology: str) -> str:
    """A code of ``symbology`` with a valid check digit (UPC-E: number system 0, zxing expands it)."""
    _, length, _ = SYMBOLOGIES[symbology]
    if symbology == "UPC-E":
        # number system 0, then 6 digits ending 5-9 (that rule needs a non-zero fifth digit)
        body = "0" + "".join(str(rng.randrange(10)) for _ in range(4)) + str(rng.randrange(1, 10)) + str(
            rng.randrange(5, 10))
        return body + check_digit(_upce_to_upca(body))
    lead = "1" if symbology == "ITF-14" else str(rng.randrange(1, 10))
    body = lead + "".join(str(rng.randrange(10)) for _ in range(length - 1))
    return body + check_digit(body)


def _upce_to_upca(body7: str) -> str:
    """UPC-E number system + 6 digits (last digit 5-9) -> the 11 UPC-A digits before the check digit."""
    ns, d = body7[0], body7[1:]
    return ns + d[:5] + "0000" + d[5]


def label_spec(seed: int, record: dict[str, Any], position: int) -> LabelSpec:
    """The label at ``position`` of a COLA's form (deterministic)."""
    image = record["label_images"][position]
    filename = image["filename"]
    image_format = "PNG" if filename.lower().endswith(".png") else "JPEG"
    width = max(MIN_PX, min(MAX_PX, round(image["width_in"] * PX_PER_INCH)))
    height = max(MIN_PX, min(MAX_PX, round(image["height_in"] * PX_PER_INCH)))
    if "WARNING" in filename.upper():
        key = f"{seed}:warning:{record['permit_number']}:{image_format}"
        return LabelSpec(key, ("GOVERNMENT WARNING", record["company_name"] or ""), 480, 320, image_format)
    rng = _rng(seed, record["ttb_id"], position)
    text = (record["brand_name"] or "", (record["fanciful_name"] or "").split("\r")[0], image["image_type"] or "")
    key = f"{seed}:{record['ttb_id']}:{position}"
    drawn = plan_statements(seed, record).lines.get(position, ())
    style = label_style(seed, record["ttb_id"], position) if drawn else None
    if rng.random() >= (0.6 if position == 1 else 0.2):
        return LabelSpec(key, text, width, height, image_format, statements=drawn, style=style)
    product = _rng(seed, "gtin", record["permit_number"], record["brand_name"])
    names = list(SYMBOLOGIES)
    symbology = product.choices(names, weights=[SYMBOLOGIES[n][2] for n in names])[0]
    digits = _code(product, symbology)
    if product.random() < 0.04 and symbology in ("UPC-A", "EAN-13"):  # a filer's placeholder
        digits = "0" * len(digits)
    distortion = None if rng.random() >= 0.25 else rng.choice(["rotated", "blurred"])
    return LabelSpec(key, text, max(width, 360), max(height, 300), image_format, symbology, digits, distortion,
                     drawn, style)


def expected_gtin(spec: LabelSpec) -> str | None:
    """The GTIN-14 the label's barcode encodes (UPC-E expanded), or None without a barcode."""
    if spec.digits is None:
        return None
    if spec.symbology == "UPC-E":
        return _upce_to_upca(spec.digits[:7]).zfill(13) + spec.digits[7]
    return spec.digits.zfill(14)


@lru_cache(maxsize=512)
def render_label(spec: LabelSpec) -> bytes:
    """The encoded image bytes of a label."""
    rng = _rng(spec.key, "render")
    img = Image.new("RGB", (spec.width, spec.height), rng.choice(_PALETTE))
    draw = ImageDraw.Draw(img)
    top = 16
    for i, line in enumerate(t for t in spec.text if t):
        font = ImageFont.load_default(size=28 if i == 0 else 18)
        draw.text((16, top), line[:40], fill=(40, 30, 20), font=font)
        top += 40 if i == 0 else 26
    draw.rectangle((4, 4, spec.width - 5, spec.height - 5), outline=(120, 90, 40), width=3)
    if spec.digits is not None and spec.symbology is not None:
        _draw_barcode(img, spec)
    quality = 90
    if spec.statements and spec.style is not None:
        img = _with_statements(img, spec.statements, spec.style)
        # a barcode keeps a quality it is read at; statements alone meet every quality
        quality = spec.style.quality if spec.digits is None else max(spec.style.quality, 85)
    out = io.BytesIO()
    if spec.image_format == "PNG":
        img.save(out, "PNG")
    else:
        img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _with_statements(base: Image.Image, lines: tuple[str, ...], style: Style) -> Image.Image:
    """The label with a band of statement lines above or below it (never over the barcode), in ``style``."""
    width = max(base.width, 420)
    rendered = [_text_line(line, style, width - 24) for line in lines]
    band = Image.new("RGB", (width, sum(r.height + 8 for r in rendered) + 16), style.paper)
    top = 8
    for r in rendered:
        left = {"left": 12, "center": (width - r.width) // 2, "right": width - r.width - 12}[style.align]
        band.paste(r, (left, top))
        top += r.height + 8
    if style.angle:
        band = band.rotate(style.angle, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=style.paper)
    out = Image.new("RGB", (max(width, band.width), base.height + band.height), style.paper)
    if style.at_top:
        out.paste(band, (0, 0))
        out.paste(base, (0, band.height))
    else:
        out.paste(base, (0, 0))
        out.paste(band, (0, base.height))
    return out


def _text_line(text: str, style: Style, max_width: int) -> Image.Image:
    """One line in the style's size, weight and letter width, shrunk to fit ``max_width``."""
    font = ImageFont.load_default(size=style.size)
    left, top, right, bottom = font.getbbox(text, stroke_width=style.stroke)
    img = Image.new("RGB", (int(right - left) + 4, int(bottom - top) + 4), style.paper)
    ImageDraw.Draw(img).text((2 - left, 2 - top), text, fill=style.ink, font=font, stroke_width=style.stroke,
                             stroke_fill=style.ink)
    scale_x = min(style.x_scale, max_width / img.width)
    scale_y = min(1.0, max_width / img.width) if scale_x < style.x_scale else 1.0
    if scale_x != 1.0 or scale_y != 1.0:
        img = img.resize((max(1, round(img.width * scale_x)), max(1, round(img.height * scale_y))),
                         Image.Resampling.LANCZOS)
    return img


def _draw_barcode(img: Image.Image, spec: LabelSpec) -> None:
    fmt = SYMBOLOGIES[str(spec.symbology)][0]
    barcode = zxingcpp.create_barcode(str(spec.digits), fmt)
    view = memoryview(cast(Any, barcode.to_image(scale=2, add_hrt=True)))  # a buffer; its stub does not say so
    height, width = view.shape or (0, 0)
    code = Image.frombytes("L", (width, height), bytes(view))
    if spec.distortion == "rotated":
        code = code.rotate(_rng(spec.key, "angle").uniform(6, 20), expand=True, fillcolor=255)
    elif spec.distortion == "blurred":
        code = code.filter(ImageFilter.GaussianBlur(_rng(spec.key, "blur").uniform(0.8, 1.8)))
    scale = min(1.0, (img.width - 20) / code.width, (img.height * 0.6) / code.height)
    if scale < 1.0:
        code = code.resize((int(code.width * scale), int(code.height * scale)))
    img.paste(code.convert("RGB"), (img.width - code.width - 10, img.height - code.height - 10))


def label_image(seed: int, record: dict[str, Any], position: int) -> tuple[bytes, str]:
    """The bytes and content type the servlet sends for a label."""
    spec = label_spec(seed, record, position)
    return render_label(spec), "image/png" if spec.image_format == "PNG" else "image/jpeg"


def label_truth(seed: int, record: dict[str, Any]) -> list[dict[str, Any]]:
    """What each label of a COLA shows: position, symbology, GTIN-14, distortion, placeholder."""
    out = []
    for position in range(len(record["label_images"])):
        spec = label_spec(seed, record, position)
        gtin = expected_gtin(spec)
        out.append({"position": position, "symbology": spec.symbology, "gtin": gtin, "key": spec.key,
                    "distortion": spec.distortion, "placeholder": gtin is not None and set(gtin) == {"0"}})
    return out
