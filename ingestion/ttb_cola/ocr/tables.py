"""The ``cola_label_text`` and ``cola_label_values`` tables: column contract and rows.

``cola_label_text``: one row per TTB ID x image sha256, the lines the recogniser read (text, confidence,
box) and which engine read them; merged on that key. ``cola_label_values``: one row per TTB ID x
field (``abv_percent``, ``net_contents_ml``, ``vintage_year``, ``age_statement_years``), the value with
the image, text, confidence and rule it came from; merged on that key (a value once read stays).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ttb_cola.ocr.engine import TextLine
from ttb_cola.ocr.extract import Extracted
from ttb_cola.records import Spec, columns

TEXT_TABLE = "cola_label_text"
VALUES_TABLE = "cola_label_values"
TEXT_KEY = ("ttb_id", "image_sha256")
VALUES_KEY = ("ttb_id", "field")

TEXT_SPECS: dict[str, Spec] = {
    "ttb_id": ("text", False),
    "image_sha256": ("text", False),
    "position": ("bigint", False),
    "image_type": ("text", True),
    "lines": ("json", False),
    "line_count": ("bigint", False),
    "engine": ("text", False),
    "engine_version": ("text", False),
    "reused": ("bool", False),
    "read_at": ("timestamp", False),
}
VALUES_SPECS: dict[str, Spec] = {
    "ttb_id": ("text", False),
    "field": ("text", False),
    "value": ("double", False),
    "image_sha256": ("text", False),
    "position": ("bigint", False),
    "source_text": ("text", False),
    "confidence": ("double", False),
    "rule": ("text", False),
    "engine": ("text", False),
    "read_at": ("timestamp", False),
}
TEXT_COLUMNS = columns(TEXT_SPECS)
VALUES_COLUMNS = columns(VALUES_SPECS)
#: (table, merge key, columns, the column whose highest value wins in a load) of each table.
OCR_TABLES = ((TEXT_TABLE, TEXT_KEY, TEXT_COLUMNS, "read_at"), (VALUES_TABLE, VALUES_KEY, VALUES_COLUMNS, "read_at"))


def lines_json(lines: list[TextLine]) -> list[dict[str, Any]]:
    """Recognised lines as stored: text, confidence and box corners."""
    return [{"text": line.text, "confidence": line.confidence, "box": [list(p) for p in line.box]} for line in lines]


def text_row(ttb_id: str, sha256: str, position: int, image_type: str | None, lines: list[dict[str, Any]],
             engine: str, version: str, reused: bool, read_at: datetime) -> dict[str, Any]:
    """The ``cola_label_text`` row of one image of a COLA (``reused``: lines copied from the same image
    read for another COLA, not recognised again)."""
    return {"ttb_id": ttb_id, "image_sha256": sha256, "position": position, "image_type": image_type,
            "lines": lines, "line_count": len(lines), "engine": engine, "engine_version": version,
            "reused": reused, "read_at": read_at}


def value_row(ttb_id: str, field: str, value: Extracted, sha256: str, position: int, engine: str,
              read_at: datetime) -> dict[str, Any]:
    """The ``cola_label_values`` row of one field of a COLA."""
    return {"ttb_id": ttb_id, "field": field, "value": float(value.value), "image_sha256": sha256,
            "position": position, "source_text": value.text, "confidence": round(value.confidence, 4),
            "rule": value.rule, "engine": engine, "read_at": read_at}
