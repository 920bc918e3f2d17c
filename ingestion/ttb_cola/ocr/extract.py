"""Rules that turn recognised label lines into alcohol content, net contents, vintage and age statement.

Pure functions over the lines one image gave (text and confidence each). Precision comes before
recall: a number counts only in the wording of a mandatory statement ("45% ALC./VOL.", "90 PROOF",
"750 ML", "VINTAGE 2019", "AGED 8 YEARS"); a bare number, a year after SINCE/EST., a batch or barrel
number never does. Statements of one field that disagree give no value at all, since the rules cannot
tell which one is right, and a metric volume that is no standard of fill of the product is a misread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ML_PER_FL_OZ = 29.5735
FIELDS = ("abv_percent", "net_contents_ml", "vintage_year", "age_statement_years")
WINE, SPIRITS, MALT = "wine", "spirits", "malt"
#: TTB's standards of fill in mL (27 CFR 4.72 for wine, 5.203 for distilled spirits); beyond 3 L wine
#: comes in whole litres. A metric volume outside them on a wine or spirits label is a misread ("760 ML").
STANDARD_FILLS = {
    WINE: {50, 100, 180, 187, 200, 250, 300, 330, 355, 360, 375, 473, 500, 550, 568, 600, 620, 700, 720, 750, 1000,
           1500, 1800, 2250, 3000},
    SPIRITS: {50, 100, 187, 200, 250, 331, 350, 355, 375, 475, 500, 570, 700, 710, 720, 750, 900, 945, 1000, 1500,
              1750, 1800, 2000, 3000, 3750},
}


@dataclass(frozen=True, slots=True)
class Line:
    """One recognised line of a label: its text and the recogniser's confidence (0-1)."""

    text: str
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Extracted:
    """A value read from a label, the text it was read from, a confidence (0-1) and the rule that fired."""

    value: float | int
    text: str
    confidence: float
    rule: str


_NUM = r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,2})?)"
_ALC_VOL = r"ALC(?:OHOL)?\.?\s*(?:/|BY|\.)\s*VOL(?:UME)?\b\.?"
_ABV_RULES = (
    ("percent_alc_vol", re.compile(_NUM + r"\s*%\s*(?:" + _ALC_VOL + r"|ABV\b)")),
    ("alc_percent_by_vol", re.compile(r"\bALC(?:OHOL)?\.?\s*" + _NUM + r"\s*%\s*(?:BY\s*VOL(?:UME)?\b|/\s*VOL\b)")),
    ("abv_percent", re.compile(r"\bABV\s*:?\s*" + _NUM + r"\s*%")),
)
_PROOF = re.compile(r"(?<![\d.,])(\d{2,3}(?:\.\d)?)\s*°?\s*PROOF\b")

_VOLUME_UNITS = (
    ("ml", re.compile(_NUM.replace(r"{1,3}", r"{1,5}") + r"\s*(?:ML|MILLILIT(?:ER|RE)S?)\b\.?"), 1.0),
    ("cl", re.compile(_NUM + r"\s*CL\b\.?"), 10.0),
    ("liter", re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,3})?)\s*(?:L|LTR|LIT(?:ER|RE)S?)\b\.?"), 1000.0),
    ("fl_oz", re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:U\.?\s*S\.?\s*)?FL(?:UID)?\.?\s*OZ\b\.?"),
     ML_PER_FL_OZ),
)

_YEAR = r"((?:19|20)\d{2})"
_DECOY_YEAR = re.compile(r"\b(?:SINCE|EST(?:\.|ABLISHED)?|FOUNDED|FOUNDED IN|ANNO|CIRCA|BATCH|LOT|BARREL|CASK|"
                         r"NO\.?|NUMBER|BOTTLED|BOTTLING|DISTILLED|ANNIVERSARY|©|COPYRIGHT|PATENT)\b|©")
_VINTAGE_RULES = (
    ("vintage_word", re.compile(r"\bVINTAGE\s*:?\s*" + _YEAR + r"\b")),
    ("year_vintage", re.compile(r"(?<!\d)" + _YEAR + r"\s+VINTAGE\b")),
    ("harvest_year", re.compile(r"\bHARVEST(?:ED)?\s*:?\s*" + _YEAR + r"\b")),
)
_VARIETAL_YEAR = re.compile(r"^\s*" + _YEAR + r"\s+(CABERNET|MERLOT|PINOT|CHARDONNAY|SAUVIGNON|RIESLING|ZINFANDEL|"
                            r"SYRAH|SHIRAZ|MALBEC|TEMPRANILLO|SANGIOVESE|GRENACHE|RED WINE|WHITE WINE|ROS[EÉ]|"
                            r"CHENIN|GEWURZTRAMINER|VIOGNIER|PETITE SIRAH|BARBERA|NEBBIOLO|CABERNET FRANC)\b")
_LONE_YEAR = re.compile(r"^\s*" + _YEAR + r"\s*$")

_WORD_NUMBERS = {w: i for i, w in enumerate((
    "ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN", "TWELVE",
    "THIRTEEN", "FOURTEEN", "FIFTEEN", "SIXTEEN", "SEVENTEEN", "EIGHTEEN", "NINETEEN", "TWENTY"))}
_AGE_NUM = r"(\d{1,2}|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")"
_AGE_RULES = (
    ("aged_n_years", re.compile(r"\bAGED\s+(?:(?:AT\s+LEAST|A\s+MINIMUM\s+OF|FOR|MIN\.?)\s+)?" + _AGE_NUM
                                + r"\s+YEARS?\b")),
    ("n_years_old", re.compile(r"(?<![\d.,])" + _AGE_NUM + r"[\s-]+YEARS?[\s-]+OLD\b")),
    ("n_year_aged", re.compile(r"(?<![\d.,])" + _AGE_NUM + r"[\s-]+YEARS?[\s-]+AGED\b")),
)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _norm(text: str) -> str:
    """Upper case, one space between words, the OCR's usual look-alikes inside numbers fixed."""
    text = " ".join(text.upper().split())
    return re.sub(r"(?<=\d)[Oo](?=\d|\b)", "0", text)


def abv_candidates(line: Line) -> list[Extracted]:
    """Alcohol by volume stated in one line: "% ALC./VOL.", "ALC. x% BY VOL.", "ABV", or "n PROOF" / 2."""
    text = _norm(line.text)
    found = []
    for rule, pattern in _ABV_RULES:
        for match in pattern.finditer(text):
            value = _number(match.group(1))
            if 0.5 <= value <= 95:
                found.append(Extracted(round(value, 2), line.text, line.confidence, rule))
    for match in _PROOF.finditer(text):
        proof = _number(match.group(1))
        if 1 <= proof <= 190:
            found.append(Extracted(round(proof / 2, 2), line.text, line.confidence * 0.95, "proof"))
    return found


def net_contents_candidates(line: Line) -> list[Extracted]:
    """Net contents in one line, in millilitres: mL, cL, L/LITER, US fl. oz. (x 29.5735, to 0.1 mL)."""
    text = _norm(line.text)
    found = []
    for rule, pattern, factor in _VOLUME_UNITS:
        for match in pattern.finditer(text):
            ml = round(_number(match.group(1)) * factor, 1)
            if 20 <= ml <= 60000:
                found.append(Extracted(int(ml) if ml.is_integer() else ml, line.text, line.confidence, rule))
    return found


def vintage_candidates(line: Line, previous: Line | None = None, wine: bool = False,
                       max_year: int = 2100) -> list[Extracted]:
    """A vintage year: "VINTAGE 2019", "2019 VINTAGE", "HARVEST 2019", "2019 CABERNET SAUVIGNON", or on a
    wine label a line holding the year alone (not after a line ending SINCE/EST.)."""
    text = _norm(line.text)
    if _DECOY_YEAR.search(text):
        return []
    found = []
    for rule, pattern in _VINTAGE_RULES:
        found += [Extracted(int(m.group(1)), line.text, line.confidence, rule) for m in pattern.finditer(text)]
    if not found and (match := _VARIETAL_YEAR.match(text)):
        found.append(Extracted(int(match.group(1)), line.text, line.confidence * 0.9, "year_varietal"))
    if not found and wine and (match := _LONE_YEAR.match(text)):
        before = _norm(previous.text) if previous is not None else ""
        if not re.search(r"(?:SINCE|EST\.?|ESTABLISHED|FOUNDED|IN|NO\.?)\s*$", before):
            found.append(Extracted(int(match.group(1)), line.text, line.confidence * 0.8, "lone_year"))
    return [f for f in found if 1900 <= int(f.value) <= max_year]


def age_candidates(line: Line) -> list[Extracted]:
    """An age statement in years: "AGED 8 YEARS", "AGED A MINIMUM OF 4 YEARS", "12 YEARS OLD", "10 YEAR AGED"."""
    text = _norm(line.text)
    found = []
    for rule, pattern in _AGE_RULES:
        for match in pattern.finditer(text):
            word = match.group(1)
            years = int(word) if word.isdigit() else _WORD_NUMBERS[word]
            if 1 <= years <= 60:
                found.append(Extracted(years, line.text, line.confidence, rule))
    return found


def _agreed(candidates: Sequence[Extracted], tolerance: float) -> Extracted | None:
    """The candidate all others agree with (within ``tolerance``, relative), else None."""
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c.rule not in ("proof", "fl_oz", "lone_year"), c.confidence))
    for other in candidates:
        if abs(float(other.value) - float(best.value)) > tolerance * max(abs(float(best.value)), 1e-9):
            return None
    return best


def standard_fill(ml: float, product: str | None) -> bool:
    """Whether a metric volume is a standard of fill for the product (``wine``, ``spirits``; ``malt`` has none;
    None: either's)."""
    if product == MALT:
        return True
    sizes = STANDARD_FILLS[product] if product in STANDARD_FILLS else STANDARD_FILLS[WINE] | STANDARD_FILLS[SPIRITS]
    return ml in sizes or (product != SPIRITS and ml > 3000 and ml % 1000 == 0)


def extract(lines: Iterable[Line | str], wine: bool = False, max_year: int = 2100,
            product: str | None = None) -> dict[str, Extracted | None]:
    """Each field of :data:`FIELDS` read from one image's lines (reading order), or None when not stated or
    when its statements disagree. ``wine``: a year alone on a line may be the vintage. ``product`` (``wine``,
    ``spirits``, ``malt``, None when unknown): a metric volume must be one of its standards of fill."""
    product = product or (WINE if wine else None)
    wine = product == WINE
    seq = [line if isinstance(line, Line) else Line(line) for line in lines]
    abv: list[Extracted] = []
    volume: list[Extracted] = []
    vintage: list[Extracted] = []
    age: list[Extracted] = []
    for i, line in enumerate(seq):
        abv += abv_candidates(line)
        volume += [v for v in net_contents_candidates(line)
                   if v.rule == "fl_oz" or standard_fill(float(v.value), product)]
        vintage += vintage_candidates(line, seq[i - 1] if i else None, wine, max_year)
        age += age_candidates(line)
    return {
        "abv_percent": _agreed(abv, 0.011),  # 45% and 90 PROOF agree; 40% and 86 PROOF do not
        "net_contents_ml": _agreed(volume, 0.01),  # 12 FL. OZ. and 355 ML agree
        "vintage_year": _agreed(vintage, 0.0),
        "age_statement_years": _agreed(age, 0.0),
    }
