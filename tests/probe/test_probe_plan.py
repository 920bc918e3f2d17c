"""The partition probing algorithm, driven by a fake registry (a set of public sequences)."""

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ttb_cola.probe.plan import CrawlSettings, PartitionCrawl, is_due, new_state, patience, recheck_interval

DAY = date(2026, 10, 1)
SETTINGS = CrawlSettings(
    max_consecutive_misses=5, max_frontier_misses=5, settle_days=120, max_recheck_interval_days=14, daily_days=14
)


def run(
    public: set[int], state: dict, today: date, fail_at: int | None = None, **kw
) -> tuple[dict, list[int]]:
    crawl = PartitionCrawl(DAY, today, SETTINGS, state, **kw)
    probed = []
    for seq in crawl.sequences():
        probed.append(seq)
        if seq == fail_at:
            crawl.fail(seq, "RegistryUnavailable")
            continue
        crawl.observe(seq, seq in public)
    return crawl.finish(run_at=f"{today}T10:00:00+00:00"), probed


def test_first_run_finds_everything_and_records_holes() -> None:
    public = {1, 2, 4, 5, 9, 10}
    state, probed = run(public, new_state(), DAY + timedelta(days=1))
    assert probed == list(range(1, 16))  # walks until 5 misses in a row after 10
    assert state["highest"] == 10
    assert state["holes"] == [3, 6, 7, 8]
    assert state["public"] == 6
    assert state["probed"] == 15
    assert state["status"] == "open"
    assert state["last_checked"] == "2026-10-02"


def test_rerun_probes_only_holes_and_frontier_and_picks_up_late_approvals() -> None:
    state, _ = run({1, 2, 4, 5, 9, 10}, new_state(), DAY + timedelta(days=1))
    later = {1, 2, 3, 4, 5, 7, 9, 10, 11, 13}  # 3 and 7 approved late, 11 and 13 new
    state2, probed = run(later, state, DAY + timedelta(days=2))
    assert probed[:4] == [3, 6, 7, 8]
    assert probed[4:] == list(range(11, 19))
    assert state2["highest"] == 13
    assert state2["holes"] == [6, 8, 12]
    assert state2["public"] == 10


def test_failure_keeps_only_confirmed_progress_and_is_retried() -> None:
    state, _ = run({1, 2, 4, 5, 9, 10}, new_state(), DAY + timedelta(days=1))
    failed, probed = run({1, 2, 4, 5, 9, 10, 11, 12, 14}, state, DAY + timedelta(days=2), fail_at=12)
    assert probed[-1] == 12
    assert failed["status"] == "failed"
    assert failed["highest"] == 11  # 12 unconfirmed, 14 never reached
    assert failed["last_checked"] == state["last_checked"]
    assert "sequence 12" in failed["last_error"]
    assert is_due(failed, DAY, DAY + timedelta(days=2), SETTINGS)
    again, _ = run({1, 2, 4, 5, 9, 10, 11, 12, 14}, failed, DAY + timedelta(days=2))
    assert again["status"] == "open" and again["highest"] == 14 and again["holes"] == [3, 6, 7, 8, 13]


def test_failure_on_a_hole_keeps_the_hole() -> None:
    state, _ = run({1, 3}, new_state(), DAY + timedelta(days=1))
    failed, _ = run({1, 2, 3}, state, DAY + timedelta(days=2), fail_at=2)
    assert failed["holes"] == [2] and failed["highest"] == 3


def test_old_partition_settles_and_is_skipped_unless_reprobe() -> None:
    today = DAY + timedelta(days=121)
    state, _ = run({1, 2, 4}, new_state(), today)
    assert state["status"] == "settled" and state["holes"] == [] and state["public"] == 3
    assert not is_due(state, DAY, today + timedelta(days=30), SETTINGS)
    assert is_due(state, DAY, today, SETTINGS, reprobe=True)
    refreshed, probed = run({1, 2, 3, 4}, state, today, reprobe=True)
    assert probed[:4] == [1, 2, 3, 4]
    assert refreshed["public"] == 4


def test_recheck_interval_is_daily_in_the_window_then_grows_and_is_capped() -> None:
    assert [recheck_interval(a, SETTINGS) for a in (0, 6, 14, 20, 21, 35, 70, 500)] == [1, 1, 1, 1, 1, 3, 8, 14]
    wide = CrawlSettings(daily_days=45)
    assert [recheck_interval(a, wide) for a in (30, 45, 52, 66, 300)] == [1, 1, 1, 3, 14]


def test_is_due_follows_the_interval() -> None:
    state = new_state() | {"last_checked": (DAY + timedelta(days=40)).isoformat()}
    assert not is_due(state, DAY, DAY + timedelta(days=43), SETTINGS)  # age 43 -> every 4 days
    assert is_due(state, DAY, DAY + timedelta(days=44), SETTINGS)
    assert is_due(None, DAY, DAY, SETTINGS)


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.integers(1, 60), max_size=40),
    st.sets(st.integers(1, 60), max_size=40),
)
def test_repeated_runs_never_lose_a_public_sequence(first: set[int], added: set[int]) -> None:
    """Whatever becomes public later, below or at the frontier, a later run finds it, provided no
    gap of max_consecutive_misses opens above the highest found (the documented limit)."""
    def reachable(public: set[int]) -> set[int]:
        found, misses, seq = set(), 0, 0
        while misses < SETTINGS.max_consecutive_misses:
            seq += 1
            if seq in public:
                found.add(seq)
                misses = 0
            else:
                misses += 1
        return found

    seen: set[int] = set()
    state, _ = run(first, new_state(), DAY + timedelta(days=1))
    crawl_found = {s for s in range(1, state["highest"] + 1) if s not in state["holes"]}
    assert crawl_found == reachable(first)
    seen |= crawl_found
    both = first | added
    state2, _ = run(both, state, DAY + timedelta(days=2))
    found2 = {s for s in range(1, state2["highest"] + 1) if s not in state2["holes"]}
    assert found2 >= seen
    assert found2 == reachable(both)
    assert state2["public"] == len(found2)


def test_patience_grows_in_sparse_partitions_and_stays_bounded() -> None:
    adaptive = CrawlSettings(max_consecutive_misses=40, max_frontier_misses=400, frontier_risk=1e-4)
    assert patience(0, 0, adaptive) == 40  # nothing public yet: the minimum
    assert patience(900, 1000, adaptive) == 40  # dense (settled) partition
    assert patience(100, 1000, adaptive) == 88  # 10% public: 0.9 ** 88 < 1e-4
    assert patience(40, 1000, adaptive) == 226  # 4% public, as a day after receipt
    assert patience(1, 1000, adaptive) == 400  # capped


def test_frontier_stops_exactly_where_patience_counted_afresh_at_every_step_says() -> None:
    """The walk's cached patience gives the same stopping point as counting the unseen sequences anew on
    every step, over random partitions, holes and prior states."""
    rng = random.Random(7)
    settings = CrawlSettings(max_consecutive_misses=5, max_frontier_misses=300, frontier_risk=1e-4)

    def afresh(crawl: PartitionCrawl) -> bool:
        highest = max([crawl.state["highest"], *crawl.found])
        unseen = (set(crawl.state["holes"]) | set(crawl.missed)) - set(crawl.found)
        public = highest - sum(1 for s in unseen if s < highest)
        return crawl._misses_in_a_row >= patience(public, highest, settings)

    stops = set()
    for _ in range(300):
        share = rng.choice((0.02, 0.1, 0.5, 0.95))
        public = {s for s in range(1, rng.randint(1, 600)) if rng.random() < share}
        prior = new_state()
        if rng.random() < 0.5 and public:
            prior["highest"] = rng.choice(sorted(public))
            prior["holes"] = [s for s in range(1, prior["highest"]) if s not in public and rng.random() < 0.8]
            # unanswered last time: probed again, public or not
            prior["unanswered"] = [s for s in range(1, prior["highest"])
                                   if s not in prior["holes"] and rng.random() < 0.3]
        crawl = PartitionCrawl(DAY, DAY + timedelta(days=1), settings, prior)
        late: list[int] = []  # answers that come in late, as the runner's concurrent probes do
        for seq in crawl.sequences():
            if seq <= prior["highest"] and rng.random() < 0.3:
                late.append(seq)
            else:
                crawl.observe(seq, seq in public)
            if late and rng.random() < 0.2:
                answered = late.pop(0)
                crawl.observe(answered, answered in public)
            assert crawl.frontier_done() == afresh(crawl), seq
        stops.add(crawl._misses_in_a_row)
    assert len(stops) > 3  # stops at different patiences, not only at the minimum


def test_sparse_partition_walk_crosses_long_gaps() -> None:
    sparse = CrawlSettings(max_consecutive_misses=30, max_frontier_misses=400, frontier_risk=1e-4)
    public = {s for s in range(1, 400) if s % 25 == 0}  # 4% public, gaps of 24
    crawl = PartitionCrawl(DAY, DAY + timedelta(days=1), sparse, new_state())
    for seq in crawl.sequences():
        crawl.observe(seq, seq in public)
    state = crawl.finish(run_at="x")
    assert state["highest"] == 375 and state["public"] == len(public)


def test_a_parked_sequence_is_neither_found_nor_a_hole_and_the_walk_goes_on() -> None:
    """A COLA whose page could not be read is set aside: the walk continues past it, it is not a hole
    (the parked COLAs' book retries it), not fetched, and it counts toward the highest sequence."""
    crawl = PartitionCrawl(DAY, DAY + timedelta(days=1), SETTINGS, new_state())
    public, unreadable, probed = {1, 2, 4, 9, 10}, {3, 11}, []
    for seq in crawl.sequences():
        probed.append(seq)
        if seq in unreadable:
            crawl.park(seq)
        else:
            crawl.observe(seq, seq in public)
    state = crawl.finish(run_at="2026-10-02T10:00:00+00:00")
    # parked 11 neither resets nor extends the misses in a row: the walk stops 5 misses after 10
    assert probed == list(range(1, 17))
    assert state["status"] == "open" and state["last_error"] is None
    assert state["highest"] == 11 and state["holes"] == [5, 6, 7, 8]
    assert state["fetched"] == {"2026-10-02": "1-2,4,9-10"}


def test_an_unanswered_sequence_is_probed_again_and_never_taken_for_a_hole() -> None:
    """Set aside (its page failed while others loaded): neither found nor a miss nor a hole. Below the
    highest found it is kept as ``unanswered`` (probed again), above it is frontier (walked again); it
    never raises the highest. Once answered it is found, or a hole."""
    crawl = PartitionCrawl(DAY, DAY + timedelta(days=1), SETTINGS, new_state())
    public, aside = {1, 2, 4, 5, 9, 10}, {2, 11}
    for seq in crawl.sequences():
        if seq in aside:
            crawl.set_aside(seq)
        else:
            crawl.observe(seq, seq in public)
    state = crawl.finish(run_at="x")
    assert state["status"] == "open" and state["highest"] == 10
    assert state["holes"] == [3, 6, 7, 8] and state["unanswered"] == [2]
    later, probed = run({1, 4, 5, 9, 10, 11}, state, DAY + timedelta(days=2))  # 2 is not public after all
    assert probed[:5] == [2, 3, 6, 7, 8] and 11 in probed
    assert later["highest"] == 11 and later["holes"] == [2, 3, 6, 7, 8] and later["unanswered"] == []
