"""The circuit breaker: counted failures in a row across threads, stop or cool down, the saved body."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sim_server import running_simulator

from ttb_cola.registry.breaker import BreakerSettings, CircuitBreaker
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.errors import RegistryBlocked
from ttb_cola.registry.pages import PageKind
from ttb_cola.registry.retry import RetryableFailure, RetryPolicy, RetryReason
from ttb_cola.registry.stopping import RunStopped, StopSignal

URL = "http://user:pw-secret@registry.test/colasonline/viewColaDetails.do?ttbid=1"


def failure(reason: RetryReason = RetryReason.UNKNOWN_PAGE) -> RetryableFailure:
    return RetryableFailure(reason, f"{reason} page", method="GET", url=URL, status_code=200)


class Pauses:
    """A stand-in for the rate limiter that records pauses."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def pause(self, seconds: float) -> None:
        self.waits.append(seconds)


def breaker(tmp_path: Path, **settings: object) -> tuple[CircuitBreaker, StopSignal, Pauses]:
    stop, pauses = StopSignal(), Pauses()
    values = {"threshold": 5, "quarantine_dir": str(tmp_path / "q"), **settings}
    return CircuitBreaker(BreakerSettings(**values), stop, pauses), stop, pauses  # type: ignore[arg-type]


def test_trips_after_k_in_a_row_across_threads_and_saves_the_last_body(tmp_path: Path) -> None:
    cb, stop, _ = breaker(tmp_path, threshold=40)
    threads = [threading.Thread(target=lambda: [cb.failure(failure(), b"<html>down</html>") for _ in range(10)])
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert stop.is_set() and cb.opened and "40 unavailable or unknown answers in a row" in cb.opened
    with pytest.raises(RegistryBlocked, match="circuit breaker open"):
        cb.check()
    assert cb.saved is not None and cb.saved.read_bytes() == b"<html>down</html>"
    meta = json.loads(cb.saved.with_suffix(".json").read_text())
    assert meta["reason"] == "unknown_page" and meta["status_code"] == 200
    assert "pw-secret" not in meta["url"] and "pw-secret" not in cb.opened


def test_an_answered_page_resets_the_count(tmp_path: Path) -> None:
    cb, stop, _ = breaker(tmp_path)
    for _ in range(3):
        for _ in range(4):
            cb.failure(failure(RetryReason.SERVER_ERROR))
        cb.success()
    assert not stop.is_set() and cb.opened is None
    cb.check()


@pytest.mark.parametrize("reason", [RetryReason.RATE_LIMITED, RetryReason.SESSION_TIMEOUT])
def test_throttling_and_session_timeouts_do_not_count(tmp_path: Path, reason: RetryReason) -> None:
    cb, stop, _ = breaker(tmp_path)
    for _ in range(50):
        cb.failure(failure(reason))
    assert not stop.is_set() and cb.saved is None


@pytest.mark.parametrize("reason", [RetryReason.CAPTCHA, RetryReason.FORBIDDEN, RetryReason.CONNECTION,
                                    RetryReason.TIMEOUT, RetryReason.SERVER_ERROR])
def test_blocks_and_outages_count(tmp_path: Path, reason: RetryReason) -> None:
    cb, stop, _ = breaker(tmp_path)
    for _ in range(5):
        cb.failure(failure(reason))
    assert stop.is_set()


def test_a_few_403s_with_no_page_answered_between_them_trip_it(tmp_path: Path) -> None:
    """``forbidden`` 403s trip it long before ``threshold``, other failures between them or not; a
    stray 403 (a page answered after it) does not."""
    cb, stop, _ = breaker(tmp_path, threshold=24, forbidden=3)
    for _ in range(5):
        cb.failure(failure(RetryReason.FORBIDDEN))
        cb.failure(failure(RetryReason.FORBIDDEN))
        cb.success()
    assert not stop.is_set() and cb.answered == 5
    cb.failure(failure(RetryReason.FORBIDDEN))
    cb.failure(failure(RetryReason.SERVER_ERROR))
    cb.failure(failure(RetryReason.FORBIDDEN))
    assert not stop.is_set()
    cb.failure(failure(RetryReason.FORBIDDEN))
    assert stop.is_set() and cb.opened and "3 HTTP 403 (forbidden) answers in a row" in cb.opened


def test_wait_cools_down_with_growing_waits_then_stops_at_the_cap(tmp_path: Path) -> None:
    cb, stop, pauses = breaker(tmp_path, on_block="wait", cooldown=10.0, cooldown_max=30.0, max_cooldowns=3)
    for _ in range(3 * 5):
        cb.failure(failure())
    assert pauses.waits == [10.0, 20.0, 30.0] and cb.epoch == 3 and not stop.is_set()
    for _ in range(5):
        cb.failure(failure())
    assert stop.is_set() and cb.opened and "after 3 cooldown(s)" in cb.opened


def test_wait_starts_over_after_the_registry_answers(tmp_path: Path) -> None:
    cb, stop, pauses = breaker(tmp_path, on_block="wait", cooldown=10.0, max_cooldowns=1)
    for _ in range(3):
        for _ in range(5):
            cb.failure(failure())
        cb.success()
    assert pauses.waits == [10.0, 10.0, 10.0] and not stop.is_set()


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="on_block"):
        BreakerSettings(on_block="retry")
    with pytest.raises(ValueError):
        BreakerSettings(threshold=0)
    with pytest.raises(ValueError):
        BreakerSettings(forbidden=0)


def test_stop_signal_wakes_a_sleeper_at_once() -> None:
    stop = StopSignal()
    raised: list[BaseException] = []

    def sleeper() -> None:
        try:
            stop.sleep(3600)
        except RunStopped as exc:
            raised.append(exc)

    thread = threading.Thread(target=sleeper)
    thread.start()
    stop.set("test")
    thread.join(timeout=60)
    assert not thread.is_alive() and raised and "test" in str(raised[0])


def _clients(base_url: str, cb: CircuitBreaker, stop: StopSignal) -> RegistryClient:
    return RegistryClient(base_url, requests_per_second=0, request_timeout=30, breaker=cb, sleep=stop.sleep,
                          retry_policy=RetryPolicy(max_attempts=6, initial_wait=0.01, jitter=0.01,
                                                   captcha_wait=0.01, captcha_max_wait=0.02))


@pytest.mark.parametrize("kind", ["forbidden", "maintenance", "server_error", "captcha"])
def test_client_stops_sending_once_open(tmp_path: Path, kind: str) -> None:
    """4 threads x 10 IDs against a hard block: about K requests, then none; RegistryBlocked or stopped."""
    threshold, threads = 12, 4
    stop = StopSignal()
    cb = CircuitBreaker(BreakerSettings(threshold=threshold, quarantine_dir=str(tmp_path)), stop)
    errors: list[BaseException] = []
    with running_simulator(seed=3, faults={"block_all": True, "block_kind": kind}) as sim:
        client = _clients(sim.base_url, cb, stop)

        def work() -> None:
            for n in range(10):
                try:
                    client.detail(f"25167001{n:06d}")
                except (RegistryBlocked, RunStopped) as exc:
                    errors.append(exc)

        pool = [threading.Thread(target=work) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(timeout=120)
        sent = sim.faults.counts[kind]
    assert len(errors) == threads * 10
    trips = BreakerSettings().forbidden if kind == "forbidden" else threshold  # a 403 trips it sooner
    assert trips <= sent <= trips + threads  # those in flight when it opened
    assert cb.saved is not None and cb.saved.read_bytes()
    assert json.loads(cb.saved.with_suffix(".json").read_text())["status_code"] in (200, 403, 500, 503)


def test_client_waits_out_a_block_and_resumes(tmp_path: Path) -> None:
    """on_block=wait: a request whose 2 attempts both ran into the block starts again after the cooldown."""
    stop = StopSignal()
    settings = BreakerSettings(threshold=2, on_block="wait", cooldown=0.5, max_cooldowns=5,
                               quarantine_dir=str(tmp_path))
    with running_simulator(seed=3, faults={"block_all": True, "block_kind": "maintenance"}) as sim:
        client = RegistryClient(sim.base_url, requests_per_second=0, request_timeout=30, sleep=stop.sleep,
                                retry_policy=RetryPolicy(max_attempts=2, initial_wait=0.01, jitter=0.01))
        cb = CircuitBreaker(settings, stop, client.rate_limiter)
        client.breaker = cb
        ttb_id = sim.registry.partition_records(sim.registry.as_of.replace(day=16), "001")[0]["ttb_id"]

        def heal() -> None:
            while cb.epoch < 1:
                stop.event.wait(0.01)
            sim.set_faults(None)  # the registry is back during the cooldown

        healer = threading.Thread(target=heal, daemon=True)
        healer.start()
        page = client.detail(ttb_id)
        healer.join(timeout=60)
    assert page.kind is PageKind.DETAIL and cb.epoch == 1 and not stop.is_set()


def test_a_backoff_sleep_wakes_on_stop() -> None:
    """A request in an hour-long backoff (5xx, Retry-After: 3600) ends as soon as the run stops."""
    stop = StopSignal()
    outcome: list[BaseException] = []
    with running_simulator(seed=3, faults={"error_rate": 1.0}) as sim:
        client = RegistryClient(sim.base_url, requests_per_second=0, request_timeout=30, sleep=stop.sleep,
                                retry_policy=RetryPolicy(initial_wait=3600, max_wait=3600, jitter=0))

        def fetch() -> None:
            try:
                client.detail("25167001000001")
            except RunStopped as exc:
                outcome.append(exc)

        thread = threading.Thread(target=fetch, daemon=True)
        thread.start()
        while client.stats.snapshot().retries == 0:  # the first attempt failed: it is in its backoff now
            stop.event.wait(0.01)
        stop.set("ctrl-c")
        thread.join(timeout=600)
    assert not thread.is_alive() and outcome and "ctrl-c" in str(outcome[0])
    assert client.stats.snapshot().requests == 1
