"""Barcodes: check digits, GTIN-14, placeholders, and the simulator's drawn GTINs read back."""

from __future__ import annotations

import io

import zxingcpp
from image_helpers import raw_records
from PIL import Image

from ttb_cola.images.barcodes import check_digit_ok, expand_upce, is_placeholder, normalise, read_bytes, read_image
from ttb_cola_sim import labels
from ttb_cola_sim.server import SimulatorServer


def _drawn(text: str, fmt: zxingcpp.BarcodeFormat) -> Image.Image:
    view = memoryview(zxingcpp.create_barcode(text, fmt).to_image(scale=2))
    return Image.frombytes("L", (view.shape[1], view.shape[0]), bytes(view))


def test_check_digits_and_normalisation() -> None:
    assert check_digit_ok("036000291452") and not check_digit_ok("036000291453") and not check_digit_ok("x")
    assert normalise("EAN-13", "0036000291452").symbology == "UPC-A"
    assert normalise("EAN-13", "0036000291452").gtin == "00036000291452"
    assert normalise("EAN-13", "4006381333931").gtin == "04006381333931"
    assert normalise("EAN-8", "96385074").gtin == "00000096385074"
    assert normalise("ITF", "10012345678902").symbology == "ITF-14"
    assert normalise("ITF", "1001234567") is None  # a partial ITF scan
    assert normalise("EAN-13", "4006381333932") is None  # bad check digit
    assert expand_upce("01234565") == "012345000065"
    assert normalise("UPC-E", "01234565").gtin == normalise("UPC-E", "0012345000065").gtin == "00012345000065"


def test_placeholders_are_flagged() -> None:
    assert is_placeholder("00000000000000") and is_placeholder("00777777777777")
    assert is_placeholder(normalise("EAN-13", "0012345678905").gtin)
    assert not is_placeholder("00036000291452")
    assert normalise("EAN-13", "0000000000000").placeholder


def test_every_symbology_read_from_a_drawn_code() -> None:
    cases = [("4006381333931", zxingcpp.BarcodeFormat.EAN13, "EAN-13", "04006381333931"),
             ("036000291452", zxingcpp.BarcodeFormat.UPCA, "UPC-A", "00036000291452"),
             ("01234565", zxingcpp.BarcodeFormat.UPCE, "UPC-E", "00012345000065"),
             ("96385074", zxingcpp.BarcodeFormat.EAN8, "EAN-8", "00000096385074"),
             ("10012345678902", zxingcpp.BarcodeFormat.ITF14, "ITF-14", "10012345678902")]
    for text, fmt, symbology, gtin in cases:
        [barcode] = read_image(_drawn(text, fmt))
        assert (barcode.symbology, barcode.gtin) == (symbology, gtin)
    assert read_bytes(b"<html>") == []


def test_simulator_labels_read_back_to_the_gtins_drawn(sim: SimulatorServer) -> None:
    seen = {"clean": [0, 0], "distorted": [0, 0]}
    for record in raw_records(sim)[:120]:
        for truth in labels.label_truth(sim.registry.seed, record):
            body = labels.label_image(sim.registry.seed, record, truth["position"])[0]
            got = {b.gtin: b for b in read_bytes(body)}
            assert set(got) <= ({truth["gtin"]} if truth["gtin"] else set())  # precision: nothing else read
            if truth["gtin"] is None:
                continue
            kind = "distorted" if truth["distortion"] else "clean"
            seen[kind][0] += 1
            seen[kind][1] += truth["gtin"] in got
            if truth["gtin"] in got:
                assert got[truth["gtin"]].symbology == truth["symbology"]
                assert got[truth["gtin"]].placeholder == truth["placeholder"]
    assert seen["clean"][0] >= 10 and seen["clean"][1] == seen["clean"][0]  # every clean label is read
    assert seen["distorted"][0] >= 2


def test_decoding_an_uploaded_image_file() -> None:
    out = io.BytesIO()
    _drawn("4006381333931", zxingcpp.BarcodeFormat.EAN13).convert("RGB").save(out, "JPEG", quality=85)
    assert [b.gtin for b in read_bytes(out.getvalue())] == ["04006381333931"]
