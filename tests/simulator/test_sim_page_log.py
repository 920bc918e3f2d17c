"""The simulator's log of the COLA pages it answered stays bounded on a long run and keeps the latest."""

from __future__ import annotations

import pytest

import ttb_cola_sim.accounting as accounting


def test_the_page_log_keeps_the_latest_pages_and_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounting, "PAGE_LOG_LIMIT", 5)
    counts = accounting.RequestCounts()
    for number in range(23):
        counts.page("form", f"{number:014d}", True)
        assert 1 <= len(counts.pages) < 10  # never twice the limit
    kept = [int(ttb_id) for _, ttb_id, _ in counts.pages]
    assert kept == list(range(23 - len(kept), 23)) and len(kept) >= 5  # the latest, in order
