"""The text recogniser: RapidOCR on onnxruntime, with the detection and recognition models its wheel ships.

The model files are named by path inside the installed ``rapidocr`` package, so RapidOCR never
takes its download branch (it only downloads when no ``model_path`` is given and the file is
missing): reading labels needs no network. The angle classifier is off: labels are upright, and a
slight tilt is what the detector's boxes already follow. One engine per process; it is not shared
between threads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENGINE_NAME = "rapidocr"
DETECTION_MODEL = "PP-OCRv6_det_small.onnx"
RECOGNITION_MODEL = "PP-OCRv6_rec_small.onnx"


@dataclass(frozen=True, slots=True)
class TextLine:
    """One recognised line: its text, confidence (0-1) and box (four x, y corners, clockwise from top left)."""

    text: str
    confidence: float
    box: tuple[tuple[int, int], ...]


def model_dir() -> Path:
    """The folder of the models inside the installed rapidocr wheel."""
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


class OcrEngine:
    """Recognises the text lines of an encoded image (JPEG, PNG, GIF, ...)."""

    def __init__(self, threads: int = 2) -> None:
        from importlib.metadata import version

        from rapidocr import RapidOCR

        models = model_dir()
        for name in (DETECTION_MODEL, RECOGNITION_MODEL):
            if not (models / name).is_file():
                raise FileNotFoundError(f"rapidocr's wheel has no {name} in {models}: reinstall rapidocr")
        self.name = ENGINE_NAME
        self.version = (f"rapidocr {version('rapidocr')}, onnxruntime {version('onnxruntime')}, "
                        f"{DETECTION_MODEL.removesuffix('.onnx')}, {RECOGNITION_MODEL.removesuffix('.onnx')}")
        self._ocr = RapidOCR(params={
            "Global.use_cls": False,
            "Global.log_level": "error",
            "Det.model_path": str(models / DETECTION_MODEL),
            "Rec.model_path": str(models / RECOGNITION_MODEL),
            "EngineConfig.onnxruntime.intra_op_num_threads": int(threads),
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)

    def read(self, body: bytes) -> list[TextLine]:
        """The lines of an encoded image in reading order (top to bottom, then left to right)."""
        result: Any = self._ocr(body)
        if result.txts is None or result.boxes is None:
            return []
        lines = [
            TextLine(str(text), round(float(score), 4), tuple((int(round(x)), int(round(y))) for x, y in box))
            for text, score, box in zip(result.txts, result.scores, result.boxes, strict=True)
            if str(text).strip()
        ]
        return sorted(lines, key=lambda line: (_row(line), line.box[0][0]))


def _row(line: TextLine) -> int:
    """A line's row: the middle of its box, to 10 px, so a tilted line keeps its place."""
    ys = [y for _, y in line.box]
    return (min(ys) + max(ys)) // 20
