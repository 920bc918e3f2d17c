"""A probe stopped mid-walk keeps what it had already fetched: the sequences fetched ahead whose pages the
registry answered are still observed in order and their COLAs emitted, no fetch starts after the stop,
and the partition fails at the first sequence it did not have, where the next run goes on."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from ingest_helpers import answered_in_full
from sim_server import running_simulator

from ttb_cola.ids import format_ttb_id, parse_ttb_id, partition_key
from ttb_cola.images.hook import image_hook
from ttb_cola.probe.plan import CrawlSettings, PartitionCrawl, new_state
from ttb_cola.probe.runner import STOPPED, Prober
from ttb_cola.records import DETAILS_TABLE, TableRow
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.stopping import RunStopped

AS_OF = date(2025, 6, 30)
#: A settled partition whose first sequences are mostly public (1, 3, 5, 6... in the seed-1 registry).
DAY, METHOD = date(2025, 1, 14), "001"
KEY = partition_key(DAY, METHOD)
LOOKAHEAD = 4
#: How long the test waits for the simulator to answer the pages fetched ahead (never reached when it works).
PATIENCE = 60.0


def test_a_stop_keeps_the_pages_fetched_ahead_in_order_and_sends_nothing_more() -> None:
    with running_simulator(seed=1, as_of=AS_OF) as sim, RegistryClient(sim.base_url, requests_per_second=0) as client:
        prober = Prober(client, pages="both", lookahead=LOOKAHEAD)
        crawl = PartitionCrawl(DAY, AS_OF, CrawlSettings(), new_state())
        emitted: list[str] = []

        def emit(row: TableRow) -> None:
            """Stop the run at its first COLA, once the pages fetched ahead of it were all answered."""
            if row.table != DETAILS_TABLE:
                return
            emitted.append(row.data["ttb_id"])
            if prober.stop.is_set():
                return
            ahead = parse_ttb_id(row.data["ttb_id"]).sequence + LOOKAHEAD - 1
            deadline = time.monotonic() + PATIENCE
            while answered_in_full(list(sim.requests.pages)).get(KEY, (0, set()))[0] <= ahead:
                assert time.monotonic() < deadline, "the simulator never answered the pages fetched ahead"
                time.sleep(0.01)
            prober.stop.set()

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


def test_a_form_fetched_after_the_stop_is_kept_only_when_no_label_image_is_owed(tmp_path: Path) -> None:
    """A stop lands while a form is in flight: without images the COLA is kept (its pages are all it needs);
    with images on it is not kept without them (the crawl would never ask for them again): RunStopped, so
    its sequence is where the partition stops and the next run goes on."""
    with running_simulator(seed=1, as_of=AS_OF) as sim, RegistryClient(sim.base_url, requests_per_second=0) as client:
        ttb_id = next(format_ttb_id(DAY, METHOD, s) for s in range(1, 50)
                      if sim.registry.raw(format_ttb_id(DAY, METHOD, s)))
        plain = Prober(client, pages="form")
        plain.stop.set()
        kept = plain.record(ttb_id)
        assert kept is not None and kept.form is not None and kept.form["ttb_id"] == ttb_id
        with_images = Prober(client, pages="form", images=image_hook("front", str(tmp_path / "images"), None, None))
        with_images.stop.set()
        with pytest.raises(RunStopped, match="label images"):
            with_images.record(ttb_id)
        assert not any((tmp_path / "images").rglob("*.*"))  # nothing fetched for it after the stop
