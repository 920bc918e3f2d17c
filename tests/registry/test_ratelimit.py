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
    """N acquisitions from 4 threads at R/s take at least (N-1)/R s, each no sooner than its slot."""
    rate, per_thread, threads = 20.0, 6, 4
    made = time.monotonic()
    limiter = RateLimiter(rate)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(per_thread):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    pool = [threading.Thread(target=worker) for _ in range(threads)]
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
    # Nothing like all 24 at once: the k-th goes no sooner than k intervals after the limiter was made
    # (a lower bound, so a busy machine waking threads late cannot break it).
    for k, at in enumerate(stamps):
        assert at >= made + k / rate - 0.02, (k, at - made)


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


class SteppedClock:
    """A fake clock shared by real threads: time jumps to the earliest wake-up once every thread sleeps.

    Deterministic whatever the machine's load: no thread's order or timing depends on the OS scheduler.
    """

    def __init__(self, threads: int) -> None:
        self.now = 0.0
        self._running = threads
        self._wakes: list[float] = []
        self._cond = threading.Condition()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._cond:
            wake = self.now + seconds
            self._wakes.append(wake)
            self._running -= 1
            self._cond.notify_all()
            self._cond.wait_for(lambda: self.now >= wake)

    def done(self) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify_all()

    def drive(self, timeout: float = 60.0) -> None:
        """Advance time until every thread has finished."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                left = max(0.0, deadline - time.monotonic())
                assert self._cond.wait_for(lambda: self._running == 0, timeout=left), "threads stuck"
                if not self._wakes:
                    return
                self.now = min(self._wakes)
                woken = [w for w in self._wakes if w <= self.now]
                self._wakes = [w for w in self._wakes if w > self.now]
                self._running += len(woken)  # counted here, so the next wait sees them running
                self._cond.notify_all()


def _max_in_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_many_waiters_leave_a_pause_at_the_configured_rate() -> None:
    """12 threads booked at 10 req/s, then pause(1.5): they leave the pause 0.1 s apart, not at once."""
    rate, waiters, pause_at, pause_for = 10.0, 12, 0.05, 1.5
    clock = SteppedClock(threads=waiters + 1)
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    granted: list[float] = []
    lock = threading.Lock()

    def waiter() -> None:
        limiter.acquire()
        with lock:
            granted.append(clock.now)
        clock.done()

    def pauser() -> None:
        clock.sleep(pause_at)
        limiter.pause(pause_for)
        clock.done()

    pool = [threading.Thread(target=waiter) for _ in range(waiters)] + [threading.Thread(target=pauser)]
    for thread in pool:
        thread.start()
    clock.drive()
    for thread in pool:
        thread.join(timeout=30)
    granted.sort()
    assert len(granted) == waiters
    assert granted[0] == 0.0  # booked before the pause and due at once
    after = granted[1:]
    assert after[0] == pytest.approx(pause_at + pause_for)
    gaps = [b - a for a, b in zip(after, after[1:], strict=False)]
    assert min(gaps) >= 1 / rate - 1e-9, gaps
    assert _max_in_window(after, 1.0) <= rate * 1.5
    assert (len(after) - 1) / (after[-1] - after[0]) >= 0.9 * rate


def test_real_threads_after_a_pause_leave_no_sooner_than_their_slots() -> None:
    """On real threads (any load): the k-th release after a pause is at least k intervals after its end."""
    rate, waiters = 10.0, 12
    limiter = RateLimiter(rate)
    limiter.acquire()
    granted: list[float] = []
    lock = threading.Lock()

    def waiter() -> None:
        limiter.acquire()
        with lock:
            granted.append(time.monotonic())

    pool = [threading.Thread(target=waiter) for _ in range(waiters)]
    for thread in pool:
        thread.start()
    time.sleep(0.05)  # every waiter has booked a slot in the next 1.2 s (or will book after the pause)
    paused_at = time.monotonic()
    limiter.pause(1.5)
    pause_end = time.monotonic() + 1.5
    for thread in pool:
        thread.join(timeout=60)
    granted.sort()
    assert len(granted) == waiters
    # on a loaded machine a waiter's slot can come before the main thread gets to pause: those left earlier
    after = [at for at in granted if at > paused_at]
    assert len(after) >= waiters // 2
    for k, at in enumerate(after):
        assert at >= pause_end + k / rate - 0.02, (k, at - pause_end)
