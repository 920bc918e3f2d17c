"""Parse speed against lexbor's own limit: each parser vs a bare lexbor tree build of the same pages
(form goal >= 0.5, detail >= 0.8); the archive of simulated form pages `ttb-cola reparse` is measured on
(:mod:`bench_reparse`).

Figures are CPU seconds of this process (the best of several rounds, the parser and the bare build taking
turns), so that other work on the machine moves both sides alike. The process is settled first as
`ttb-cola reparse` settles itself (:func:`ttb_cola.heap.settle_for_parsing`): without it glibc hands
each freed tree back to the system and the next page faults it in again, which costs the parser, not the
bare build, 40%.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from harness import REPO
from selectolax.lexbor import LexborHTMLParser

from ttb_cola.heap import settle_for_parsing
from ttb_cola.parsers.detail import parse_detail
from ttb_cola.parsers.form import parse_form
from ttb_cola.parsers.tree import html_tree
from ttb_cola.text import decode

FIXTURES = REPO / "tests" / "fixtures"
REPARSE_PAGES = 10_000
SEED = 3


def bare(body: bytes) -> object:
    """The floor: decode and build the lexbor tree (lexbor's defaults), read nothing."""
    return LexborHTMLParser(decode(body))


def bare_without_events(body: bytes) -> object:
    """The parsers' own build (:func:`ttb_cola.parsers.tree.html_tree`): the floor above without lexbor's DOM
    mutation events, printed beside it so the share of the parse's own work shows apart from the cheaper build."""
    return html_tree(decode(body))


def cpu_seconds(fn: Callable[[bytes], object], pages: list[bytes], rounds: int = 5) -> float:
    """The least CPU time ``fn`` took over ``pages`` in ``rounds`` runs."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for page in pages:
            fn(page)
        best = min(best, time.process_time() - started)
    return best


def ratio_to_bare(fn: Callable[[bytes], object], pages: list[bytes], turns: int = 10,
                  floor_fn: Callable[[bytes], object] = bare) -> tuple[float, float, float]:
    """(parser pages/s, floor pages/s, parser/floor), the two taking ``turns`` turns (``floor_fn``: the bare build)."""
    ours = floor = 0.0
    for _ in range(turns):
        ours += cpu_seconds(fn, pages)
        floor += cpu_seconds(floor_fn, pages)
    done = len(pages) * turns
    return done / ours, done / floor, floor / ours


def parsers_vs_lexbor() -> None:
    """The form and detail parsers on the real pages in tests/fixtures, as a share of a bare tree build."""
    settle_for_parsing()
    for kind, fn, goal in (("form", parse_form, 0.5), ("detail", parse_detail, 0.8)):
        pages = [path.read_bytes() for path in sorted(FIXTURES.glob(f"{kind}_*.html"))]
        ours, floor, ratio = ratio_to_bare(fn, pages)
        print(f"parse {kind} ({len(pages)} real pages): {ours:,.0f} pages/s, bare lexbor build {floor:,.0f} pages/s "
              f"-> {ratio:.2f} of lexbor  goal >= {goal}  -> {ratio / goal:.2f}x goal")
        _, own_floor, own_ratio = ratio_to_bare(fn, pages, floor_fn=bare_without_events)
        print(f"  the same against a bare build without DOM mutation events (as the parsers build): {own_floor:,.0f} "
              f"pages/s -> {own_ratio:.2f}")


def build_archive(root: Path, count: int) -> list[bytes]:
    """Write ``count`` simulated form pages into a raw archive at ``root``; return their bodies."""
    from ttb_cola.archive import RawArchive
    from ttb_cola.registry.pages import PageKind
    from ttb_cola_sim.registry import Registry
    from ttb_cola_sim.render import form_page

    registry = Registry(seed=SEED, as_of=date(2026, 1, 1))
    archive = RawArchive.at(str(root))
    bodies: list[bytes] = []
    day = date(2022, 1, 3)
    while len(bodies) < count:
        for record in registry.records(day, day, ["001"]):
            raw = registry.raw(record["ttb_id"])
            assert raw is not None
            body = form_page(raw)
            archive.put(record["ttb_id"], PageKind.FORM, body)
            bodies.append(body)
            if len(bodies) == count:
                break
        day += timedelta(days=1)
    return bodies


BENCHES = {"parsers": parsers_vs_lexbor}
