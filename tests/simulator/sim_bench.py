"""Measure the simulator's serving rate: detail pages fetched by several client threads over loopback.

Run: ``.venv/bin/python tests/simulator/sim_bench.py [SECONDS] [THREADS]``. Not a test (no timed
assertion); it prints pages/s so the number can be reported.
"""

from __future__ import annotations

import http.client
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim_server import running_simulator  # noqa: E402


def main(seconds: float = 5.0, threads: int = 8) -> float:
    """Hammer detail pages of one month of e-filed IDs; return pages per second."""
    with running_simulator(seed=7, as_of=date(2025, 6, 30)) as sim:
        ids = [r["ttb_id"] for day in range(2, 9) for r in sim.registry.partition_records(date(2025, 4, day), "001")]
        counts = [0] * threads
        stop = time.monotonic() + seconds

        def worker(index: int) -> None:
            conn = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
            i = index
            while time.monotonic() < stop:
                ttb_id = ids[i % len(ids)]
                conn.request("GET", f"/colasonline/viewColaDetails.do?action=publicDisplaySearchBasic&ttbid={ttb_id}")
                response = conn.getresponse()
                body = response.read()
                assert response.status == 200 and b"COLA Detail" in body
                counts[index] += 1
                i += threads
            conn.close()

        started = time.monotonic()
        pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.monotonic() - started
    rate = sum(counts) / elapsed
    print(f"{sum(counts)} detail pages in {elapsed:.2f} s with {threads} threads: {rate:.0f} pages/s")
    return rate


if __name__ == "__main__":
    main(*(float(a) if i == 0 else int(a) for i, a in enumerate(sys.argv[1:])))
