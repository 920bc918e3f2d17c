"""Issue 15's figures: the rate after a pause, a hard block to exit, Ctrl-C to exit."""

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
