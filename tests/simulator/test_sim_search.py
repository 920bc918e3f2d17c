"""Search semantics over HTTP: session cookie, counter and paging, export cap and quirks, 15-year limit."""

from __future__ import annotations

import urllib.parse
from datetime import date

from sim_helpers import Client

from ttb_cola.parsers.export import parse_export
from ttb_cola.parsers.search import parse_search_results
from ttb_cola.registry.pages import PageKind, classify
from ttb_cola_sim.search import RANGE_ERROR
from ttb_cola_sim.server import SimulatorServer

SEARCH = "publicSearchColasBasicProcess.do?action=search"
NEXT = "publicPageBasicCola.do?action=page&pgfcn=nextset"
EXPORT = "publicSaveSearchResultsToFile.do?path=/publicSearchColasBasicProcess"


def _form(first: str, last: str, **extra: str) -> bytes:
    return urllib.parse.urlencode({"searchCriteria.dateCompletedFrom": first,
                                   "searchCriteria.dateCompletedTo": last, **extra}).encode()


def test_session_cookie_is_required(client: Client) -> None:
    for method, path, body in (("POST", SEARCH, _form("06/03/2025", "06/03/2025")), ("GET", NEXT, None),
                               ("GET", EXPORT, None)):
        status, _, page = client.request(method, path, body)
        assert status == 200 and classify(page) == PageKind.SESSION_TIMEOUT
    status, headers, _ = client.request("GET", "publicSearchColasBasic.do")
    assert "JSESSIONID=" in headers["set-cookie"] and "Path=/colasonline" in headers["set-cookie"]
    status, _, page = client.request("POST", SEARCH, _form("06/03/2025", "06/03/2025"))
    assert classify(page) == PageKind.SEARCH_RESULTS


def test_paging_counter_and_past_the_end(sim: SimulatorServer, client: Client) -> None:
    expected = sorted(r["ttb_id"] for r in sim.registry.completed_between(
        date(2025, 6, 4), date(2025, 6, 4))
        if (r["brand_name"] or "").startswith("R"))
    assert len(expected) > 20
    client.get("publicSearchColasBasic.do")
    body = client.request("POST", SEARCH, _form("06/04/2025", "06/04/2025", **{
        "searchCriteria.productOrFancifulName": "R%", "searchCriteria.productNameSearchType": "B"}))[2]
    seen: list[str] = []
    page = parse_search_results(body)
    assert (page["first"], page["total"]) == (1, len(expected))
    assert f"1 to 20 of {len(expected)} (Total Matching Records: {len(expected)})".encode() in body
    seen += [row["ttb_id"] for row in page["rows"]]
    while page["next_url"]:
        page = parse_search_results(client.get(page["next_url"]))
        seen += [row["ttb_id"] for row in page["rows"]]
    assert seen == expected
    last_page = page
    again = parse_search_results(client.get(NEXT))  # past the end: the last page again
    assert again["rows"] == last_page["rows"] and again["last"] == len(expected)
    by_id = {r["ttb_id"]: r for r in sim.registry.completed_between(
        date(2025, 6, 4), date(2025, 6, 4))}
    for row in again["rows"]:
        truth = by_id[row["ttb_id"]]
        assert row["completed_date"] == truth["completed_date"] and row["brand_name"] == truth["brand_name"]


def test_export_cap_and_quirks(client: Client) -> None:
    client.get("publicSearchColasBasic.do")
    page = parse_search_results(client.request("POST", SEARCH, _form("06/02/2025", "06/03/2025"))[2])
    assert page["total"] > 1000
    status, headers, body = client.request("GET", EXPORT)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    lines = body.decode("iso-8859-1").split("\n")
    assert lines[0].startswith("TTB ID,Permit No.,Serial Number,Completed Date")
    assert all(line.startswith("'") for line in lines[1:] if line and line[:1] in "'0123456789")
    assert '"' not in body.decode("iso-8859-1")  # nothing is quoted
    rows, quarantined = parse_export(body)
    assert len(rows) + len(quarantined) == 1000
    assert body.count(b"\n'") == 1000


def test_fifteen_year_limit_and_bad_dates(client: Client) -> None:
    client.get("publicSearchColasBasic.do")
    body = client.request("POST", SEARCH, _form("01/01/1990", "06/03/2025"))[2]
    assert classify(body) == PageKind.ERROR and RANGE_ERROR.encode() in body
    body = client.request("POST", SEARCH, _form("13/45/2025", "06/03/2025"))[2]
    assert classify(body) == PageKind.ERROR


def test_no_results(client: Client) -> None:
    client.get("publicSearchColasBasic.do")
    body = client.request("POST", SEARCH, _form("06/03/2025", "06/03/2025", **{
        "searchCriteria.productOrFancifulName": "ZZZ NOTHING%"}))[2]
    assert classify(body) == PageKind.NO_RESULTS


def test_export_cap_is_configurable_and_ranges_count_every_row() -> None:
    """A range of several days counts every row (the sum of its days) and its export holds the first
    rows of the results, in TTB ID order, up to the server's cap; the CLI takes the cap."""
    from ttb_cola_sim.cli import build_parser
    from ttb_cola_sim.registry import Registry

    assert build_parser().parse_args(["serve", "--export-cap", "500"]).export_cap == 500
    assert build_parser().parse_args(["serve"]).export_cap == 1000
    registry = Registry(seed=1, as_of=date(2025, 6, 30))
    first, last = date(2025, 6, 13), date(2025, 6, 17)
    days = [sum(1 for _ in registry.completed_between(first.replace(day=d), first.replace(day=d)))
            for d in range(13, 18)]
    truth = sorted(r["ttb_id"] for r in registry.completed_between(first, last))
    for cap in (500, 3000):
        with SimulatorServer(registry, export_cap=cap) as server:
            client = Client(server)
            client.get("publicSearchColasBasic.do")
            page = parse_search_results(client.request("POST", SEARCH, _form("06/13/2025", "06/17/2025"))[2])
            assert page["total"] == sum(days) == len(truth)
            rows, quarantined = parse_export(client.request("GET", EXPORT)[2])
            assert len(rows) + len(quarantined) == min(cap, len(truth))
            assert [r["ttb_id"] for r in rows] == sorted(r["ttb_id"] for r in rows)
            assert {r["ttb_id"] for r in rows} <= set(truth[:cap])
