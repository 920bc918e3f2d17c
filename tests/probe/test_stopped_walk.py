"""A probe stopped mid-walk keeps what it had already fetched: the sequences fetched ahead whose pages the
registry answered are still observed in order and their COLAs emitted, no fetch starts after the stop,
and the partition fails at the first sequence it did not have, where the next run goes on."""

from __future__ import annotations

import time
from datetime import date

from ingest_helpers import answered_in_full
from sim_server import running_simulator

from ttb_cola.fetch import ColaFetcher
from ttb_cola.ids import format_ttb_id, parse_ttb_id, partition_key
from ttb_cola.probe.plan import CrawlSettings, PartitionCrawl, new_state
from ttb_cola.probe.runner import STOPPED, Prober
from ttb_cola.records import DETAILS_TABLE, TableRow
from ttb_cola.registry.client import RegistryClient

AS_OF = date(2025, 6, 30)
#: A settled partition whose first sequences are mostly public (1, 3, 5, 6... in the seed-1 registry).
DAY, METHOD = date(2025, 1, 14), "001"
KEY = partition_key(DAY, METHOD)
LOOKAHEAD = 4
#: How long the test waits for the simulator to answer the pages fetched ahead (never reached when it works).
PATIENCE = 60.0


def test_a_stop_keeps_the_pages_fetched_ahead_in_order_and_sends_nothing_more() -> None:
    with running_simulator(seed=1, as_of=AS_OF) as sim, RegistryClient(sim.base_url, requests_per_second=0) as client:
        prober = Prober(ColaFetcher(client, pages="both", lookahead=LOOKAHEAD))
        crawl = PartitionCrawl(DAY, AS_OF, CrawlSettings(), new_state())
        emitted: list[str] = []

        def emit(row: TableRow) -> None:
            """Stop the run at its first COLA, once the pages fetched ahead of it were all answered."""
            if row.table != DETAILS_TABLE:
                return
            emitted.append(row.data["ttb_id"])
            if prober.fetcher.stop.is_set():
                return
            ahead = parse_ttb_id(row.data["ttb_id"]).sequence + LOOKAHEAD - 1
            deadline = time.monotonic() + PATIENCE
            while answered_in_full(list(sim.requests.pages)).get(KEY, (0, set()))[0] <= ahead:
                assert time.monotonic() < deadline, "the simulator never answered the pages fetched ahead"
                time.sleep(0.01)
            prober.fetcher.stop.set()

        outcome = prober.run(crawl, METHOD, emit)
        pages = list(sim.requests.pages)
    first_gap, had = answered_in_full(pages)[KEY]
    public = {format_ttb_id(DAY, METHOD, s) for s in range(1, first_gap) if sim.registry.raw(
        format_ttb_id(DAY, METHOD, s))}
    assert len(had) > 1 and had == public  # the pages fetched ahead held public COLAs
    assert sorted(emitted) == sorted(had)  # every one of them kept, none past the first gap
    assert max(parse_ttb_id(ttb_id).sequence for _, ttb_id, _ in pages) == first_gap - 1  # none sent after
    assert outcome.state["last_error"] == f"sequence {first_gap}: {STOPPED}"
    assert outcome.state["highest"] == max(parse_ttb_id(ttb_id).sequence for ttb_id in had)
    assert outcome.probed == first_gap - 1

