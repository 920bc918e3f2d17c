"""A listed date stopped while its COLAs are fetched keeps what it had: the COLAs fetched ahead whose pages the
registry answered are still emitted in list order, up to the first it did not have, and the date fails there
(the next run fetches the rest)."""

from __future__ import annotations

import threading
import time
from datetime import date
from itertools import takewhile

from sim_server import running_simulator

from ttb_cola.fetch import ColaFetcher
from ttb_cola.records import FORMS_TABLE, ColaPages, TableRow
from ttb_cola.registry.client import RegistryClient
from ttb_cola.search.client import Searcher
from ttb_cola.search.runner import Lister

AS_OF = date(2025, 6, 30)
DAY = date(2025, 6, 20)  # a Friday: many COLAs completed
LOOKAHEAD = 4
#: How long the test waits for the simulator to answer the forms fetched ahead (never reached when it works).
PATIENCE = 60.0


def test_a_stopped_listing_keeps_the_forms_fetched_ahead_in_list_order() -> None:
    with running_simulator(seed=3, as_of=AS_OF) as sim, RegistryClient(sim.base_url, requests_per_second=0) as client:
        fetcher = ColaFetcher(client, pages="form", lookahead=LOOKAHEAD)
        started: list[str] = []  # the fetches begun, about in list order (the pool takes them first in, first out)
        lock = threading.Lock()
        fetch = fetcher.record

        def record(ttb_id: str, status_only: bool = False) -> ColaPages | None:
            with lock:
                started.append(ttb_id)
            return fetch(ttb_id, status_only)

        fetcher.record = record  # type: ignore[method-assign]  # the same fetch, its start noted
        emitted: list[str] = []

        def emit(row: TableRow) -> None:
            """Stop the run at its first COLA, once the forms fetched ahead of it were all answered."""
            if row.table != FORMS_TABLE:
                return
            emitted.append(row.data["ttb_id"])
            if fetcher.stop.is_set():
                return
            deadline = time.monotonic() + PATIENCE
            while True:
                with lock:
                    ahead = set(started[:LOOKAHEAD])
                answered = {ttb_id for kind, ttb_id, _ in list(sim.requests.pages) if kind == "form"}
                if len(ahead) == LOOKAHEAD and ahead <= answered:
                    break
                assert time.monotonic() < deadline, "the simulator never answered the forms fetched ahead"
                time.sleep(0.01)
            fetcher.stop.set()

        [outcome] = Lister(Searcher(client), fetcher).run(DAY, DAY, AS_OF, {}, emit)
        answered = {ttb_id for kind, ttb_id, _ in list(sim.requests.pages) if kind == "form"}
    listed = [row["ttb_id"] for row in outcome.plan.fetch]
    had = list(takewhile(answered.__contains__, listed))  # in list order, up to the first not answered
    assert len(listed) > LOOKAHEAD and len(had) > 1  # the forms fetched ahead were answered
    assert emitted == had  # every one of them kept, in list order, none past the first gap
    assert not answered - set(started)  # no form fetched but by the fetches begun before the stop
    assert outcome.state["status"] == "failed" and "run stopped" in (outcome.state.get("last_error") or "")
