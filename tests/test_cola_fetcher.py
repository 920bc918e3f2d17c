"""One COLA's pages fetched with a form hook: a COLA whose form came in after the run stopped is kept only when
the hook would fetch nothing for it (the crawl never asks for its label images again)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sim_server import running_simulator

from ttb_cola.fetch import ColaFetcher
from ttb_cola.ids import format_ttb_id
from ttb_cola.images.hook import image_hook
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.stopping import RunStopped

AS_OF = date(2025, 6, 30)
#: A settled partition whose first sequences are mostly public (1, 3, 5, 6... in the seed-1 registry).
DAY, METHOD = date(2025, 1, 14), "001"


def test_a_form_fetched_after_the_stop_is_kept_only_when_no_label_image_is_owed(tmp_path: Path) -> None:
    """A stop lands while a form is in flight: without images the COLA is kept (its pages are all it needs);
    with images on it is not kept without them (the crawl would never ask for them again): RunStopped, so
    its sequence is where the partition stops and the next run goes on."""
    with running_simulator(seed=1, as_of=AS_OF) as sim, RegistryClient(sim.base_url, requests_per_second=0) as client:
        ttb_id = next(format_ttb_id(DAY, METHOD, s) for s in range(1, 50)
                      if sim.registry.raw(format_ttb_id(DAY, METHOD, s)))
        plain = ColaFetcher(client, pages="form")
        plain.stop.set()
        kept = plain.record(ttb_id)
        assert kept is not None and kept.form is not None and kept.form["ttb_id"] == ttb_id
        hook = image_hook("front", str(tmp_path / "images"), None, None)
        with_images = ColaFetcher(client, pages="form", form_hook=hook)
        with_images.stop.set()
        with pytest.raises(RunStopped, match="label images"):
            with_images.record(ttb_id)
        assert not any((tmp_path / "images").rglob("*.*"))  # nothing fetched for it after the stop
