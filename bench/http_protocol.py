"""The cost of gitplane's connection guard per request, beside uvicorn's own protocol in the same run.

gitplane serves each connection with :class:`~gitplane.server.http_protocol.GuardedProtocol`, uvicorn's
httptools protocol plus header limits and the connection table (phases and timeouts). This feeds the same
keep-alive GET (kubectl's headers) to one connection of each protocol, with no socket and no TLS (a transport
that only collects what is written), and a bare ASGI app answering, so the difference between the two figures
is what the guard adds per request. Rounds alternate between the two; the best round of each is printed.

Run from the repository root: ``python -m bench.http_protocol [--requests 50000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from typing import Any

import uvloop
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from bench.baselines import bare
from gitplane.server import http
from gitplane.server.http_connections import ConnectionTable, NoEvents
from gitplane.server.http_protocol import GuardedProtocol
from gitplane.settings import ConnectionLimits

ROUNDS = 5
REQUEST = (b"GET /api/v1/namespaces/default/configmaps/bench HTTP/1.1\r\nHost: 127.0.0.1:6443\r\n"
           b"User-Agent: kubectl/v1.33.0 (linux/amd64) kubernetes/abcdef0\r\n"
           b"Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json\r\n"
           b"Authorization: Bearer 0123456789abcdef0123456789abcdef\r\n"
           b"Kubectl-Command: kubectl get\r\nKubectl-Session: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\r\n"
           b"Accept-Encoding: gzip\r\n\r\n")


class CollectingTransport(asyncio.Transport):
    """A transport that keeps nothing: it counts the responses written and never pauses."""

    def __init__(self) -> None:
        super().__init__()
        self.responses = 0
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 6443), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if bytes(data[:9]) == b"HTTP/1.1 ":
            self.responses += 1

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


async def per_request_us(protocol: HttpToolsProtocol, transport: CollectingTransport, requests: int) -> float:
    started = time.perf_counter()
    for i in range(requests):
        protocol.data_received(REQUEST)
        while transport.responses <= i:  # noqa: ASYNC110 (yield to the app's task: that is the work measured)
            await asyncio.sleep(0)
    return (time.perf_counter() - started) / requests * 1e6


async def main(requests: int) -> None:
    loop = asyncio.get_running_loop()
    config = http.build_server(bare, host="127.0.0.1", port=0, ssl_context=None).config  # gitplane's settings
    config.load()
    limits = ConnectionLimits()
    table = ConnectionTable(limits, NoEvents(), cap=10_000, clock=loop.time)

    def connect(guarded: bool) -> tuple[HttpToolsProtocol, CollectingTransport]:
        state = ServerState()
        kwargs: dict[str, Any] = {"config": config, "server_state": state, "app_state": {}, "_loop": loop}
        protocol = GuardedProtocol(**kwargs, table=table) if guarded else HttpToolsProtocol(**kwargs)
        transport = CollectingTransport()
        protocol.connection_made(transport)
        return protocol, transport

    figures: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(ROUNDS):
        for guarded in (False, True):
            protocol, transport = connect(guarded)
            gc.collect()
            await per_request_us(protocol, transport, requests // 10)  # warm-up
            figures[guarded].append(await per_request_us(protocol, transport, requests))
            protocol.connection_lost(None)
    stock, guarded = min(figures[False]), min(figures[True])
    print(f"HTTP/1.1 keep-alive GET through the protocol, bare ASGI app (best of {ROUNDS} rounds, {requests} "
          "requests each)")
    print(f"  uvicorn HttpToolsProtocol      {stock:6.2f} us per request")
    print(f"  gitplane GuardedProtocol       {guarded:6.2f} us per request   (+{guarded - stock:.2f} us, "
          f"{guarded / stock:.2f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50_000)
    uvloop.run(main(parser.parse_args().requests))
