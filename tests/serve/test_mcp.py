"""`ttb-cola mcp` over stdio, driven by the MCP SDK's own client: the tools an assistant sees, their answers
(the same as the HTTP API's, read from the published file) and an error an assistant can act on; and
the same server over streamable HTTP on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from ports import free_port
from serve_helpers import ROOT, TTB_COLA

TOOLS = {"search_colas", "get_cola", "company", "barcode", "signals", "processing_times", "watchlist"}


async def _session(published, calls: list[tuple[str, dict]]) -> tuple[list, list]:
    params = StdioServerParameters(command=TTB_COLA, args=["mcp", "--duckdb", str(published.path), "--watchlist",
                                                           str(published.watchlist)], cwd=str(ROOT))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        results = [await session.call_tool(name, arguments) for name, arguments in calls]
    return tools, results


def test_an_assistant_session_over_stdio(published) -> None:
    [cola] = published.rows("select ttb_id, permit_number, brand_name from marts.fct_cola_approvals "
                            "order by ttb_id limit 1")
    [counts] = published.rows("select count(*) as n from marts.fct_cola_approvals where permit_number = ?",
                              [cola["permit_number"]])
    calls = [
        ("get_cola", {"ttb_id": cola["ttb_id"]}),
        ("search_colas", {"permit": cola["permit_number"], "limit": 500}),
        ("company", {"permit": cola["permit_number"]}),
        ("get_cola", {"ttb_id": "not an id"}),
        ("search_colas", {"status": "PENDING"}),
        ("watchlist", {}),
        ("processing_times", {"limit": 3}),
    ]
    tools, results = anyio.run(_session, published, calls)
    assert {tool.name for tool in tools} == TOOLS
    for tool in tools:
        assert len(tool.description or "") > 80, tool.name  # enough for an assistant to pick and call it
        assert tool.annotations and tool.annotations.read_only_hint
    got, search, company, bad_id, bad_status, watchlist, times = results
    assert not got.is_error and got.structured_content["brand_name"] == cola["brand_name"]
    assert json.loads(got.content[0].text)["ttb_id"] == cola["ttb_id"]
    assert search.structured_content["total"] == counts["n"] == len(search.structured_content["colas"])
    assert company.structured_content["permit_number"] == cola["permit_number"]
    assert bad_id.is_error and "ttb_id must be 14 digits" in bad_id.content[0].text
    assert bad_status.is_error and "status must be one of" in bad_status.content[0].text
    assert {(m["entry_name"], m["ttb_id"]) for m in watchlist.structured_content["matches"]} == published.expected
    assert len(times.structured_content["weeks"]) == 3


async def _http_session(url: str, ttb_id: str) -> dict:
    async with streamable_http_client(url) as streams, ClientSession(streams[0], streams[1]) as session:
        await session.initialize()
        return (await session.call_tool("get_cola", {"ttb_id": ttb_id})).structured_content


def test_the_http_transport(published) -> None:
    [cola] = published.rows("select ttb_id, brand_name from marts.fct_cola_approvals order by ttb_id limit 1")
    port = free_port()
    server = subprocess.Popen([TTB_COLA, "mcp", "--transport", "http", "--port", str(port), "--duckdb",
                               str(published.path)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None and time.monotonic() < deadline, "the MCP server did not start"
            time.sleep(0.2)
        answer = anyio.run(_http_session, f"http://127.0.0.1:{port}/mcp", cola["ttb_id"])
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert answer["ttb_id"] == cola["ttb_id"] and answer["brand_name"] == cola["brand_name"]
