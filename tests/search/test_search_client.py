"""Discovery by completed date against the simulator's search: ranges exported in one go, split by
dates then by class/type codes, paging last; the export cap learned from the registry's answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.retry import RetryPolicy
from ttb_cola.search.cap import ExportCap
from ttb_cola.search.client import EXPORT, SEARCH, Searcher
from ttb_cola.search.result import SearchIncomplete, SearchResult
from ttb_cola.search.splitting import FANOUT
from ttb_cola_sim.registry import Registry, truth_record
from ttb_cola_sim.server import SimulatorServer

AS_OF = date(2025, 6, 30)
FAST = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, jitter=0.0, captcha_wait=0.01)
ROW_FIELDS = ("permit_number", "serial_number", "completed_date", "fanciful_name", "brand_name", "origin_code",
              "origin_description", "class_type_code", "class_type_description")
REGISTRY = Registry(seed=1, as_of=AS_OF)


@contextmanager
def serving(export_cap: int) -> Iterator[SimulatorServer]:
    with SimulatorServer(REGISTRY, export_cap=export_cap) as server:
        yield server


def expected_rows(sim: SimulatorServer, first: date, last: date | None = None) -> dict[str, dict]:
    return {r["ttb_id"]: truth_record(r) for r in sim.registry.completed_between(first, last or first)}


def check(result: SearchResult, expected: dict[str, dict], first: date, last: date) -> None:
    """Every row equals the truth (exact listing fields), and every date is listed with its proof."""
    got = {row["ttb_id"]: row for row in result.rows}
    assert len(got) == len(result.rows)
    assert set(got) == set(expected)
    for ttb_id, row in got.items():
        assert {f: row[f] for f in ROW_FIELDS} == {f: expected[ttb_id][f] for f in ROW_FIELDS}, ttb_id
    days = result.days()
    assert [d.day for d in days] == [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for listing in days:
        assert {r["ttb_id"] for r in listing.rows} == {
            i for i, r in expected.items() if r["completed_date"] == listing.day.isoformat()}
        assert listing.proof.first <= listing.day <= listing.proof.last
    for proof in result.proofs:  # each proof's total is the truth's count for its dates
        assert proof.reported_total == len(expected_rows_between(expected, proof.first, proof.last))


def expected_rows_between(expected: dict[str, dict], first: date, last: date) -> list[str]:
    return [i for i, r in expected.items() if first.isoformat() <= r["completed_date"] <= last.isoformat()]


class CountingClient(RegistryClient):
    """Records the reported total of each search and the total each export was asked for."""

    def __init__(self, sim: SimulatorServer) -> None:
        super().__init__(sim.base_url, requests_per_second=0, retry_policy=FAST)
        self.last_total = 0
        self.exported: list[tuple[int, int]] = []  # (the search's total, rows the export held)

    def post(self, path, data=None, *, session_bound=False):  # noqa: ANN001, ANN201 - as the parent
        page = super().post(path, data, session_bound=session_bound)
        if path == SEARCH:
            from ttb_cola.parsers.search import parse_search_results
            self.last_total = parse_search_results(page.body)["total"]
        return page

    def request(self, method, path, *args, **kwargs):  # noqa: ANN001, ANN201 - as the parent
        page = super().request(method, path, *args, **kwargs)
        if path == EXPORT:
            self.exported.append((self.last_total, page.body.count(b"\n'")))
        return page

    @property
    def requests(self) -> int:
        return self.stats.snapshot().requests


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with serving(1000) as server:
        yield server


def searcher(sim: SimulatorServer, **kwargs) -> Searcher:  # noqa: ANN003 - Searcher's keywords
    return Searcher(RegistryClient(sim.base_url, requests_per_second=0, retry_policy=FAST), **kwargs)


def test_a_range_under_the_cap_costs_one_search_and_one_export(sim: SimulatorServer) -> None:
    first, last = date(2025, 6, 13), date(2025, 6, 15)  # Friday to Sunday: some 750 completions
    client = CountingClient(sim)
    search = Searcher(client, export_cap=1000)
    result = search.completed(first, last)
    assert 500 < result.total <= 1000
    assert (result.searches, result.exports, result.pages, result.splits) == (1, 1, 0, 0)
    assert client.requests == 3  # the session's search form, the search, the export
    check(result, expected_rows(sim, first, last), first, last)
    assert [p.reported_total for p in result.proofs] == [result.total] and result.days()[0].reported_total is None
    # the session lives on: the next range costs the search and the export only
    before = client.requests
    again = search.completed(date(2025, 6, 21), date(2025, 6, 22))
    assert client.requests - before == 2 and again.exports == 1
    check(again, expected_rows(sim, date(2025, 6, 21), date(2025, 6, 22)), date(2025, 6, 21), date(2025, 6, 22))


def test_a_range_over_the_cap_is_split_by_dates(sim: SimulatorServer) -> None:
    first, last = date(2025, 6, 17), date(2025, 6, 22)  # Tuesday to Sunday: some 2,600, no day over 1,000
    client = CountingClient(sim)
    result = Searcher(client, export_cap=ExportCap(1000, {"exact": 1000})).completed(first, last)
    assert result.total > 2000 and result.splits >= 1 and result.pages == 0
    assert all(total <= 1000 and rows == total for total, rows in client.exported)
    assert all(p.first < p.last or p.first.weekday() < 5 for p in result.proofs)  # date ranges, not codes
    check(result, expected_rows(sim, first, last), first, last)
    assert client.requests <= 2 * 2 * -(-result.total // 1000) + 2  # within twice the ideal


def test_one_day_over_the_cap_is_split_by_class_code(sim: SimulatorServer) -> None:
    day = date(2025, 6, 16)  # a Monday: the weekend's work, some 1,900 completions
    result = Searcher(RegistryClient(sim.base_url, requests_per_second=0, retry_policy=FAST),
                      export_cap=ExportCap(1000, {"exact": 1000})).completed(day)
    assert result.total > 1000 and result.splits >= 1 and result.exports >= 2 and result.pages == 0
    assert [(p.first, p.last, p.reported_total) for p in result.proofs] == [(day, day, result.total)]
    assert result.days()[0].reported_total == result.total
    check(result, expected_rows(sim, day), day, day)


def test_days_over_the_cap_in_a_range_are_cut_by_codes_without_a_count_of_their_own() -> None:
    """With the cap learned, a busy month (more exports than a range is first cut into) is cut into
    parts of about a day: a weekday expected over the cap is listed by class/type code ranges, with no
    search of the whole day (it would only be split again); the range's total proves its days."""
    registry = Registry(seed=1, as_of=AS_OF, start=date(2025, 1, 1), business_days=True)
    first, last = date(2025, 6, 2), date(2025, 6, 29)  # four weeks: weekdays of several hundred each
    with SimulatorServer(registry, export_cap=500) as server:
        client = CountingClient(server)
        days_searched: list[tuple[str, str]] = []
        post = client.post

        def spy(path, data=None, *, session_bound=False):  # noqa: ANN001, ANN202 - as the client's
            if path == SEARCH and data and not data["searchCriteria.classTypeFrom"]:
                days_searched.append((data["searchCriteria.dateCompletedFrom"], data["searchCriteria.dateCompletedTo"]))
            return post(path, data, session_bound=session_bound)

        client.post = spy  # type: ignore[method-assign]
        searcher = Searcher(client, export_cap=ExportCap(500, {"exact": 500, "at_least": 0}))
        searcher.completed(date(2025, 5, 26), date(2025, 5, 30))  # a week before: how completions spread
        days_searched.clear()
        result = searcher.completed(first, last)
        expected = {r["ttb_id"]: truth_record(r) for r in registry.completed_between(first, last)}
    assert len(expected) > FANOUT * 500
    assert all(a != b or date(int(a[6:]), int(a[:2]), int(a[3:5])).weekday() >= 5 for a, b in days_searched)
    assert all(total <= 500 and rows == total for total, rows in client.exported)
    check(result, expected, first, last)
    assert any(p.first < p.last for p in result.proofs)  # the days proven by their range's total


def test_lettered_codes_at_a_split_boundary_stay_in_their_range() -> None:
    # a small cap forces splits down to ranges ending at 80, where 80 and 80A must not fall apart
    day = date(2025, 6, 24)
    with serving(200) as server:
        expected = expected_rows(server, day)
        lettered = {r["class_type_code"] for r in expected.values() if r["class_type_code"][-1:].isalpha()}
        assert lettered, "the day has lettered class/type codes: the test would prove nothing"
        result = searcher(server, export_cap=200).completed(day)
    check(result, expected, day, day)
    assert result.splits >= 2


def test_a_single_class_code_over_the_cap_on_one_day_is_paged() -> None:
    day = date(2025, 6, 16)
    with serving(300) as server:
        expected = expected_rows(server, day)
        wine80 = sum(1 for r in expected.values() if r["class_type_code"] in ("80", "80A"))
        assert wine80 > 300, "code 80 alone must be over the cap that day"
        result = searcher(server, export_cap=300).completed(day)
    check(result, expected, day, day)
    assert result.pages >= -(-wine80 // 20) and result.exports >= 3  # the rest still came from exports
    assert result.pages < len(expected) // 20  # only code 80 was paged


@pytest.mark.parametrize("cap", [500, 1000])
def test_the_export_cap_is_learned_and_never_exceeded_again(cap: int) -> None:
    first, last = date(2025, 6, 2), date(2025, 6, 15)
    with serving(cap) as server:
        client = CountingClient(server)
        search = Searcher(client)  # the prior: 500
        result = search.completed(first, last)
        expected = expected_rows(server, first, last)
    check(result, expected, first, last)
    assert search.export_cap == cap and search.cap.state()["exact"] == cap
    short = [i for i, (total, rows) in enumerate(client.exported) if rows < total]
    assert len(short) <= 1  # one export taught the cap ...
    assert all(total <= cap for total, _ in client.exported[short[0] + 1 if short else 0:])  # ... never exceeded
    assert all(rows == min(total, cap) for total, rows in client.exported)
    ideal = 2 * -(-len(expected) // cap)
    assert client.requests <= 4 * ideal


def test_a_cap_above_the_prior_is_learned_and_remembered() -> None:
    first, last = date(2025, 6, 2), date(2025, 6, 13)
    with serving(3000) as server:
        client = CountingClient(server)
        search = Searcher(client, export_cap=500)
        check(search.completed(first, last), expected_rows(server, first, last), first, last)
        learned = search.cap.state()
        assert learned["at_least"] > 1000  # exports over the prior came back whole
        assert all(rows == min(total, 3000) for total, rows in client.exported)
        # the next run starts from what this one stored: a range of some 1,900 goes in one export
        client = CountingClient(server)
        later = Searcher(client, export_cap=ExportCap(500, learned))
        first, last = date(2025, 6, 17), date(2025, 6, 19)
        result = later.completed(first, last)
        assert 1000 < result.total <= learned["at_least"]
        assert (result.exports, result.splits, client.requests) == (1, 0, 3)
        check(result, expected_rows(server, first, last), first, last)


def test_a_wide_empty_range_costs_two_requests(sim: SimulatorServer) -> None:
    first, last = date(1985, 1, 1), date(1999, 12, 31)  # before the first listing (2000)
    client = CountingClient(sim)
    result = Searcher(client).completed(first, last)
    assert client.requests == 2 and result.rows == [] and client.exported == []
    days = result.days()
    assert len(days) == (last - first).days + 1 and all(d.rows == [] for d in days)
    assert [(p.first, p.last, p.reported_total) for p in result.proofs] == [(first, last, 0)]


def test_total_counts_a_range_in_one_search(sim: SimulatorServer) -> None:
    client = CountingClient(sim)
    search = Searcher(client)
    assert search.total(date(2025, 6, 16)) == len(expected_rows(sim, date(2025, 6, 16)))
    before = client.requests
    assert search.total(date(2025, 6, 2), date(2025, 6, 27)) == len(expected_rows(sim, date(2025, 6, 2),
                                                                                   date(2025, 6, 27)))
    assert client.requests - before == 1 and client.exported == []


def test_an_export_that_fails_falls_back_to_paging_and_teaches_nothing(sim: SimulatorServer) -> None:
    day = date(2025, 6, 14)  # a Saturday: a few dozen
    sim.set_faults(session_timeout_rate=1.0, spare_paths=[
        "publicSearchColasBasic.do", "publicSearchColasBasicProcess.do", "publicPageBasicCola.do"])
    try:
        search = searcher(sim)
        result = search.completed(day)
    finally:
        sim.set_faults()
    assert result.exports == 1 and result.pages >= 1
    assert search.export_cap is None
    check(result, expected_rows(sim, day), day, day)


def test_an_empty_day_has_no_rows(sim: SimulatorServer) -> None:
    result = searcher(sim).completed(date(2000, 1, 1))
    assert result.total == 0 and result.rows == []


def test_rows_missing_from_every_route_make_the_search_incomplete(sim, monkeypatch: pytest.MonkeyPatch) -> None:
    from ttb_cola.search import client as discover

    def short_pages(self, first, total):  # the registry stops paging early
        yield first["rows"][:-1]

    monkeypatch.setattr(discover.Searcher, "_pages", short_pages)
    with pytest.raises(SearchIncomplete, match="rows gathered"):
        searcher(sim, export_cap=0).completed(date(2025, 6, 14))


class ExpiringClient(RegistryClient):
    """Expires every search session on the server just before the first ``expire`` search POSTs."""

    def __init__(self, sim, expire: int) -> None:
        super().__init__(sim.base_url, requests_per_second=0, retry_policy=FAST)
        self.sim = sim
        self.expire = expire
        self.posts = 0

    def post(self, path, data=None, *, session_bound=False):
        self.posts += 1
        if self.posts <= self.expire:
            self.sim.sessions.expire_all()
        return super().post(path, data, session_bound=session_bound)


def test_a_session_timeout_on_the_search_starts_a_new_session_at_once(sim) -> None:
    day = date(2025, 6, 17)
    client = ExpiringClient(sim, expire=1)
    result = Searcher(client).completed(day)
    check(result, expected_rows(sim, day), day, day)
    stats = client.stats.snapshot()
    assert client.posts == 2  # the timed-out POST, then one in a new session: never re-POSTed without one
    assert stats.retries_by_reason.get("session_timeout", 0) == 0 and stats.failures_by_reason["session_timeout"] == 1


def test_sessions_that_keep_timing_out_make_the_day_incomplete(sim) -> None:
    client = ExpiringClient(sim, expire=10)
    with pytest.raises(SearchIncomplete, match="kept timing out"):
        Searcher(client).completed(date(2025, 6, 17))
    assert client.posts == 3 and client.stats.snapshot().retries == 0


def test_a_range_is_counted_in_one_search_and_the_form_tells_the_registrys_date(sim) -> None:
    first, last = date(2025, 6, 14), date(2025, 6, 18)
    counting = searcher(sim)
    before = counting.client.stats.snapshot().requests
    total = counting.total(first, last)
    assert counting.client.stats.snapshot().requests - before == 2  # the form, then the results page
    assert total == sum(1 for _ in sim.registry.completed_between(first, last)) > 2000
    assert counting.registry_date == AS_OF  # the form's "Date Completed (To)"


def test_a_range_that_cannot_be_counted_is_a_failed_verification_not_a_verified_one(sim) -> None:
    from ttb_cola.search.runner import verify_range

    day = date(2025, 6, 17)
    held = {day.isoformat(): {"status": "complete", "reported_total": 1}}
    sim.set_faults(error_rate=1.0, spare_paths=["publicSearchColasBasic.do"])
    try:
        outcome = verify_range(searcher(sim), held, day, day)
    finally:
        sim.set_faults(None)
    assert outcome.state["status"] == "failed" and outcome.error and outcome.moved == []
    assert outcome.counts == 1 and outcome.requests > 2  # the form, then the POST tried until given up
    moved = verify_range(searcher(sim), held, day, day)
    assert moved.state["status"] == "verified" and moved.moved == [day] and moved.counts == 1
