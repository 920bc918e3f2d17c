"""The mandatory statements a COLA's labels show (alcohol content, net contents, vintage, age) and decoys.

Everything follows from ``(seed, TTB ID)`` through its own hash, so the registry's record stream is
untouched. Most COLAs state alcohol and net contents on the brand (front) label, some on the back
label only, a few not at all; wines with a vintage on the form show it; some aged spirits state an
age. Decoy lines carry numbers that are no such value ("SINCE 1887", "BATCH 45", "BARREL NO. 1750").
Each label also gets a drawing style (size, weight, width, colours, slight rotation, JPEG quality,
where the statements sit) so a reader meets varied labels. :func:`statement_truth` says what was drawn.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

ML_PER_FL_OZ = 29.5735
WINE, SPIRITS, MALT = "WINE", "DISTILLED SPIRITS", "MALT BEVERAGE"

# (how the volume is written, millilitres) per product type
_VOLUMES: dict[str, list[tuple[str, float]]] = {
    WINE: [("750 ML", 750), ("750 mL", 750), ("750ML", 750), ("375 ML", 375), ("1.5 L", 1500), ("187 ML", 187),
           ("3 LITERS", 3000), ("NET CONTENTS 750 ML", 750), ("1 LITER", 1000), ("500 ML", 500)],
    SPIRITS: [("750 ML", 750), ("1.75 L", 1750), ("1 LITER", 1000), ("375 mL", 375), ("50 ML", 50), ("700 ML", 700),
              ("NET CONTENTS 750ML", 750), ("1.75 LITERS", 1750), ("200 ML", 200), ("75 CL", 750)],
    MALT: [("12 FL. OZ.", 354.9), ("16 FL. OZ.", 473.2), ("12 FL OZ", 354.9), ("355 ML", 355), ("22 FL. OZ.", 650.6),
           ("19.2 FL OZ", 567.8), ("NET CONTENTS 12 FL. OZ.", 354.9), ("473 ML", 473), ("750 ML", 750)],
}
_ABV_WORDINGS = ["{v}% ALC./VOL.", "ALC. {v}% BY VOL.", "ALCOHOL {v}% BY VOLUME", "{v}% ALC/VOL", "{v}% ABV",
                 "{v}% alc./vol.", "ALC {v}% BY VOL"]
_PROOF_WORDINGS = ["{p} PROOF", "{v}% ALC./VOL. ({p} PROOF)", "{v}% ALC/VOL {p} PROOF"]
_VINTAGE_WORDINGS = ["VINTAGE {y}", "{y}", "{y} VINTAGE", "{y} {varietal}"]
_AGE_WORDINGS = ["AGED {n} YEARS", "{n} YEARS OLD", "AGED A MINIMUM OF {n} YEARS"]
_DECOYS = ["SINCE {year}", "EST. {year}", "BATCH {small}", "BARREL NO. {big}", "BOTTLE {small} OF {big}",
           "FOUNDED {year}", "LOT {small}", "AGED IN OAK {small} MONTHS", "CASK NO. {big}", "{small}% RYE MASH"]
_AGED = ("101", "102", "109", "140", "142", "153", "515", "420")
_INK = [(40, 30, 20), (20, 20, 70), (90, 10, 20), (10, 60, 30), (0, 0, 0), (60, 60, 60)]
_PAPER = [(250, 244, 230), (235, 245, 250), (245, 235, 240), (255, 255, 255), (240, 232, 200)]


@dataclass(frozen=True)
class Style:
    """How one label's statements are drawn."""

    size: int = 20
    stroke: int = 0  # a bold weight
    x_scale: float = 1.0  # condensed (< 1) or wide (> 1) letters
    ink: tuple[int, int, int] = (40, 30, 20)
    paper: tuple[int, int, int] = (250, 244, 230)
    angle: float = 0.0
    quality: int = 90
    at_top: bool = False
    align: str = "left"


@dataclass(frozen=True)
class Statements:
    """What a COLA's labels state: the values (None when stated nowhere) and each position's lines."""

    abv_percent: float | None
    net_contents_ml: float | None
    vintage_year: int | None
    age_statement_years: int | None
    lines: dict[int, tuple[str, ...]] = field(default_factory=dict)  # position (0-based) -> lines drawn
    where: dict[str, int] = field(default_factory=dict)  # field -> position that states it


def _rng(*parts: Any) -> random.Random:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _abv(rng: random.Random, product: str, class_code: str) -> float:
    if product == SPIRITS:
        if class_code == "720":
            return round(rng.uniform(5, 24) * 2) / 2
        return round(rng.uniform(35, 60) * 2) / 2
    if product == MALT:
        return round(rng.uniform(3.5, 12), 1)
    return round(rng.uniform(9, 15.5) * 2) / 2


def _fmt(value: float) -> str:
    return f"{value:g}"


def _pick_volume(rng: random.Random, product: str) -> tuple[str, float]:
    return rng.choice(_VOLUMES.get(product, _VOLUMES[WINE]))


def plan_statements(seed: int, record: dict[str, Any]) -> Statements:
    """The statements of a COLA's labels (deterministic; the warning label carries none)."""
    rng = _rng(seed, record["ttb_id"], "statements")
    product = record["type_of_product"].upper()
    class_code = record.get("class_type_code") or ""
    images = record["label_images"]
    positions = [i for i, image in enumerate(images) if "WARNING" not in image["filename"].upper()]
    lines: dict[int, list[str]] = {p: [] for p in positions}
    where: dict[str, int] = {}
    if not positions:
        return Statements(None, None, None, None)
    front = positions[0]
    back = positions[1] if len(positions) > 1 else front

    def place(name: str, text: str, front_share: float) -> None:
        position = front if rng.random() < front_share else back
        lines[position].append(text)
        where[name] = position

    abv = net = vintage = age = None
    if rng.random() >= 0.05:
        abv = _abv(rng, product, class_code)
        if product == SPIRITS and rng.random() < 0.4:
            text = rng.choice(_PROOF_WORDINGS).format(v=_fmt(abv), p=_fmt(abv * 2))
        else:
            text = rng.choice(_ABV_WORDINGS).format(v=_fmt(abv))
        place("abv_percent", text, 0.8)
    if rng.random() >= 0.05:
        text, net = _pick_volume(rng, product)
        place("net_contents_ml", text, 0.8)
    if product == WINE and record.get("wine_vintage") and rng.random() < 0.85:
        vintage = int(record["wine_vintage"])
        varietal = (record.get("grape_varietals") or "").replace("100% ", "").split(",")[0].strip().upper()
        wordings = _VINTAGE_WORDINGS if varietal else _VINTAGE_WORDINGS[:3]
        place("vintage_year", rng.choice(wordings).format(y=vintage, varietal=varietal), 0.9)
    if product == SPIRITS and class_code in _AGED and rng.random() < 0.35:
        age = rng.choice([2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 21, 25])
        place("age_statement_years", rng.choice(_AGE_WORDINGS).format(n=age), 0.7)
    for position in positions:
        for _ in range(rng.choice([0, 1, 1, 2])):
            decoy = rng.choice(_DECOYS).format(year=rng.randrange(1850, 2000), small=rng.randrange(2, 99),
                                               big=rng.randrange(100, 2000))
            lines[position].insert(rng.randrange(len(lines[position]) + 1), decoy)
    return Statements(abv, net, vintage, age, {p: tuple(v) for p, v in lines.items()}, where)


def label_style(seed: int, ttb_id: str, position: int) -> Style:
    """The drawing style of one label."""
    rng = _rng(seed, ttb_id, position, "style")
    ink, paper = rng.choice(_INK), rng.choice(_PAPER)
    if rng.random() < 0.15:
        ink, paper = paper, ink  # light letters on a dark ground
    return Style(
        size=rng.choice([16, 18, 20, 22, 24, 28, 32]), stroke=1 if rng.random() < 0.3 else 0,
        x_scale=rng.choice([0.85, 0.9, 1.0, 1.0, 1.1, 1.2]), ink=ink, paper=paper,
        angle=round(rng.uniform(-3, 3), 1) if rng.random() < 0.5 else 0.0,
        quality=rng.choice([40, 55, 70, 85, 95]), at_top=rng.random() < 0.3,
        align=rng.choice(["left", "center", "right"]),
    )


def statement_truth(seed: int, record: dict[str, Any]) -> dict[str, Any]:
    """What a COLA's labels state: each field's value (None: stated nowhere), the 0-based position that
    states it, and the lines drawn on each position."""
    plan = plan_statements(seed, record)
    return {
        "abv_percent": plan.abv_percent, "net_contents_ml": plan.net_contents_ml,
        "vintage_year": plan.vintage_year, "age_statement_years": plan.age_statement_years,
        "where": dict(plan.where), "lines": {p: list(v) for p, v in plan.lines.items()},
    }
