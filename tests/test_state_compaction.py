"""The packed crawl state: lossless, smaller, and every decision the same as on the full state."""

from __future__ import annotations

import json
import zlib
from datetime import date, timedelta
from itertools import islice
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ttb_cola.ids import parse_partition_key, partition_key
from ttb_cola.probe.plan import CrawlSettings, PartitionCrawl, is_due, mark_covered, mark_listed
from ttb_cola.search.plan import (
    complete_ranges,
    covered_from,
    held_total,
    moved_days,
    plan_fetches,
    search_days,
    search_state,
)
from ttb_cola.state_compaction import SEARCHED, SETTLED, crawl_view, pack_partition, packed, unpack_partition, unpacked

FIRST = date(2020, 1, 1)
TODAY = date(2020, 7, 1)
SETTINGS = CrawlSettings(settle_days=60)
METHODS = ("001", "002")


def _partition(draw: Any, receipt: date) -> dict[str, Any]:
    """A partition state as the probe plan makes it: probed (maybe failing), then maybe listed."""
    crawl = PartitionCrawl(receipt, draw(st.sampled_from([receipt + timedelta(days=1), TODAY])), SETTINGS)
    highest = draw(st.integers(0, 60))
    found = draw(st.sets(st.integers(1, highest + 5), max_size=40)) if highest else set()
    aside = draw(st.sets(st.integers(1, highest + 45), max_size=2))  # probed, then the next one set aside
    for sequence in crawl.sequences():  # (it ends the frontier walk itself)
        if sequence > highest + 45:
            break
        crawl.observe(sequence, sequence in found)
        if sequence in aside:
            crawl.set_aside(sequence + 1)
    if draw(st.integers(0, 9)) == 0:
        crawl.fail(highest, "timed out")
    state = crawl.finish(f"{crawl.today.isoformat()}T12:00:00+00:00")
    if draw(st.booleans()):
        state = mark_listed(state, draw(st.sets(st.integers(1, 80), max_size=5)), receipt, TODAY, SETTINGS)
    if draw(st.integers(0, 3)) == 0:
        state = mark_covered(state, receipt, TODAY, SETTINGS)
    return state


def _search(draw: Any, day: date) -> dict[str, Any] | None:
    kind = draw(st.sampled_from(["none", "complete", "complete", "complete", "partial", "failed", "moved"]))
    if kind == "none":
        return None
    ran = draw(st.sampled_from([day + timedelta(days=1), day + timedelta(days=2), TODAY]))
    total = draw(st.integers(0, 1400))
    if kind == "partial":
        return search_state(day, day, total, total, None)
    if kind == "failed":
        return search_state(day, ran, None, 0, "HTTP 500", previous=search_state(day, day, total, total, None))
    return search_state(day, ran, total, total - 1 if kind == "moved" else total, None)


@st.composite
def crawl_states(draw: Any) -> dict[str, Any]:
    """A crawl's resource state over a few weeks of receipt and completed dates."""
    days = [FIRST + timedelta(days=n * 7 + draw(st.integers(0, 6))) for n in range(draw(st.integers(0, 25)))]
    days += [TODAY - timedelta(days=n) for n in range(draw(st.integers(0, 20)))]
    partitions = {partition_key(d, m): _partition(draw, d) for d in days for m in METHODS if draw(st.booleans())}
    searches = {d.isoformat(): s for d in sorted(set(days)) if (s := _search(draw, d)) is not None}
    return {"partitions": partitions, "searches": searches, "parked": {}}


def _decisions(crawl: dict[str, Any]) -> dict[str, Any]:
    """Every decision the search and probe plans take from the state, over the whole period."""
    states, searches = crawl["partitions"], crawl["searches"]
    first, last = FIRST, TODAY
    truth = {d: held_total(searches, d, d) + (d.day % 3) for d in (first + timedelta(n) for n in range(200))}
    ranges = complete_ranges(searches, first, last)
    rows = [{"ttb_id": f"{(d.year % 100):02d}{d.timetuple().tm_yday:03d}{m}{s:06d}"} for d in (FIRST, TODAY)
            for m in METHODS for s in range(1, 30)]
    plan = plan_fetches(rows, TODAY, states)
    return {
        "search": search_days(searches, first, last),
        "reprobe": search_days(searches, first, last, reprobe=True),
        "ranges": ranges,
        "held": [held_total(searches, a, b) for a, b in ranges],
        "moved": [moved_days(searches, a, b, lambda x, y: sum(truth.get(x + timedelta(n), 0)
                                                            for n in range((y - x).days + 1))) for a, b in ranges],
        "covered": covered_from(searches, first, last),
        "due": {(k, r): is_due(states.get(k), parse_partition_key(k)[0], TODAY, SETTINGS, r)
                for k in states for r in (False, True)},
        "fetch": ([r["ttb_id"] for r in plan.fetch], plan.listed, plan.new, plan.moved, plan.current, plan.moved_ids),
        "sequences": {(k, r): list(islice(PartitionCrawl(FIRST, TODAY, SETTINGS, state=dict(v), reprobe=r)
                                          .sequences(), 200)) for k, v in states.items() for r in (False, True)},
    }


def _stored(crawl: dict[str, Any]) -> dict[str, Any]:
    """What the load stores: packed, through JSON as dlt keeps it."""
    stored = json.loads(json.dumps(crawl))
    packed(stored)
    return json.loads(json.dumps(stored))


@settings(max_examples=150, deadline=None)
@given(crawl_states())
def test_packing_is_lossless_and_every_decision_is_the_same(crawl: dict[str, Any]) -> None:
    stored = _stored(crawl)
    view = crawl_view(stored)
    assert view["partitions"] == crawl["partitions"]
    assert view["searches"] == crawl["searches"]
    assert _decisions(view) == _decisions(crawl)
    unpacked(stored)  # what a run starts from
    assert stored["partitions"] == crawl["partitions"] and stored["searches"] == crawl["searches"]
    assert SEARCHED not in stored and SETTLED not in stored


def test_complete_days_are_stored_as_runs_and_what_is_not_complete_as_dicts() -> None:
    day = date(2020, 3, 2)
    searches = {(day + timedelta(n)).isoformat(): search_state(day + timedelta(n), TODAY, n * 10, n * 10, None)
                for n in range(30)}
    searches["2020-03-05"] = search_state(date(2020, 3, 5), TODAY, 7, 6, None)  # listed differs: kept in the run
    searches["2020-03-10"] = search_state(date(2020, 3, 10), TODAY, None, 0, "HTTP 500")  # failed: a dict
    searches["2020-06-30"] = search_state(date(2020, 6, 30), date(2020, 6, 30), 3, 3, None)  # partial: a dict
    stored = _stored({"partitions": {}, "searches": searches})
    assert sorted(stored["searches"]) == ["2020-03-10", "2020-06-30"]
    assert stored[SEARCHED] == {
        "2020-03-02": "2020-07-01|0,10,20,7:6,40,50,60,70", "2020-03-11": "2020-07-01|" + ",".join(
            str(n * 10) for n in range(9, 30)),
    }
    assert crawl_view(stored)["searches"] == searches


def test_days_listed_without_pages_are_packed_as_runs_of_their_own() -> None:
    """An index (pages = none) stays small: its complete days pack like searched ones, marked, and a
    day listed with pages starts another run; read back, none claims pages it was listed without."""
    day = date(2020, 3, 2)
    searches = {(day + timedelta(n)).isoformat(): search_state(day + timedelta(n), TODAY, n, n, None)
                for n in range(6)}
    for n in (0, 1, 2, 4, 5):
        searches[(day + timedelta(n)).isoformat()]["pages"] = "none"
    stored = _stored({"partitions": {}, "searches": searches})
    assert stored["searches"] == {}
    assert stored[SEARCHED] == {"2020-03-02": "2020-07-01|0,1,2|none", "2020-03-05": "2020-07-01|3",
                                "2020-03-06": "2020-07-01|4,5|none"}
    view = crawl_view(stored)["searches"]
    assert view == searches
    assert covered_from(view, day, day + timedelta(5)) is None
    assert covered_from(view, day, day + timedelta(5), held_from=day + timedelta(4)) == day + timedelta(3)


def test_a_partition_that_failed_or_has_unknown_keys_is_kept_as_it_is() -> None:
    crawl = PartitionCrawl(date(2020, 6, 1), TODAY, SETTINGS)
    crawl.fail(1, "timed out")
    failed = crawl.finish("2020-07-01T00:00:00+00:00")
    assert pack_partition(failed) is failed
    odd = {**unpack_partition("5|4|9|o|2020-06-02|2020-06-02T00:00:00+00:00|3||"), "extra": 1}
    assert pack_partition(odd) is odd


def test_a_settled_index_packs_to_a_fraction_of_its_full_size() -> None:
    """Settled partitions and complete days, as most of a registry-scale state is: the packed copy is
    smaller than the full one, compressed as dlt stores it."""
    partitions = {}
    for n in range(450):
        receipt = FIRST + timedelta(days=n // 2)
        crawl = PartitionCrawl(receipt, receipt + timedelta(days=200), SETTINGS)
        for sequence in crawl.sequences():
            if crawl.frontier_done():
                break
            crawl.observe(sequence, sequence % 5 != 0 and sequence < 300)
        partitions[partition_key(receipt, METHODS[n % 2])] = crawl.finish("2020-07-01T12:00:00+00:00")
    searches = {(FIRST + timedelta(n)).isoformat(): search_state(FIRST + timedelta(n), TODAY, 300 + n, 300 + n, None)
                for n in range(130)}
    crawl_state = {"partitions": partitions, "searches": searches}
    stored = _stored(crawl_state)
    assert len(stored[SETTLED]["columns"][0].split(" ")) == sum(p["status"] == "settled" for p in partitions.values())
    assert crawl_view(stored)["partitions"] == partitions
    full = len(zlib.compress(json.dumps(crawl_state).encode()))
    small = len(zlib.compress(json.dumps(stored).encode()))
    assert small * 2 < full, (small, full)
