"""An HTTP proxy on loopback that answers each request ``delay_ms`` later than its upstream (moto), so a bench can
read a bucket at about an object store's latency: ``python latency_proxy.py <upstream> <delay_ms>`` prints the
proxy's URL, then serves until SIGTERM; on SIGUSR1 it prints the requests forwarded since the last SIGUSR1, by
method, as a JSON line.

Requests are forwarded as they came (``Host`` included), so the SigV4 signatures made for the proxy's address
still verify upstream. It runs in a process of its own, so its work takes no CPU time from the bench's client.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from collections import Counter

from aiohttp import ClientSession, web
from yarl import URL

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade",
                "content-length"}


def app(upstream: str, delay: float, counts: Counter[str]) -> web.Application:
    """The proxy's aiohttp application, counting the requests it forwards in ``counts``."""
    session: dict[str, ClientSession] = {}

    async def forward(request: web.Request) -> web.StreamResponse:
        counts[request.method] += 1
        await asyncio.sleep(delay)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        async with session["client"].request(request.method, URL(upstream + request.raw_path, encoded=True),
                                             headers=headers,
                                             data=await request.read(), auto_decompress=False) as answer:
            body = await answer.read()
            out = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_HEADERS}
            if request.method == "HEAD":  # no body, and the object's length as upstream gave it
                response = web.StreamResponse(status=answer.status, headers=out)
                response.content_length = int(answer.headers.get("Content-Length", 0))
                await response.prepare(request)
                return response
            return web.Response(status=answer.status, headers=out, body=body)

    async def start(_: web.Application) -> None:
        session["client"] = ClientSession(skip_auto_headers={"User-Agent", "Accept", "Accept-Encoding"})

    async def stop(_: web.Application) -> None:
        await session["client"].close()

    application = web.Application(client_max_size=1 << 30)
    application.router.add_route("*", "/{tail:.*}", forward)
    application.on_startup.append(start)
    application.on_cleanup.append(stop)
    return application


async def serve(upstream: str, delay_ms: float) -> None:
    """Serve on a free loopback port and print its URL; print the counts on SIGUSR1; stop on SIGTERM."""
    counts: Counter[str] = Counter()
    runner = web.AppRunner(app(upstream.rstrip("/"), delay_ms / 1000, counts), access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)

    def report() -> None:
        print(json.dumps(counts), flush=True)
        counts.clear()

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, report)
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    await stopped.wait()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], float(sys.argv[2])))
