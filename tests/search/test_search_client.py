"""Discovery by completed date against the simulator's search: export, split over the cap, paging."""

from __future__ import annotations

from datetime import date

import pytest
from sim_server import running_simulator

from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.retry import RetryPolicy
from ttb_cola.search.client import Searcher, SearchIncomplete
from ttb_cola_sim.registry import truth_record

AS_OF = date(2025, 6, 30)
FAST = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, jitter=0.0, captcha_wait=0.01)
ROW_FIELDS = ("permit_number", "serial_number", "completed_date", "fanciful_name", "brand_name", "origin_code",
              "origin_description", "class_type_code", "class_type_description")


def expected_rows(sim, day: date) -> dict[str, dict]:
    return {r["ttb_id"]: truth_record(r) for r in sim.registry.completed_between(day, day)}


def check(rows: list[dict], expected: dict[str, dict]) -> None:
    got = {row["ttb_id"]: row for row in rows}
    assert set(got) == set(expected)
    for ttb_id, row in got.items():
        assert {f: row[f] for f in ROW_FIELDS} == {f: expected[ttb_id][f] for f in ROW_FIELDS}, ttb_id


@pytest.fixture(scope="module")
def sim():
    with running_simulator(seed=1, as_of=AS_OF) as server:
        yield server


def searcher(sim, **kwargs) -> Searcher:
    return Searcher(RegistryClient(sim.base_url, requests_per_second=0, retry_policy=FAST), **kwargs)


def test_a_day_under_the_cap_comes_from_one_export(sim) -> None:
    day = date(2025, 6, 17)  # a Tuesday: some 640 completions
    result = searcher(sim).completed(day)
    assert (result.exports, result.pages, result.splits) == (1, 0, 0)
    check(result.rows, expected_rows(sim, day))


def test_a_day_over_the_cap_is_split_by_class_type_and_reconciled(sim) -> None:
    day = date(2025, 6, 16)  # a Monday: the weekend's work, some 1,900 completions
    result = searcher(sim).completed(day)
    assert result.total > 1000 and result.splits >= 1 and result.exports >= 2
    check(result.rows, expected_rows(sim, day))


def test_an_export_that_does_not_add_up_falls_back_to_paging(sim) -> None:
    day = date(2025, 6, 14)  # a Saturday: a few dozen
    # The server's export holds at most 1,000 rows; claim a larger cap so a big day's export comes
    # back short, and the search must page instead.
    result = searcher(sim, export_cap=5000).completed(date(2025, 6, 16))
    assert result.pages > 50 and result.exports == 1
    check(result.rows, expected_rows(sim, date(2025, 6, 16)))
    small = searcher(sim, export_cap=10).completed(day)
    check(small.rows, expected_rows(sim, day))


def test_an_empty_day_has_no_rows(sim) -> None:
    result = searcher(sim).completed(date(2000, 1, 1))
    assert result.total == 0 and result.rows == []


def test_rows_missing_from_every_route_make_the_search_incomplete(sim, monkeypatch: pytest.MonkeyPatch) -> None:
    from ttb_cola.search import client as discover

    def short_pages(self, first, total):  # the registry stops paging early
        yield first["rows"][:-1]

    monkeypatch.setattr(discover.Searcher, "_pages", short_pages)
    with pytest.raises(SearchIncomplete, match="rows gathered"):
        searcher(sim, export_cap=0).completed(date(2025, 6, 14))


def test_lettered_codes_at_a_split_boundary_stay_in_their_range(sim) -> None:
    # a smaller cap forces splits down to ranges ending at 80, where 80 and 80A must not fall apart
    day = date(2025, 6, 23)
    expected = expected_rows(sim, day)
    lettered = {r["class_type_code"] for r in expected.values() if r["class_type_code"][-1:].isalpha()}
    assert lettered, "the day has lettered class/type codes: the test would prove nothing"
    result = searcher(sim, export_cap=600).completed(day)
    check(result.rows, expected)
    assert result.splits > 3 and result.pages == 0


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
    check(result.rows, expected_rows(sim, day))
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
