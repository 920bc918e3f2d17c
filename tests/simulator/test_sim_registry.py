"""The synthetic registry: determinism, volumes, holes, approval lag and the clock."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from ttb_cola.ids import parse_ttb_id
from ttb_cola_sim.registry import APPROVED, Registry, federal_holidays


def test_same_seed_same_records_other_seed_differs() -> None:
    a = Registry(seed=3, as_of=date(2025, 6, 30)).partition_records(date(2025, 4, 8), "001")
    b = Registry(seed=3, as_of=date(2025, 6, 30)).partition_records(date(2025, 4, 8), "001")
    c = Registry(seed=4, as_of=date(2025, 6, 30)).partition_records(date(2025, 4, 8), "001")
    assert a == b
    assert a != c


def test_volumes_and_holes_over_a_month() -> None:
    registry = Registry(seed=2, as_of=date(2025, 12, 31))
    weekday, weekend, holiday, holes, received, others = [], [], [], 0, 0, []
    day = date(2025, 5, 1)
    while day < date(2025, 7, 1):
        stats = registry.stats(day, "001")
        received += stats["received"]
        holes += stats["holes"]
        if day in federal_holidays(day.year):
            holiday.append(stats["received"])
        elif day.weekday() >= 5:
            weekend.append(stats["received"])
        else:
            weekday.append(stats["received"])
        for method in ("002", "003", "000"):
            others.append(registry.stats(day, method)["received"])
        day += timedelta(days=1)
    assert 800 <= statistics.mean(weekday) <= 1100
    assert statistics.mean(weekend) < 150
    assert holiday and max(holiday) < 150
    assert 0.08 <= holes / received <= 0.14
    assert max(others) <= 15 and 0.5 <= statistics.mean(others) <= 3


def test_approval_lag_and_late_approvals_appear() -> None:
    registry = Registry(seed=2, as_of=date(2025, 6, 2))
    receipt = date(2025, 5, 27)
    early = registry.stats(receipt, "001")
    assert early["pending"] > 0 and early["received"] == early["public"] + early["pending"] + early["holes"]
    registry.set_as_of(date(2025, 9, 30))
    late = registry.stats(receipt, "001")
    assert late["pending"] == 0 and late["public"] > early["public"]
    lags = [(date.fromisoformat(r["approval_date"]) - receipt).days
            for r in registry.partition_records(receipt, "001")]
    assert min(lags) >= 1 and statistics.median(lags) <= 14 and max(lags) > 30
    # Records already public keep their values when the clock moves.
    registry.set_as_of(date(2025, 6, 2))
    first = registry.partition_records(receipt, "001")
    registry.set_as_of(date(2025, 9, 30))
    again = {r["ttb_id"]: r for r in registry.partition_records(receipt, "001")}
    assert all(again[r["ttb_id"]]["brand_name"] == r["brand_name"] for r in first)


def test_status_changes_move_completed_date() -> None:
    registry = Registry(seed=2, as_of=date(2023, 1, 31))
    before = list(registry.records(date(2023, 1, 9), date(2023, 1, 13), ["001"]))
    assert all(r["status"] == APPROVED and r["completed_date"] == r["approval_date"] for r in before)
    registry.set_as_of(date(2025, 12, 31))
    after = list(registry.records(date(2023, 1, 9), date(2023, 1, 13), ["001"]))
    changed = [r for r in after if r["status"] != APPROVED]
    assert {r["status"] for r in changed} >= {"SURRENDERED", "EXPIRED"}
    assert all(r["completed_date"] > r["approval_date"] for r in changed)
    assert all(r["expiration_date"] for r in changed if r["status"] == "EXPIRED")


def test_ids_and_fields_are_consistent() -> None:
    registry = Registry(seed=9, as_of=date(2025, 6, 30))
    records = registry.partition_records(date(2025, 2, 4), "001")
    sequences = [r["sequence"] for r in records]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert max(sequences) < registry.stats(date(2025, 2, 4), "001")["received"] + 1
    for record in records:
        parsed = parse_ttb_id(record["ttb_id"])
        assert parsed.receipt_date.isoformat() == record["receipt_date"]
        assert parsed.sequence == record["sequence"] and record["receipt_method"] == "001"
        assert record["date_of_application"] <= record["approval_date"] == record["date_issued"]
    permits = [r["permit_number"] for r in records]
    assert len(set(permits)) < len(permits) * 0.8  # companies recur across COLAs
    assert registry.record(records[0]["ttb_id"]) == records[0]
    assert registry.record("25035001999999") is None


def test_business_days_leave_weekends_and_holidays_empty() -> None:
    """With ``business_days`` no COLA is completed on a weekend or a federal holiday, and weekdays
    share the work (no Monday carrying the weekend); the default keeps its calendar lags."""
    registry = Registry(seed=1, as_of=date(2025, 12, 31), start=date(2024, 1, 1), business_days=True)
    counts: dict[date, int] = {}
    for raw in registry.completed_between(date(2025, 5, 1), date(2025, 7, 31)):
        day = date.fromisoformat(raw["completed_date"])
        counts[day] = counts.get(day, 0) + 1
    day, weekdays = date(2025, 5, 1), []
    while day <= date(2025, 7, 31):
        if day.weekday() >= 5 or day in federal_holidays(day.year):
            assert counts.get(day, 0) == 0, day
        else:
            weekdays.append(counts.get(day, 0))
        day += timedelta(days=1)
    assert min(weekdays) >= 100 and max(weekdays) <= 1400
    default = Registry(seed=1, as_of=date(2025, 12, 31), start=date(2024, 1, 1))
    assert sum(1 for _ in default.completed_between(date(2025, 6, 16), date(2025, 6, 16))) > 1400  # a Monday
