"""The shared token bucket: exact behaviour on a fake clock, loose behaviour on real threads."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ttb_cola.registry.ratelimit import RateLimiter


class FakeClock:
    """A clock that only moves when someone sleeps on it (single-threaded tests)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


def fake_limiter(rate: float, burst: int = 1) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter(rate, burst, clock=clock, sleep=clock.sleep), clock


def times_of(limiter: RateLimiter, clock: FakeClock, n: int) -> list[float]:
    out = []
    for _ in range(n):
        limiter.acquire()
        out.append(round(clock.now, 9))
    return out


def test_spaces_requests_at_the_rate() -> None:
    limiter, clock = fake_limiter(2.0)
    assert times_of(limiter, clock, 5) == [0.0, 0.5, 1.0, 1.5, 2.0]


def test_burst_goes_at_once_then_the_rate() -> None:
    limiter, clock = fake_limiter(4.0, burst=3)
    assert times_of(limiter, clock, 5) == [0.0, 0.0, 0.0, 0.25, 0.5]


def test_idle_time_refills_at_most_burst_tokens() -> None:
    limiter, clock = fake_limiter(1.0, burst=2)
    times_of(limiter, clock, 2)
    clock.now += 100.0
    assert times_of(limiter, clock, 3) == [100.0, 100.0, 101.0]


def test_acquire_returns_time_waited() -> None:
    limiter, clock = fake_limiter(2.0)
    assert limiter.acquire() == 0.0
    assert limiter.acquire() == pytest.approx(0.5)


@pytest.mark.parametrize("rate", [0, -1])
def test_non_positive_rate_is_unlimited(rate: float) -> None:
    limiter, clock = fake_limiter(rate, burst=1)
    assert limiter.unlimited
    assert times_of(limiter, clock, 100) == [0.0] * 100


def test_pause_holds_everyone_then_resumes_without_a_burst() -> None:
    limiter, clock = fake_limiter(2.0, burst=3)
    limiter.pause(10.0)
    assert times_of(limiter, clock, 3) == [10.0, 10.5, 11.0]


def test_pause_only_extends() -> None:
    limiter, clock = fake_limiter(0)
    limiter.pause(10.0)
    limiter.pause(2.0)
    assert times_of(limiter, clock, 2) == [10.0, 10.0]


def test_try_acquire_never_waits() -> None:
    limiter, clock = fake_limiter(1.0)
    assert limiter.try_acquire()
    assert not limiter.try_acquire()
    clock.now += 1.0
    assert limiter.try_acquire()
    limiter.pause(5)
    clock.now += 1.0
    assert not limiter.try_acquire()


def test_rejects_empty_bucket() -> None:
    with pytest.raises(ValueError):
        RateLimiter(1.0, burst=0)


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(min_value=0.5, max_value=50.0),
    burst=st.integers(min_value=1, max_value=5),
    gaps=st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=1, max_size=40),
)
def test_never_exceeds_the_bucket(rate: float, burst: int, gaps: list[float]) -> None:
    """In any span of length L at most burst + L * rate acquisitions complete (token bucket law)."""
    limiter, clock = fake_limiter(rate, burst)
    times = []
    for gap in gaps:
        clock.now += gap
        limiter.acquire()
        times.append(clock.now)
    for i in range(len(times)):
        for j in range(i, len(times)):
            assert j - i + 1 <= burst + (times[j] - times[i]) * rate + 1e-6


def test_threads_share_one_budget() -> None:
    """N acquisitions from 4 threads at R/s take at least (N-1)/R s; bounds above are loose."""
    rate, per_thread, threads = 20.0, 6, 4
    limiter = RateLimiter(rate)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(per_thread):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.monotonic()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=30)
    n = per_thread * threads
    assert len(stamps) == n
    stamps.sort()
    expected = (n - 1) / rate  # 1.15 s
    # Reservations are exactly 1/R apart, so the span can only be longer, never shorter.
    assert stamps[-1] - stamps[0] >= expected - 0.02
    assert stamps[-1] - start < expected * 3 + 2
    # Nothing like all 24 at once: the first quarter-second lets through about R/4 (+slack for
    # threads woken late and bunching up on a busy box).
    early = sum(1 for t in stamps if t - stamps[0] < 0.25)
    assert early <= rate * 0.25 + 4


def test_pause_from_one_thread_holds_the_others() -> None:
    limiter = RateLimiter(0)
    limiter.pause(0.3)
    paused_at = time.monotonic()
    done: list[float] = []

    def worker() -> None:
        limiter.acquire()
        done.append(time.monotonic())

    pool = [threading.Thread(target=worker) for _ in range(4)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=10)
    assert len(done) == 4
    assert min(done) - paused_at >= 0.29


def test_pause_reaches_threads_already_waiting() -> None:
    limiter = RateLimiter(2.0)
    limiter.acquire()
    done: list[float] = []
    thread = threading.Thread(target=lambda: done.append(limiter.acquire()))
    thread.start()  # reserved the slot 0.5 s ahead and is sleeping on it
    time.sleep(0.05)
    limiter.pause(0.8)
    paused_at = time.monotonic()
    thread.join(timeout=10)
    assert done and time.monotonic() - paused_at >= 0.75
