"""What ``ttb-cola ocr`` reads: the stored label images of each COLA, front first, and what is known already.

Read from the crawl's dataset (``cola_images``, ``cola_label_text``, ``cola_label_values``, and the
product type from ``cola_forms``, else the class/type of ``cola_details``): an image whose (TTB ID,
sha256) has text already is not planned; an image whose sha256 was read for another COLA is planned
with those lines, to be copied without recognising it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ttb_cola.images.fetch import STORED
from ttb_cola.ocr.tables import TEXT_TABLE, VALUES_TABLE

#: The tables the plan reads (those absent are taken as empty).
PLAN_TABLES = ("cola_images", TEXT_TABLE, VALUES_TABLE, "cola_forms", "cola_details")
#: Fields every label set states: while one is missing, the COLA's next label is read.
REQUIRED = ("abv_percent", "net_contents_ml")


@dataclass(frozen=True)
class Image:
    """One stored label image of a COLA."""

    sha256: str
    extension: str
    position: int
    image_type: str | None


@dataclass
class Cola:
    """A COLA's images to read (front first), the fields it has, and its kind of product (a year alone on a
    wine label may be its vintage; a wine's or a spirit's volume is one of its standards of fill)."""

    ttb_id: str
    images: list[Image] = field(default_factory=list)
    have: set[str] = field(default_factory=set)
    product: str | None = None  # wine, spirits or malt (ttb_cola.ocr.extract), None when unknown
    read_before: bool = False  # an image of it was read by an earlier run

    def missing(self) -> set[str]:
        """Required fields still to find (a vintage or an age is taken where a label read states it)."""
        return set(REQUIRED) - self.have


@dataclass
class Plan:
    """The COLAs to read, and the lines of images already read (by sha256) that can be copied."""

    colas: list[Cola]
    known_lines: dict[str, list[dict[str, Any]]]

    @property
    def images(self) -> int:
        """Images planned (an upper bound: the others are read only while a value is missing)."""
        return sum(len(c.images) for c in self.colas)


def _front_first(image: Image) -> tuple[int, int]:
    is_front = (image.image_type or "").lower().startswith("brand")
    return (0 if is_front else 1, image.position)


def plan(query: Callable[[str], list[tuple[Any, ...]]], tables: Sequence[str], limit: int | None = None) -> Plan:
    """The COLAs with stored images not read yet (``limit``: at most that many COLAs, oldest TTB ID first)."""
    if "cola_images" not in tables:
        return Plan([], {})
    read = f"select ttb_id, image_sha256 from {TEXT_TABLE}" if TEXT_TABLE in tables else None
    unread = (f" and (ttb_id, sha256) not in (select ttb_id, image_sha256 from {TEXT_TABLE})" if read else "")
    rows = query(
        "select ttb_id, sha256, extension, position, image_type from cola_images "
        f"where status = '{STORED}' and sha256 is not null{unread} order by ttb_id, position"
    )
    colas: dict[str, Cola] = {}
    for ttb_id, sha256, extension, position, image_type in rows:
        colas.setdefault(ttb_id, Cola(ttb_id)).images.append(Image(sha256, extension, int(position), image_type))
    if not colas:
        return Plan([], {})
    for cola in colas.values():
        cola.images.sort(key=_front_first)
    if read:
        for (ttb_id,) in query(f"select distinct ttb_id from {TEXT_TABLE}"):
            if ttb_id in colas:
                colas[ttb_id].read_before = True
    if VALUES_TABLE in tables:
        for ttb_id, name in query(f"select ttb_id, field from {VALUES_TABLE}"):
            if ttb_id in colas:
                colas[ttb_id].have.add(name)
    kinds = {"cola_details": "case when class_type_description ilike '%WINE%' then 'wine' end",
             "cola_forms": "case upper(type_of_product) when 'WINE' then 'wine' when 'DISTILLED SPIRITS' then "
                           "'spirits' when 'MALT BEVERAGE' then 'malt' end"}
    for table, kind in kinds.items():  # the form's ticked box wins over the detail page's description
        if table in tables:
            for ttb_id, product in query(f"select ttb_id, {kind} from {table}"):
                if ttb_id in colas and product:
                    colas[ttb_id].product = product
    # a COLA read before whose values are all found has nothing left to read (its other labels stay unread)
    colas = {t: c for t, c in colas.items() if not (c.read_before and not c.missing())}
    if limit is not None:
        colas = dict(list(colas.items())[:limit])
    known: dict[str, list[dict[str, Any]]] = {}
    if read:
        import json

        shas = {image.sha256 for cola in colas.values() for image in cola.images}
        for sha256, lines in query(f"select image_sha256, any_value(lines) from {TEXT_TABLE} group by image_sha256"):
            if sha256 in shas:
                known[sha256] = json.loads(lines) if isinstance(lines, str) else lines
    return Plan(list(colas.values()), known)
