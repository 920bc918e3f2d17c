"""Which loaded COLAs ``ttb-cola images`` works on, and which of their images are already stored.

Read from the crawl's dataset: the page tables ``cola_forms``, ``cola_details`` and
``cola_listings`` (or a warehouse's older single ``colas`` table) for the receipt date range,
product type and class/type filters, ``cola_label_images`` (what each form lists) and
``cola_images`` (what is stored). A COLA whose wanted images are all stored (or unavailable when last asked less than
``retry_unavailable_days`` ago) is left out, so a rerun sends no request for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ttb_cola.images.fetch import STORED, UNAVAILABLE, select

Query = Callable[[str], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Selection:
    """What to fetch: receipt dates, optional product types and class/type codes (or prefixes*)."""

    start: date
    end: date
    product_types: tuple[str, ...] = ()
    class_types: tuple[str, ...] = ()
    which: str = "front"
    #: An unavailable image is asked again once its last answer is this old (the registry posts
    #: images about 48 hours after approval; "Unable to render" may be transient).
    retry_unavailable_days: int = 7


@dataclass
class Work:
    """One COLA to visit: its form is fetched, then the images not in ``skip``."""

    ttb_id: str
    skip: set[int] = field(default_factory=set)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: Tables a COLA's receipt date, type of product and class/type code may come from, with those columns.
PAGE_TABLES: dict[str, tuple[str, str, str]] = {
    "colas": ("receipt_date", "type_of_product", "class_type_code"),
    "cola_forms": ("receipt_date", "type_of_product", "class_type_code"),
    "cola_details": ("receipt_date", "null", "null"),
    "cola_listings": ("receipt_date", "null", "class_type_code"),
}


def colas_relation(tables: Sequence[str]) -> str | None:
    """One relation (ttb_id, receipt_date, type_of_product, class_type_code) over the page tables present."""
    parts = [f"select ttb_id, {d} as receipt_date, cast({p} as varchar) as type_of_product, "
             f"cast({c} as varchar) as class_type_code from {name}"
             for name, (d, p, c) in PAGE_TABLES.items() if name in tables]
    return "(" + " union all ".join(parts) + ")" if parts else None


def colas_sql(selection: Selection, relation: str = "colas") -> str:
    """The TTB IDs of loaded COLAs matching the selection (``relation``: see :func:`colas_relation`)."""
    where = [f"receipt_date between DATE {_quote(selection.start.isoformat())} "
             f"and DATE {_quote(selection.end.isoformat())}"]
    if selection.product_types:
        where.append(f"upper(type_of_product) in ({', '.join(_quote(t.upper()) for t in selection.product_types)})")
    if selection.class_types:
        tests = [f"class_type_code like {_quote(c[:-1] + '%')}" if c.endswith("*") else f"class_type_code = {_quote(c)}"
                 for c in selection.class_types]
        where.append("(" + " or ".join(tests) + ")")
    return (f"select ttb_id from {relation} as pages group by ttb_id "
            f"having {' and '.join(f'bool_or({w})' for w in where)} order by ttb_id")


def plan(query: Query, tables: Sequence[str], selection: Selection,
         stored: Callable[[str, str], bool] | None = None) -> list[Work]:
    """The COLAs to visit, with the positions already stored (and still in the store) to skip.

    ``stored(sha256, ext)`` double-checks the store (a wiped store is fetched again).
    """
    relation = colas_relation(tables)
    if relation is None:
        return []
    chosen = colas_sql(selection, relation)
    ids = [row[0] for row in query(chosen)]
    listed: dict[str, list[dict[str, Any]]] = {}
    if "cola_label_images" in tables:
        for ttb_id, position, image_type in query(
            f"select distinct ttb_id, position, image_type from cola_label_images "
            f"where ttb_id in ({chosen}) order by ttb_id, position"
        ):
            listed.setdefault(ttb_id, []).append({"position": position, "image_type": image_type})
    done: dict[str, set[int]] = {}
    if "cola_images" in tables:
        since = _quote((datetime.now(UTC) - timedelta(days=selection.retry_unavailable_days)).isoformat())
        for ttb_id, position, status, sha256, extension in query(
            "select ttb_id, position, status, sha256, extension from cola_images "
            f"where ttb_id in ({chosen}) and (status = {_quote(STORED)} "
            f"or (status = {_quote(UNAVAILABLE)} and fetched_at > TIMESTAMPTZ {since}))"
        ):
            if status != STORED or stored is None or stored(sha256, extension):
                done.setdefault(ttb_id, set()).add(int(position))
    work = []
    for ttb_id in ids:
        skip = done.get(ttb_id, set())
        images = listed.get(ttb_id)
        if images:
            wanted = {images[i]["position"] for i in select(images, selection.which)}
            if wanted <= skip:
                continue
        work.append(Work(ttb_id, skip))
    return work
