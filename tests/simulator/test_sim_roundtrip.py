"""Every field the simulator renders parses back, through the project's parsers, equal to the truth."""

from __future__ import annotations

from datetime import date

from sim_helpers import Client, detail_path, form_path

from ttb_cola.parsers.detail import parse_detail
from ttb_cola.parsers.form import parse_form
from ttb_cola.records import ID_FIELDS, PAGE_FIELDS, build_record
from ttb_cola_sim.server import SimulatorServer


def test_detail_and_form_parse_back_to_truth(sim: SimulatorServer, client: Client) -> None:
    checked = 0
    for day in range(3, 24, 2):
        for method in ("001", "002"):
            for truth in sim.registry.partition_records(date(2025, 3, day), method)[:25]:
                record = build_record(parse_detail(client.get(detail_path(truth["ttb_id"]))),
                                      parse_form(client.get(form_path(truth["ttb_id"]))))
                mismatches = {k: (truth[k], record[k]) for k in PAGE_FIELDS + ID_FIELDS if record[k] != truth[k]}
                assert not mismatches, (truth["ttb_id"], mismatches)
                checked += 1
    assert checked > 250


def test_rare_shapes_are_covered(sim: SimulatorServer) -> None:
    """The sample space holds the awkward cases the parsers must survive."""
    records = list(sim.registry.records(date(2025, 3, 1), date(2025, 3, 20), ["001"]))
    assert any(r["other_permits"] for r in records)
    assert any(r["wine_vintage"] for r in records)
    assert any("EXEMPTION" in r["type_of_application"] for r in records)
    assert any(r["previous_ttb_id"] for r in records)
    assert any(r["total_bottle_capacity"] for r in records)
    assert any(r["email"] for r in records)
    assert any("\n" in (r["qualifications"] or "") for r in records)
    assert any(r["fanciful_name"] is None for r in records)
    assert any(r["dba_name"] for r in records)
    assert any("'" in (r["company_name"] + (r["brand_name"] or "")) for r in records)
