"""Faults as the simulator serves them: 403/WAF, maintenance, block kinds, per-COLA faults."""

from __future__ import annotations

from datetime import date

import pytest
from sim_helpers import AS_OF, Client, detail_path, form_path

from ttb_cola.parsers import parse_page
from ttb_cola.parsers.export import parse_export
from ttb_cola.parsers.search import parse_search_results
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.pages import SEARCH_FORM_PATH, PageKind, classify
from ttb_cola.search.client import EXPORT, SEARCH, Searcher
from ttb_cola.search.query import Query
from ttb_cola_sim.faults import FaultConfig
from ttb_cola_sim.server import SimulatorServer

DAY = date(2025, 6, 16)


@pytest.fixture(autouse=True)
def _clear_faults(sim: SimulatorServer):
    sim.set_faults(None)
    yield
    sim.set_faults(None)


def _public(sim: SimulatorServer, n: int = 3) -> list[str]:
    return [r["ttb_id"] for r in sim.registry.partition_records(DAY, "001")[:n]]


def test_forbidden_is_403_with_a_waf_or_a_server_page(sim: SimulatorServer, client: Client) -> None:
    sim.set_faults(block_all=True, block_kind="forbidden")
    answers = [client.request("GET", detail_path(_public(sim)[0])) for _ in range(4)]
    assert {status for status, _, _ in answers} == {403}
    bodies = [body for _, _, body in answers]
    assert any(b"Request Rejected" in b and b"support ID" in b for b in bodies)
    assert any(b"403 Forbidden" in b for b in bodies)
    assert all(classify(b, 403) in (PageKind.CAPTCHA, PageKind.UNKNOWN) for b in bodies)


def test_maintenance_page_is_200_and_unrecognised(sim: SimulatorServer, client: Client) -> None:
    sim.set_faults(maintenance_rate=1.0)
    status, _, body = client.request("GET", detail_path(_public(sim)[0]))
    assert status == 200 and b"maintenance" in body
    assert classify(body, status) is PageKind.UNKNOWN


@pytest.mark.parametrize("kind", ["captcha", "forbidden", "maintenance", "server_error"])
def test_block_kinds(sim: SimulatorServer, client: Client, kind: str) -> None:
    sim.set_faults(block_all=True, block_kind=kind)
    status, _, _ = client.request("GET", detail_path(_public(sim)[0]))
    assert status == {"captcha": 200, "forbidden": 403, "maintenance": 200, "server_error": 500}.get(kind) or (
        kind == "server_error" and status >= 500)
    assert sim.faults.counts[kind] == 1


def test_rates_and_block_kind_are_checked() -> None:
    with pytest.raises(ValueError):
        FaultConfig(forbidden_rate=0.6, maintenance_rate=0.6)
    with pytest.raises(ValueError):
        FaultConfig(block_kind="teapot")


def test_rate_limit_carries_retry_after(sim: SimulatorServer, client: Client) -> None:
    sim.set_faults(rate_limit_rate=1.0, retry_after=9)
    status, headers, _ = client.request("GET", detail_path(_public(sim)[0]))
    assert status == 429 and headers["retry-after"] == "9"


def test_form_error_page_for_a_public_cola(sim: SimulatorServer, client: Client) -> None:
    ttb_id = _public(sim)[0]
    sim.set_faults(form_error_ids=[ttb_id])
    assert classify(client.get(detail_path(ttb_id))) is PageKind.DETAIL
    assert classify(client.get(form_path(ttb_id))) is PageKind.NOT_FOUND
    other = _public(sim)[1]
    assert classify(client.get(form_path(other))) is PageKind.FORM


def test_malformed_date(sim: SimulatorServer, client: Client) -> None:
    ttb_id = _public(sim)[0]
    sim.set_faults(malformed_date_ids=[ttb_id])
    body = client.get(detail_path(ttb_id))
    assert classify(body) is PageKind.DETAIL
    parsed = parse_page(PageKind.DETAIL, body)
    assert parsed["ttb_id"] == ttb_id and parsed["approval_date"] is None
    assert parsed["parse_warnings"][0].startswith("approval_date: not a MM/DD/YYYY date")


def test_listed_but_not_found(sim: SimulatorServer) -> None:
    listed = [r["ttb_id"] for r in sim.registry.completed_between(DAY, DAY)]
    ttb_id = listed[0]
    sim.set_faults(listed_not_found_ids=[ttb_id])
    client = RegistryClient(sim.base_url, requests_per_second=0, request_timeout=30)
    result = Searcher(client).completed(DAY)
    assert ttb_id in {row["ttb_id"] for row in result.rows}
    assert client.detail(ttb_id).kind is PageKind.NOT_FOUND
    assert client.form(ttb_id).kind is PageKind.NOT_FOUND


@pytest.mark.parametrize("export_cap", [1000, 0])
def test_duplicate_listing_row(sim: SimulatorServer, export_cap: int) -> None:
    """The export and the results pages both list the COLA twice (the total counts both rows); the
    search keeps one row per COLA, by export (cap 1000) and by paging (cap 0), and the day adds up."""
    listed = [r["ttb_id"] for r in sim.registry.completed_between(DAY, DAY)]
    assert len(listed) > 1 and AS_OF > DAY
    sim.set_faults(duplicate_listing_ids=[listed[0]])
    client = RegistryClient(sim.base_url, requests_per_second=0, request_timeout=30)
    client.get(SEARCH_FORM_PATH)
    page = client.post(SEARCH, data=Query(DAY, DAY).form())
    assert parse_search_results(page.body)["total"] == len(listed) + 1
    rows, _ = parse_export(client.get(EXPORT).body)
    assert [row["ttb_id"] for row in rows].count(listed[0]) == 2
    result = Searcher(client, export_cap=export_cap).completed(DAY)
    assert sorted(row["ttb_id"] for row in result.rows) == sorted(listed)
    assert result.duplicates == 1 and result.total == len(listed) + 1
    assert (result.pages > 0) == (export_cap == 0)


def test_wrong_page_shows_another_ttb_id(sim: SimulatorServer, client: Client) -> None:
    ttb_id = _public(sim)[0]
    sim.set_faults(wrong_page_ids=[ttb_id])
    other = f"{int(ttb_id) + 1:014d}"
    for path, kind in ((detail_path(ttb_id), PageKind.DETAIL), (form_path(ttb_id), PageKind.FORM)):
        body = client.get(path)
        assert classify(body) is kind
        assert parse_page(kind, body)["ttb_id"] == other


def test_block_from_the_nth_request_on(sim: SimulatorServer, client: Client) -> None:
    """``block_from = 3``: two pages served, then every request (whatever the URL) is refused with 403."""
    ttb_id = _public(sim)[0]
    sim.set_faults(block_from=3, block_kind="forbidden", spare_paths=["publicSearchColasBasic.do"])
    assert client.request("GET", "publicSearchColasBasic.do")[0] == 200  # spared: not numbered
    statuses = [client.request("GET", path)[0] for path in
                (detail_path(ttb_id), form_path(ttb_id), detail_path(ttb_id), form_path(ttb_id), "x.do")]
    assert statuses == [200, 200, 403, 403, 403]
    assert sim.faults.counts["forbidden"] == 3 and sim.faults.counts["ok"] == 2
    sim.set_faults(block_from=3, block_kind="forbidden")  # configuring again numbers requests afresh
    assert client.request("GET", detail_path(ttb_id))[0] == 200
    with pytest.raises(ValueError):
        FaultConfig(block_from=-1)


@pytest.mark.parametrize("page", ["detail", "form"])
def test_server_error_for_one_cola_on_every_try(sim: SimulatorServer, client: Client, page: str) -> None:
    """``server_error_ids`` / ``form_server_error_ids``: that one page of that COLA answers 500, always;
    its other page and its neighbours' pages are served."""
    faulty, neighbour = _public(sim, 2)
    sim.set_faults({"server_error_ids" if page == "detail" else "form_server_error_ids": [faulty]})
    broken, fine = (detail_path, form_path) if page == "detail" else (form_path, detail_path)
    answers = [client.request("GET", broken(faulty)) for _ in range(3)]
    assert [status for status, _, _ in answers] == [500, 500, 500]
    assert all(classify(body, 500) is PageKind.UNKNOWN for _, _, body in answers)
    assert classify(client.get(fine(faulty))) in (PageKind.DETAIL, PageKind.FORM)
    assert classify(client.get(broken(neighbour))) in (PageKind.DETAIL, PageKind.FORM)
    never = "99999999999999"  # not public: answers 500 all the same while listed, not found once cleared
    sim.set_faults({"server_error_ids" if page == "detail" else "form_server_error_ids": [never]})
    assert client.request("GET", broken(never))[0] == 500
    sim.set_faults(None)
    assert classify(client.get(broken(never))) is PageKind.NOT_FOUND
