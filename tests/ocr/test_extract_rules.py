"""The label-text rules: statements in their usual wordings give exact values, decoys and conflicts give none."""

import pytest

from ttb_cola.ocr.extract import Line, extract


@pytest.mark.parametrize(("text", "value"), [
    ("45% ALC./VOL.", 45), ("ALC. 13.5% BY VOL.", 13.5), ("13,5 % alc/vol", 13.5), ("5.2% ABV", 5.2),
    ("ALCOHOL 40% BY VOLUME", 40), ("90 PROOF", 45), ("(86.8 PROOF)", 43.4), ("ABV: 6.8%", 6.8),
    ("45% ALC./VOL. (90 PROOF)", 45), ("4O% ALC/VOL", 40),
])
def test_abv_statements(text: str, value: float) -> None:
    got = extract([Line(text, 0.97)])["abv_percent"]
    assert got is not None and got.value == value and got.text == text and 0 < got.confidence <= 0.97


@pytest.mark.parametrize(("text", "value"), [
    ("750 ML", 750), ("750ml", 750), ("1.75 L", 1750), ("1 LITER", 1000), ("12 FL. OZ.", 354.9),
    ("NET CONTENTS 12 US FL OZ", 354.9), ("75 cl", 750), ("1.5 LITRES", 1500), ("375 mL", 375),
    ("12 FL OZ (355 ML)", 355), ("16 FL. OZ.", 473.2),
])
def test_net_contents_statements(text: str, value: float) -> None:
    got = extract([text])["net_contents_ml"]
    assert got is not None and got.value == value and got.text == text


@pytest.mark.parametrize(("lines", "wine", "value"), [
    (["VINTAGE 2019"], False, 2019), (["2016 VINTAGE"], False, 2016), (["2018 CABERNET SAUVIGNON"], False, 2018),
    (["NAPA VALLEY", "2021"], True, 2021), (["HARVEST 2015"], False, 2015),
])
def test_vintage_statements(lines: list[str], wine: bool, value: int) -> None:
    got = extract(lines, wine=wine)["vintage_year"]
    assert got is not None and got.value == value


@pytest.mark.parametrize(("text", "value"), [
    ("AGED 8 YEARS", 8), ("12 YEARS OLD", 12), ("AGED A MINIMUM OF 4 YEARS", 4), ("TEN YEARS OLD", 10),
    ("18 YEAR AGED", 18), ("AGED AT LEAST 2 YEARS IN OAK", 2),
])
def test_age_statements(text: str, value: int) -> None:
    got = extract([text])["age_statement_years"]
    assert got is not None and got.value == value


@pytest.mark.parametrize("text", [
    "SINCE 1887", "EST. 1887", "BATCH 45", "BARREL NO. 1750", "AGED 8 YEARS", "BOTTLE 45 OF 750", "40%",
    "SINGLE BARREL 1750", "FOUNDED 1902", "LOT 2019", "40% RYE 60% CORN", "100% AGAVE", "1887",
])
def test_decoys_give_no_value(text: str) -> None:
    got = extract([text], wine=False)
    assert got["abv_percent"] is None and got["net_contents_ml"] is None and got["vintage_year"] is None
    if "AGED" not in text:
        assert got["age_statement_years"] is None


@pytest.mark.parametrize("lines", [["SINCE", "1887"], ["EST.", "2001"], ["BATCH NO. 2019"], ["COPYRIGHT 2019"]])
def test_wine_year_decoys(lines: list[str]) -> None:
    assert extract(lines, wine=True)["vintage_year"] is None


def test_disagreeing_statements_give_no_value() -> None:
    got = extract(["40% ALC./VOL.", "86 PROOF", "750 ML", "1 LITER", "VINTAGE 2018", "VINTAGE 2019"])
    assert got["abv_percent"] is None and got["net_contents_ml"] is None and got["vintage_year"] is None


def test_missing_statements_give_none() -> None:
    got = extract(["OLD CROW RESERVE", "KENTUCKY STRAIGHT BOURBON WHISKEY", "DISTILLED AND BOTTLED BY"])
    assert all(v is None for v in got.values())


def test_years_out_of_range_are_no_vintage() -> None:
    assert extract(["VINTAGE 2031"], max_year=2026)["vintage_year"] is None


@pytest.mark.parametrize(("text", "product", "value"), [
    ("760 ML", "wine", None), ("1.76 LITERS", "spirits", None), ("760 ML", None, None), ("750 ML", "spirits", 750),
    ("1.75 L", "spirits", 1750), ("5 LITERS", "wine", 5000), ("5 LITERS", "spirits", None), ("650 ML", "malt", 650),
    ("22 FL. OZ.", "wine", 650.6),
])
def test_metric_volumes_must_be_a_standard_of_fill(text: str, product: str | None, value: float | None) -> None:
    got = extract([text], product=product)["net_contents_ml"]
    assert (got.value if got else None) == value
