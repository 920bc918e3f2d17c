"""The registry client against a real HTTP server on loopback, scripted request by request."""

from __future__ import annotations

import contextlib
import logging
import pickle
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest

from ttb_cola.registry.breaker import BreakerSettings, CircuitBreaker
from ttb_cola.registry.client import DEFAULT_USER_AGENT, Page, RegistryClient
from ttb_cola.registry.errors import (
    PageUnavailable,
    RegistryBlocked,
    RegistryError,
    RegistryUnavailable,
    redact_url,
)
from ttb_cola.registry.pages import PageKind
from ttb_cola.registry.ratelimit import RateLimiter
from ttb_cola.registry.retry import RetryPolicy, parse_retry_after
from ttb_cola.registry.stopping import StopSignal
from ttb_cola_sim.render import search_form_page

FIXTURES = Path(__file__).parents[1] / "fixtures"
DETAIL = (FIXTURES / "detail_24011001000462.html").read_bytes()
NOT_FOUND = (FIXTURES / "notfound_99999999999999.html").read_bytes()
RESULTS = (FIXTURES / "search_results_old_potrero_page1.html").read_bytes()
CAPTCHA = (
    b"<html><head><title>Request Rejected</title></head><body>"
    b"<p>What code is in the image?</p><img src='/captcha.png'>"
    b"<p>Your support ID is 12345678901234567890.</p></body></html>"
)
SESSION_TIMEOUT = (
    b"<html><head><title>TTB Online</title></head><body>"
    b"<p>A session timeout has occurred. Please start your search again.</p></body></html>"
)
ID = "24011001000462"
DETAIL_PATH = f"/colasonline/viewColaDetails.do?action=publicDisplaySearchBasic&ttbid={ID}"
FORM_PATH = f"/colasonline/viewColaDetails.do?action=publicFormDisplay&ttbid={ID}"
MISSING_PATH = "/colasonline/viewColaDetails.do?action=publicDisplaySearchBasic&ttbid=99999999999999"
CHECK_PATH = "/colasonline/publicSearchColasBasic.do"
SEARCH_FORM = search_form_page()  # the blank search form, rendered from the real page's template


class CountingLimiter(RateLimiter):
    """An unlimited rate limiter that counts the tokens taken."""

    def __init__(self) -> None:
        super().__init__(0)
        self.acquired = 0

    def acquire(self) -> float:
        self.acquired += 1
        return super().acquire()


# -- the scripted server ------------------------------------------------------------------------


@dataclass
class Step:
    """One scripted answer. ``action``: None (send it), "reset" (close without answering), "hang"
    (wait ``delay`` s first), "cut" (declare the full length, send half), "trickle" (send the body
    a few bytes every ``delay`` s)."""

    status: int = 200
    body: bytes = DETAIL
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    at: float
    headers: dict[str, str]
    body: bytes


class Registry:
    """Answers each path with its script, one step per request; the last step repeats."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Step]] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.url = ""

    def script(self, path: str, *steps: Step) -> None:
        self.scripts[path] = list(steps)

    def requests_to(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self.lock:
            count = sum(1 for s in self.seen if s.path == handler.path)
            self.seen.append(Seen(handler.command, handler.path, time.monotonic(), dict(handler.headers), body))
            steps = self.scripts.get(handler.path) or [Step(404, b"no script for this path")]
        step = steps[min(count, len(steps) - 1)]
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up first
            self._answer(handler, step)

    def _answer(self, handler: BaseHTTPRequestHandler, step: Step) -> None:
        if step.action == "reset":
            # Linger 0: close() sends RST, the client sees a connection reset with no response.
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            return
        if step.action == "hang" and self.stopping.wait(step.delay):
            return
        handler.send_response(step.status)
        handler.send_header("Content-Type", "text/html; charset=ISO-8859-1")
        handler.send_header("Content-Length", str(len(step.body)))
        for name, value in step.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if step.action == "cut":
            handler.wfile.write(step.body[: len(step.body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
        elif step.action == "trickle":
            chunk = max(1, len(step.body) // 20)
            for start in range(0, len(step.body), chunk):
                handler.wfile.write(step.body[start : start + chunk])
                handler.wfile.flush()
                if self.stopping.wait(step.delay):
                    return
        else:
            handler.wfile.write(step.body)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.server.registry.handle(self)

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        self.server.registry.handle(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    registry: Registry

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # reset/timeout scenarios make noise on purpose


@pytest.fixture
def registry() -> Iterator[Registry]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.registry = Registry()
    server.registry.url = f"http://127.0.0.1:{server.server_address[1]}/colasonline"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.registry
    finally:
        server.registry.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


FAST = RetryPolicy(
    max_attempts=4,
    initial_wait=0.01,
    max_wait=0.05,
    jitter=0.01,
    captcha_wait=0.05,
    captcha_max_wait=0.1,
)


@pytest.fixture
def make_client(registry: Registry) -> Iterator[Callable[..., RegistryClient]]:
    clients: list[RegistryClient] = []

    def make(**overrides: object) -> RegistryClient:
        settings: dict[str, object] = {
            "requests_per_second": 0,
            "request_timeout": 2.0,
            "retry_policy": FAST,
            "ca_bundle": certifi.where(),
        }
        settings.update(overrides)
        base_url = str(settings.pop("base_url", registry.url))
        client = RegistryClient(base_url, **settings)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# -- pages that answer are returned as they are -------------------------------------------------


def test_detail_page(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(body=DETAIL))
    before = datetime.now(UTC)
    page = make_client().detail(ID)
    assert isinstance(page, Page)
    assert page.kind is PageKind.DETAIL
    assert page.status_code == 200
    assert page.body == DETAIL
    assert page.url == registry.url.rsplit("/colasonline", 1)[0] + DETAIL_PATH
    assert page.fetched_at.tzinfo is UTC
    assert before <= page.fetched_at <= datetime.now(UTC)
    assert "body" not in repr(page)


def test_form_page_uses_the_form_action(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    form = (FIXTURES / f"form_{ID}.html").read_bytes()
    registry.script(FORM_PATH, Step(body=form))
    page = make_client().form(ID)
    assert page.kind is PageKind.FORM
    assert [s.path for s in registry.seen] == [FORM_PATH]


def test_not_found_is_returned_without_retry(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(MISSING_PATH, Step(body=NOT_FOUND))
    client = make_client()
    page = client.detail("99999999999999")
    assert page.kind is PageKind.NOT_FOUND
    assert len(registry.seen) == 1
    stats = client.stats.snapshot()
    assert (stats.requests, stats.retries) == (1, 0)
    assert stats.pages_by_kind == {"not_found": 1}


def test_post_sends_the_form(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    path = "/colasonline/publicSearchColasBasicProcess.do?action=search"
    registry.script(path, Step(body=RESULTS))
    page = make_client().post(
        "publicSearchColasBasicProcess.do?action=search",
        {"searchCriteria.dateCompletedFrom": "01/01/2024", "searchCriteria.dateCompletedTo": "01/31/2024"},
    )
    assert page.kind is PageKind.SEARCH_RESULTS
    (seen,) = registry.seen
    assert seen.method == "POST"
    assert b"searchCriteria.dateCompletedFrom=01%2F01%2F2024" in seen.body


def test_user_agent_is_sent(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step())
    make_client(user_agent="ttb-cola-test/1.0 (+mailto:ops@example.org)").detail(ID)
    make_client().detail(ID)
    agents = [s.headers["User-Agent"] for s in registry.seen]
    assert agents == ["ttb-cola-test/1.0 (+mailto:ops@example.org)", DEFAULT_USER_AGENT]
    assert DEFAULT_USER_AGENT.startswith("ttb-cola/")


def test_rejects_malformed_ids(make_client: Callable[..., RegistryClient]) -> None:
    client = make_client()
    for bad in ("2401100100046", "2401100100046x", "", "24011001000462&x=1"):
        with pytest.raises(ValueError):
            client.detail(bad)


def test_url_for(make_client: Callable[..., RegistryClient], registry: Registry) -> None:
    client = make_client()
    root = registry.url.rsplit("/colasonline", 1)[0]
    assert client.url_for("a.do?x=1") == registry.url + "/a.do?x=1"
    assert client.url_for("/colasonline/b.do") == root + "/colasonline/b.do"
    assert client.url_for("https://example.org/c") == "https://example.org/c"


# -- transient failures are retried -------------------------------------------------------------


def test_503_then_ok(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(503, b"<html>busy</html>"), Step())
    client = make_client()
    assert client.detail(ID).kind is PageKind.DETAIL
    stats = client.stats.snapshot()
    assert (stats.requests, stats.retries) == (2, 1)
    assert stats.retries_by_reason == {"server_error": 1}


def test_429_honours_retry_after(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(429, b"slow down", {"Retry-After": "1"}), Step())
    client = make_client()
    assert client.detail(ID).kind is PageKind.DETAIL
    first, second = registry.requests_to(DETAIL_PATH)
    assert second.at - first.at >= 0.9
    assert client.stats.snapshot().retries_by_reason == {"rate_limited": 1}


def test_retry_after_is_capped(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(503, b"down", {"Retry-After": "3600"}), Step())
    client = make_client(retry_policy=RetryPolicy(retry_after_max=0.2, initial_wait=0.01, jitter=0))
    assert client.detail(ID).kind is PageKind.DETAIL
    first, second = registry.requests_to(DETAIL_PATH)
    assert second.at - first.at >= 0.19
    assert client.stats.snapshot().backoff_seconds <= 0.2 + 1e-6  # capped, not the hour asked for


def test_retry_after_is_a_floor_not_a_shortcut(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(429, b"slow down", {"Retry-After": "0"}), Step())
    client = make_client(retry_policy=RetryPolicy(initial_wait=0.3, jitter=0))
    assert client.detail(ID).kind is PageKind.DETAIL
    first, second = registry.requests_to(DETAIL_PATH)
    assert second.at - first.at >= 0.29


def test_page_url_has_no_credentials(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step())
    client = make_client(base_url=registry.url.replace("http://", "http://scraper:hunter2@"))
    page = client.detail(ID)
    assert "hunter2" not in page.url
    assert page.url.endswith(DETAIL_PATH)


def test_connection_reset_then_ok(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(action="reset"), Step())
    client = make_client()
    assert client.detail(ID).kind is PageKind.DETAIL
    assert client.stats.snapshot().retries_by_reason == {"connection": 1}


def test_hanging_response_times_out_then_ok(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(action="hang", delay=10), Step())
    client = make_client(request_timeout=2.0)  # generous: the retry's answer must come within it on a busy machine
    assert client.detail(ID).kind is PageKind.DETAIL
    assert client.stats.snapshot().retries_by_reason == {"timeout": 1}


def test_trickling_response_hits_the_overall_deadline(
    registry: Registry, make_client: Callable[..., RegistryClient]
) -> None:
    """Each read is quick, the whole body is not: the request timeout bounds the whole response."""
    registry.script(DETAIL_PATH, Step(action="trickle", delay=0.2), Step())  # 20 reads: 4 s in all
    client = make_client(request_timeout=2.0)
    assert client.detail(ID).kind is PageKind.DETAIL
    assert client.stats.snapshot().retries_by_reason == {"timeout": 1}


@pytest.mark.parametrize(
    ("step", "reason"),
    [
        # the server stops mid-body although it announced the full length
        (Step(action="cut"), "connection"),
        # a complete HTTP response whose page is cut (proxy/app failure): only the classifier sees it
        (Step(body=DETAIL[: len(DETAIL) // 2]), "unknown_page"),
        (Step(body=b""), "unknown_page"),
    ],
    ids=["short-body", "truncated-page", "empty-page"],
)
def test_truncated_page_then_full_page(
    registry: Registry, make_client: Callable[..., RegistryClient], step: Step, reason: str
) -> None:
    registry.script(DETAIL_PATH, step, Step())
    client = make_client()
    page = client.detail(ID)
    assert page.kind is PageKind.DETAIL
    assert page.body == DETAIL
    assert client.stats.snapshot().retries_by_reason == {reason: 1}


def test_captcha_then_detail(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(body=CAPTCHA), Step())
    client = make_client(retry_policy=RetryPolicy(initial_wait=0.01, jitter=0, captcha_wait=0.3))
    assert client.detail(ID).kind is PageKind.DETAIL
    first, second = registry.requests_to(DETAIL_PATH)
    assert second.at - first.at >= 0.29  # the longer CAPTCHA backoff, not the 0.01 s one
    assert client.stats.snapshot().retries_by_reason == {"captcha": 1}


def test_captcha_pauses_every_thread(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    """Another worker's request waits out the CAPTCHA backoff too (the registry flags the client)."""
    registry.script(DETAIL_PATH, Step(body=CAPTCHA), Step())
    registry.script(MISSING_PATH, Step(body=NOT_FOUND))
    client = make_client(retry_policy=RetryPolicy(initial_wait=0.01, jitter=0, captcha_wait=0.5))
    worker = threading.Thread(target=client.detail, args=(ID,))
    worker.start()
    deadline = time.monotonic() + 5
    while client.stats.retries == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    client.detail("99999999999999")
    worker.join(timeout=5)
    captcha_at = registry.requests_to(DETAIL_PATH)[0].at
    (other,) = registry.requests_to(MISSING_PATH)
    assert other.at - captcha_at >= 0.45


def test_session_timeout_starts_a_new_session(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    start = "/colasonline/publicSearchColasBasic.do"
    registry.script(start, Step(body=NOT_FOUND, headers={"Set-Cookie": "JSESSIONID=old-session; Path=/"}))
    registry.script(DETAIL_PATH, Step(body=SESSION_TIMEOUT), Step())
    client = make_client()
    client.get("publicSearchColasBasic.do")
    session = client.sessions.current()
    page = client.detail(ID)
    assert page.kind is PageKind.DETAIL
    timed_out, retried = registry.requests_to(DETAIL_PATH)
    assert timed_out.headers.get("Cookie") == "JSESSIONID=old-session"  # cookies normally persist
    assert "Cookie" not in retried.headers
    assert client.sessions.current() is not session
    assert client.stats.snapshot().retries_by_reason == {"session_timeout": 1}


# -- and given up on, with a typed error --------------------------------------------------------


def test_always_500_gives_up_after_max_attempts(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(500, b"<html>Internal error</html>"))
    registry.script(CHECK_PATH, Step(503, b"<html>Service unavailable</html>"))
    client = make_client(max_attempts=5)
    with pytest.raises(RegistryUnavailable) as caught:
        client.detail(ID)
    error = caught.value
    assert type(error) is RegistryUnavailable  # nothing else answered meanwhile, the check failed: an outage
    assert len(registry.requests_to(DETAIL_PATH)) == 5 and len(registry.requests_to(CHECK_PATH)) == 1
    assert (error.attempts, error.reason, error.status_code) == (5, "server_error", 500)
    assert error.url.endswith(DETAIL_PATH)
    stats = client.stats.snapshot()
    assert (stats.requests, stats.retries, stats.failures) == (6, 4, 1)  # the check is a request like any


@pytest.mark.parametrize(("check", "own_fault"), [
    (Step(body=SEARCH_FORM), True),
    (Step(503, b"<html>Service unavailable</html>"), False),
    (Step(body=NOT_FOUND), False),  # a page of the registry, but not the search form it asked for
    (Step(body=CAPTCHA), False),
    (Step(action="reset"), False),
])
def test_a_page_failing_alone_is_its_own_fault_only_if_the_registry_answers_its_search_page(
    registry: Registry, make_client: Callable[..., RegistryClient], check: Step, own_fault: bool
) -> None:
    """HTTP 500 on every try with nothing else in flight: one check request for the search form
    decides (answered: PageUnavailable, the COLA parked; anything else: RegistryUnavailable)."""
    registry.script(DETAIL_PATH, Step(500, b"<html>Internal error</html>"))
    registry.script(CHECK_PATH, check)
    client = make_client(max_attempts=3)
    with pytest.raises(RegistryUnavailable) as caught:
        client.detail(ID)
    assert isinstance(caught.value, PageUnavailable) is own_fault
    assert (caught.value.attempts, caught.value.reason, caught.value.status_code) == (3, "server_error", 500)
    assert ("search page" in str(caught.value)) is own_fault
    assert [s.path for s in registry.seen] == [DETAIL_PATH] * 3 + [CHECK_PATH]  # once, never retried


def test_the_check_goes_through_the_breaker_and_the_rate_limiter(
    registry: Registry, make_client: Callable[..., RegistryClient], tmp_path: Path
) -> None:
    registry.script(DETAIL_PATH, Step(500, b"<html>Internal error</html>"))
    registry.script(CHECK_PATH, Step(body=SEARCH_FORM))
    breaker = CircuitBreaker(BreakerSettings(threshold=100, quarantine_dir=str(tmp_path)), StopSignal())
    limiter = CountingLimiter()
    client = make_client(max_attempts=3, breaker=breaker, rate_limiter=limiter)
    with pytest.raises(PageUnavailable):
        client.detail(ID)
    assert limiter.acquired == len(registry.seen) == 4
    assert breaker.answered == 0  # evidence about this page only, not that the registry serves the crawl again


def test_every_cola_page_failing_trips_the_breaker_though_the_check_is_answered(
    registry: Registry, make_client: Callable[..., RegistryClient], tmp_path: Path
) -> None:
    """The COLA pages' servlet down, the search form served: each page is parked on its answered check, but
    the checks leave the breaker's count of failures in a row, so the run stops at its threshold."""
    registry.script(DETAIL_PATH, Step(500, b"<html>Internal error</html>"))
    registry.script(CHECK_PATH, Step(body=SEARCH_FORM))
    stop = StopSignal()
    breaker = CircuitBreaker(BreakerSettings(threshold=7, quarantine_dir=str(tmp_path)), stop)
    client = make_client(max_attempts=3, breaker=breaker)
    for _ in range(2):  # 3 failures each, 6 in a row
        with pytest.raises(PageUnavailable):
            client.detail(ID)
    with pytest.raises(RegistryBlocked):  # the 7th in a row
        client.detail(ID)
    assert breaker.opened is not None and stop.is_set()
    assert [s.path for s in registry.seen] == ([DETAIL_PATH] * 3 + [CHECK_PATH]) * 2 + [DETAIL_PATH]


def test_no_check_once_the_run_is_stopping(
    registry: Registry, make_client: Callable[..., RegistryClient], tmp_path: Path
) -> None:
    """A page that failed every try after the run's stop (Ctrl-C, a lost lease) is not checked: nothing more
    is sent for it, and it is the registry's to answer for, as before the check."""
    registry.script(DETAIL_PATH, Step(500, b"<html>Internal error</html>"))
    registry.script(CHECK_PATH, Step(body=SEARCH_FORM))
    stop = StopSignal()
    breaker = CircuitBreaker(BreakerSettings(threshold=100, quarantine_dir=str(tmp_path)), stop)
    stopping = make_client(max_attempts=2, breaker=breaker, sleep=lambda seconds: stop.set("stopped"))
    with pytest.raises(RegistryUnavailable) as caught:
        stopping.detail(ID)
    assert not isinstance(caught.value, PageUnavailable)
    assert not registry.requests_to(CHECK_PATH)


def test_a_page_failing_while_others_load_is_that_pages_own_fault(
    registry: Registry, make_client: Callable[..., RegistryClient]
) -> None:
    """HTTP 500 on every try while another worker's page is answered between the tries: PageUnavailable."""
    registry.script(DETAIL_PATH, Step(500, b"<html>Internal error</html>"))
    registry.script(MISSING_PATH, Step(body=NOT_FOUND))
    clients: list[RegistryClient] = []

    def neighbour_loads(seconds: float) -> None:  # the backoff between two tries: another thread's page
        worker = threading.Thread(target=clients[0].detail, args=("99999999999999",))
        worker.start()
        worker.join(timeout=30)

    clients.append(make_client(max_attempts=3, sleep=neighbour_loads))
    with pytest.raises(PageUnavailable) as caught:
        clients[0].detail(ID)
    assert isinstance(caught.value, RegistryUnavailable)
    assert (caught.value.attempts, caught.value.reason, caught.value.status_code) == (3, "server_error", 500)
    assert len(registry.requests_to(MISSING_PATH)) == 2 and len(registry.requests_to(DETAIL_PATH)) == 3
    assert not registry.requests_to(CHECK_PATH)  # the answered neighbours are the evidence: no check
    assert "answered other pages" in str(caught.value)


def test_a_check_that_begins_a_cooldown_starts_the_request_again(
    registry: Registry, make_client: Callable[..., RegistryClient], tmp_path: Path
) -> None:
    """on_block=wait: the failing check is the answer that trips the breaker; after the cooldown the
    request starts afresh, like any request that ran out of attempts in one, and loads."""
    fail = Step(500, b"<html>Internal error</html>")
    registry.script(DETAIL_PATH, fail, fail, fail, Step())
    registry.script(CHECK_PATH, Step(503, b"<html>Service unavailable</html>"))
    client = make_client(max_attempts=3)
    settings = BreakerSettings(threshold=4, on_block="wait", cooldown=0, quarantine_dir=str(tmp_path))
    client.breaker = CircuitBreaker(settings, StopSignal(), client.rate_limiter)
    assert client.detail(ID).kind is PageKind.DETAIL
    assert client.breaker.epoch == 1 and client.breaker.opened is None
    assert [s.path for s in registry.seen] == [DETAIL_PATH] * 3 + [CHECK_PATH, DETAIL_PATH]


def test_no_check_for_session_bound_requests_blocks_or_the_check_page_itself(
    registry: Registry, make_client: Callable[..., RegistryClient]
) -> None:
    """A search POST's failure fails its search whatever its cause (the same path by plain GET is
    checked); a block is a block; the search form failing is the check failing (none checks itself)."""
    registry.script(CHECK_PATH, Step(500, b"<html>Internal error</html>"))
    registry.script("/colasonline/search.do", Step(500, b"<html>Internal error</html>"))
    registry.script(FORM_PATH, Step(body=CAPTCHA))
    client = make_client(max_attempts=2)
    with pytest.raises(RegistryUnavailable) as searched:
        client.post("search.do", {"q": "1"}, session_bound=True)
    with pytest.raises(RegistryUnavailable):
        client.get("search.do")
    with pytest.raises(RegistryUnavailable) as checked:
        client.get("publicSearchColasBasic.do")
    with pytest.raises(RegistryBlocked):
        client.form(ID)
    assert type(searched.value) is RegistryUnavailable and type(checked.value) is RegistryUnavailable
    search = "/colasonline/search.do"
    assert [s.path for s in registry.seen] == [search] * 4 + [CHECK_PATH] + [CHECK_PATH] * 2 + [FORM_PATH] * 2


def test_403_is_forbidden_whatever_the_body_and_retried_soon(
    registry: Registry, make_client: Callable[..., RegistryClient]
) -> None:
    """A 403 carrying CAPTCHA words is a 403 (counted as such by the breaker), retried after the short
    backoff, not the CAPTCHA one: a stray 403 passes, a block is left to the breaker."""
    registry.script(DETAIL_PATH, Step(403, CAPTCHA), Step())
    client = make_client(retry_policy=RetryPolicy(initial_wait=0.01, max_wait=0.05, jitter=0, captcha_wait=600))
    assert client.detail(ID).kind is PageKind.DETAIL
    stats = client.stats.snapshot()
    assert stats.retries_by_reason == {"forbidden": 1} and stats.backoff_seconds == pytest.approx(0.01)


def test_always_captcha_is_blocked(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step(body=CAPTCHA))
    client = make_client()
    with pytest.raises(RegistryBlocked) as caught:
        client.detail(ID)
    assert isinstance(caught.value, RegistryError)
    assert caught.value.attempts == FAST.max_attempts == len(registry.seen)
    assert caught.value.reason == "captcha"


def test_connection_refused_is_unavailable(make_client: Callable[..., RegistryClient]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}/colasonline", max_attempts=2)
    with pytest.raises(RegistryUnavailable) as caught:
        client.detail(ID)
    assert (caught.value.attempts, caught.value.reason) == (2, "connection")


def test_registry_error_pickles() -> None:
    error = RegistryBlocked("giving up", url="http://x/y", attempts=3, reason="captcha", status_code=200)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is RegistryBlocked
    assert (copy.url, copy.attempts, copy.reason, copy.status_code) == ("http://x/y", 3, "captcha", 200)
    assert str(copy) == str(error)


def test_logs_retries_without_secrets(
    registry: Registry, make_client: Callable[..., RegistryClient], caplog: pytest.LogCaptureFixture
) -> None:
    registry.script(
        DETAIL_PATH,
        Step(503, b"busy", {"Set-Cookie": "JSESSIONID=s3cr3t-cookie; Path=/"}),
        Step(500, b"busy"),
    )
    authed = registry.url.replace("http://", "http://scraper:hunter2@")
    client = make_client(base_url=authed, max_attempts=3)
    with caplog.at_level(logging.DEBUG, logger="ttb_cola"), pytest.raises(RegistryUnavailable) as caught:
        client.detail(ID)
    retries = [r for r in caplog.records if r.name == "ttb_cola.registry.client" and "retry" in r.getMessage()]
    assert len(retries) == 2
    everything = caplog.text + str(caught.value) + caught.value.url
    for secret in ("hunter2", "s3cr3t-cookie", "Authorization", "Cookie"):
        assert secret not in everything


# -- sharing ------------------------------------------------------------------------------------


def test_threads_get_their_own_sessions(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    registry.script(DETAIL_PATH, Step())
    client = make_client()
    sessions: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            assert client.detail(ID).kind is PageKind.DETAIL
        with lock:
            sessions.append(id(client.sessions.current()))

    pool = [threading.Thread(target=worker) for _ in range(4)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=10)
    assert len(set(sessions)) == 4
    stats = client.stats.snapshot()
    assert (stats.requests, stats.pages_by_kind) == (20, {"detail": 20})


def test_rate_limit_spans_clients_and_threads(registry: Registry, make_client: Callable[..., RegistryClient]) -> None:
    """Two clients, two threads each, one limiter at 10/s: 8 requests span at least ~0.7 s."""
    registry.script(DETAIL_PATH, Step())
    limiter = RateLimiter(10)
    clients = [make_client(rate_limiter=limiter) for _ in range(2)]
    pool = [threading.Thread(target=c.detail, args=(ID,)) for c in clients for _ in range(2)]
    pool += [threading.Thread(target=c.detail, args=(ID,)) for c in clients for _ in range(2)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=10)
    times = sorted(s.at for s in registry.seen)
    assert len(times) == 8
    assert times[-1] - times[0] >= 0.6
    assert clients[0].rate_limiter is clients[1].rate_limiter


def test_default_client_verifies_with_the_built_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ttb_cola.registry import tls

    monkeypatch.setenv("TTB_COLA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tls, "_default_bundle", None)
    with RegistryClient() as client:
        assert client.base_url == "https://www.ttbonline.gov/colasonline"
        assert client.rate_limiter.requests_per_second == 2
        assert client.request_timeout == 30
        assert Path(client.ca_bundle).parent == tmp_path
        assert tls.shipped_intermediate_pem().strip() in Path(client.ca_bundle).read_bytes()
        assert client.sessions.current().verify == client.ca_bundle


# -- Retry-After parsing ------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(" 0 ", now) == 0.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0
    assert parse_retry_after("-5", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("", now) is None


def test_redact_url() -> None:
    assert redact_url("https://u:p@host:8443/a?b=1") == "https://host:8443/a?b=1"
    assert redact_url("https://host/a") == "https://host/a"


def test_retry_policy_from_settings_reads_strings_and_bounds_jitter_and_captcha_waits() -> None:
    # settings come from config.toml or the environment, where numbers may arrive as strings
    policy = RetryPolicy.from_settings("4", "2.5", "90", "10")
    assert (policy.max_attempts, policy.initial_wait, policy.max_wait) == (4, 2.5, 90.0)
    assert policy.jitter == 1.0 and policy.captcha_wait == 10.0 and policy.captcha_max_wait == 300.0
    quick = RetryPolicy.from_settings(2, 0.25, 1, 600)
    assert quick.jitter == 0.25 and quick.captcha_max_wait == 600.0
