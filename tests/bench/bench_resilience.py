"""Resilience figures: the rate after a pause, a hard block to exit, Ctrl-C to exit."""

from __future__ import annotations

import threading
import time

from ttb_cola.registry.ratelimit import RateLimiter


def rate_after_pause(rate: float = 10.0, waiters: int = 12, rounds: int = 4, pause: float = 1.5) -> None:
    """Many threads acquiring in a loop at ``rate``; a pause mid-way; the rate in the 2 s after it."""
    limiter = RateLimiter(rate)
    stamps: list[float] = []
    lock = threading.Lock()
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(waiters)]
    for thread in pool:
        thread.start()
    worst_ratio, worst_window = float("inf"), 0
    for _ in range(rounds):
        time.sleep(1.0)
        limiter.pause(pause)
        end = time.monotonic() + pause
        time.sleep(pause + 2.5)
        with lock:
            after = [t for t in stamps if end <= t < end + 2.0]
        worst_ratio = min(worst_ratio, len(after) / 2.0 / rate)
        window = max(sum(1 for u in after if t <= u < t + 1.0) for t in after) if after else 0
        worst_window = max(worst_window, window)
    stop.set()
    print(f"rate after pause({pause}) with {waiters} waiters at {rate:g} req/s: worst ratio to configured "
          f"{worst_ratio:.2f} (goal >= 0.9), max requests in a 1 s window {worst_window} "
          f"(limit {1.5 * rate:g})")


BENCHES = {"rate_after_pause": rate_after_pause}


def block_to_exit(kind: str = "forbidden") -> None:
    """A registry that blocks every request after the preflight: seconds from the first blocked answer
    to the process's exit, and the requests sent once the block started."""
    import subprocess
    import sys
    import tempfile
    from datetime import date
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here.parent), str(here.parent / "reliability")]
    from reliability_helpers import REPO, ingest_command, subprocess_env
    from sim_server import running_simulator

    faults = {"block_all": True, "block_kind": kind, "spare_paths": ["publicSearchColasBasic.do"]}
    with tempfile.TemporaryDirectory() as tmp, running_simulator(seed=3, as_of=date(2025, 6, 26)) as sim:
        work = Path(tmp)
        env = subprocess_env(work, SOURCES__TTB_COLA__QUARANTINE_DIR=str(work / "q"))
        cmd = ingest_command(work, sim.base_url, date(2025, 6, 9), date(2025, 6, 15), date(2025, 6, 26))
        first: list[float] = []
        sim.set_faults(faults)
        original = sim.faults.decide

        def decide():  # note when the first blocked answer goes out
            if not first:
                first.append(time.monotonic())
            return original()

        sim.faults.decide = decide  # type: ignore[method-assign]
        process = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        ended = time.monotonic()
        sent = sim.faults.counts[kind]
    print(f"hard block ({kind}) to exit: {ended - first[0]:.2f} s, exit {process.returncode}, "
          f"{sent} requests sent after the block started (breaker threshold 24, 16 in flight)")


BENCHES["block_to_exit"] = block_to_exit


def forbidden_midway_to_exit() -> None:
    """A WAF answering HTTP 403 from the run's 21st request on, with the shipped retry settings (backoff
    1 s doubling, CAPTCHA backoff 30 s, 2 requests/s, 40 ms latency): seconds from the first 403 to the
    process's exit, and the 403s answered (the first included)."""
    import subprocess
    import sys
    import tempfile
    from datetime import date
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here.parent), str(here.parent / "reliability")]
    from reliability_helpers import FAST_ENV, REPO, ingest_command, subprocess_env
    from sim_server import running_simulator

    faults = {"block_from": 21, "block_kind": "forbidden", "latency_ms": 40}
    with tempfile.TemporaryDirectory() as tmp, running_simulator(seed=3, as_of=date(2025, 6, 26)) as sim:
        work = Path(tmp)
        env = subprocess_env(work, SOURCES__TTB_COLA__QUARANTINE_DIR=str(work / "q"))
        for key in FAST_ENV:  # the shipped settings, not the tests' fast backoff
            env.pop(key, None)
        cmd = ingest_command(work, sim.base_url, date(2025, 6, 9), date(2025, 6, 15), date(2025, 6, 26))
        cmd[cmd.index("--requests-per-second") + 1] = "2"
        sim.set_faults(faults)
        first: list[float] = []
        original = sim.faults.decide

        def decide():  # note when the first 403 goes out
            decision = original()
            if decision.kind and not first:
                first.append(time.monotonic())
            return decision

        sim.faults.decide = decide  # type: ignore[method-assign]
        started = time.monotonic()
        process = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        ended = time.monotonic()
        sent = sim.faults.counts["forbidden"]
    since = f"{ended - first[0]:.2f} s from the first 403" if first else "no 403 sent"
    print(f"403 from request 21 to exit: {since} ({ended - started:.2f} s in all), exit {process.returncode}, "
          f"{sent} 403s answered (block_forbidden 3, 16 in flight)")


BENCHES["forbidden_midway_to_exit"] = forbidden_midway_to_exit


def ctrl_c_to_exit(trials: int = 3) -> None:
    """SIGINT to an ingest once its crawl is under way (40 ms simulated latency): seconds until it exits,
    having committed what was confirmed (exit 130)."""
    import sys
    import tempfile
    from datetime import date
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here.parent), str(here.parent / "reliability")]
    from reliability_helpers import ingest_command, subprocess_env
    from sim_server import running_simulator
    from test_interrupt import interrupt_run

    day, as_of = date(2025, 6, 16), date(2025, 6, 26)
    seconds: list[float] = []
    statuses: list[int] = []
    for _ in range(trials):
        with tempfile.TemporaryDirectory() as tmp, running_simulator(seed=3, as_of=as_of,
                                                                     faults={"latency_ms": 40}) as sim:
            work = Path(tmp)
            env = subprocess_env(work, SOURCES__TTB_COLA__QUARANTINE_DIR=str(work / "q"))
            status, _, took = interrupt_run(ingest_command(work, sim.base_url, day, day, as_of), env,
                                            work / "pipelines")
            seconds.append(took)
            statuses.append(status)
    print(f"ctrl-c to exit over {trials} trials: median {sorted(seconds)[len(seconds) // 2]:.2f} s, "
          f"max {max(seconds):.2f} s (goal: a few seconds), exits {statuses}")


BENCHES["ctrl_c_to_exit"] = ctrl_c_to_exit
