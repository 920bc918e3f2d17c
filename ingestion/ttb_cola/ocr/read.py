"""Reading a plan: each COLA's front label first, its other labels only while a value is still missing.

Yields ``(table, row)`` pairs for :mod:`ttb_cola.ocr.source`: one ``cola_label_text`` row per image
read (or copied, when the same image was read for another COLA) and one ``cola_label_values`` row per
field found. A field a COLA already has is never replaced; within a COLA the first image that states
a field gives it (front first). Progress lines with images/s and ETA go to ``ttb_cola.progress``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from ttb_cola.ocr.engine import TextLine
from ttb_cola.ocr.extract import FIELDS, Line, extract
from ttb_cola.ocr.select import Cola, Plan
from ttb_cola.ocr.tables import TEXT_TABLE, VALUES_TABLE, lines_json, text_row, value_row
from ttb_cola.progress import hms

progress_log = logging.getLogger("ttb_cola.progress")
logger = logging.getLogger("ttb_cola.ocr")


class Reader(Protocol):
    """What reads an image's lines (:class:`ttb_cola.ocr.engine.OcrEngine`)."""

    name: str
    version: str

    def read(self, body: bytes) -> list[TextLine]: ...


@dataclass
class OcrReport:
    """What a run did."""

    colas: int = 0
    read: int = 0
    copied: int = 0
    skipped: int = 0  # images left unread: every value was already found
    unreadable: int = 0
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the end of a run."""
        found = ", ".join(f"{name} {count}" for name, count in self.values.items())
        rate = self.read / self.seconds if self.seconds else 0.0
        return (f"ocr: {self.colas} COLAs, {self.read} images read ({rate:.2f}/s), {self.copied} copied, "
                f"{self.skipped} not needed, {self.unreadable} unreadable; values found: {found}")


def read_plan(plan: Plan, reader: Reader, fetch: Callable[[str, str], bytes], report: OcrReport,
              max_year: int | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """The rows of every COLA of ``plan``; ``fetch(sha256, extension)`` gives an image's bytes."""
    started = time.monotonic()
    last_log = started
    total = plan.images
    year = max_year or datetime.now(UTC).year + 1
    for done, cola in enumerate(plan.colas, 1):
        yield from _read_cola(cola, plan, reader, fetch, report, year)
        report.colas += 1
        now = time.monotonic()
        report.seconds = now - started
        if now - last_log >= 10 or done == len(plan.colas):
            last_log = now
            seen = report.read + report.copied + report.skipped + report.unreadable
            rate = report.read / max(report.seconds, 1e-9)
            eta = (total - seen) / rate if rate else 0.0
            progress_log.info("[%d/%d COLAs] images read %d, copied %d, not needed %d  %.2f images/s  ETA %s",
                              done, len(plan.colas), report.read, report.copied, report.skipped, rate, hms(eta))


def _read_cola(cola: Cola, plan: Plan, reader: Reader, fetch: Callable[[str, str], bytes], report: OcrReport,
               max_year: int) -> Iterator[tuple[str, dict[str, Any]]]:
    missing = cola.missing()
    for i, image in enumerate(cola.images):
        if (i or cola.read_before) and not missing:
            report.skipped += len(cola.images) - i
            return
        read_at = datetime.now(UTC)
        lines = plan.known_lines.get(image.sha256)
        reused = lines is not None
        if lines is None:
            try:
                lines = lines_json(reader.read(fetch(image.sha256, image.extension)))
            except (OSError, ValueError) as exc:  # gone from the store, or not an image the decoder takes
                logger.warning("%s: image %s not read: %s", cola.ttb_id, image.sha256[:12], exc)
                report.unreadable += 1
                continue
            plan.known_lines[image.sha256] = lines
            report.read += 1
        else:
            report.copied += 1
        yield TEXT_TABLE, text_row(cola.ttb_id, image.sha256, image.position, image.image_type, lines,
                                   reader.name, reader.version, reused, read_at)
        found = extract([Line(line["text"], line["confidence"]) for line in lines], max_year=max_year,
                        product=cola.product)
        for name, value in found.items():
            if value is None or name in cola.have:
                continue
            cola.have.add(name)
            missing.discard(name)
            report.values[name] += 1
            yield VALUES_TABLE, value_row(cola.ttb_id, name, value, image.sha256, image.position, reader.name, read_at)
