"""In-process cost of the API server's own work per request, without HTTP or TLS.

Calls the assembled ASGI app (the pipeline, the router, the store) directly for a GET, a LIST of 100 and a
create, beside a bare ASGI app called the same way in the same run, and prints microseconds per request. This
isolates gitplane's Python work from uvicorn and TLS, which ``bench/api_bench.py`` measures end to end.
Each figure is measured with the request metrics recorded and without (``App.recorder`` set to None), in
alternating rounds, and the best round of each is printed, so the two columns show what recording costs.
Pass ``--profile`` to print where the GET time goes.

Run from the repository root: ``python -m bench.app_overhead [--requests 20000] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import pstats
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from bench.baselines import bare
from gitplane.server.app import App as GitplaneApp
from gitplane.server.assembly import assemble
from gitplane.server.health import Health
from gitplane.server.peer import PEER_SCOPE_KEY, PeerCertificate
from gitplane.storage.sqlite import SQLiteStore

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
PAYLOAD = "v" * 900
ROUNDS = 3


def scope(method: str, path: str, query: bytes = b"") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": query,
            "headers": [(b"host", b"127.0.0.1:6443"), (b"user-agent", b"bench/1.0"), (b"accept", b"application/json"),
                        (b"content-type", b"application/json")],
            PEER_SCOPE_KEY: PeerCertificate("bench", ("system:masters",))}


async def drive(app: App, make_scope: Callable[[int], dict[str, Any]], body: Callable[[int], bytes], n: int) -> float:
    """Microseconds per request over ``n`` requests."""
    async def send(_message: dict[str, Any]) -> None:
        return None

    started = time.perf_counter()
    for i in range(n):
        payload = body(i)

        async def receive(payload: bytes = payload) -> dict[str, Any]:
            return {"type": "http.request", "body": payload, "more_body": False}

        await app(make_scope(i), receive, send)
    return (time.perf_counter() - started) / n * 1e6


async def on_and_off(app: GitplaneApp, run: Callable[[], Awaitable[float]]) -> tuple[float, float]:
    """``run``'s best figure with the request metrics recorded and without, in alternating rounds."""
    recorder = app.recorder
    on: list[float] = []
    off: list[float] = []
    try:
        for _ in range(ROUNDS):
            app.recorder = None
            off.append(await run())
            app.recorder = recorder
            on.append(await run())
    finally:
        app.recorder = recorder
    return min(on), min(off)


async def main(requests: int, profile: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await SQLiteStore.open(Path(tmp) / "db", synchronous="NORMAL")
        assembly = assemble(store, tokens={}, health=Health(), server_address="127.0.0.1:6443")
        app = assembly.app
        api = assembly.api
        await api.request("POST", "/api/v1/namespaces", body={"metadata": {"name": "default"}})
        for i in range(100):
            await api.request("POST", "/api/v1/namespaces/default/configmaps",
                              body={"metadata": {"name": f"cm-{i:03d}"}, "data": {"payload": PAYLOAD}})
        get = scope("GET", "/api/v1/namespaces/default/configmaps/cm-000")

        def no_body(_i: int) -> bytes:
            return b""

        bare_us = await drive(bare, lambda _i: get, no_body, requests)
        list_scope = scope("GET", "/api/v1/namespaces/default/configmaps")
        create_scope = scope("POST", "/api/v1/namespaces/default/configmaps")
        names = itertools.count()

        def new_object(_i: int) -> bytes:
            return orjson.dumps({"metadata": {"name": f"new-{next(names)}"}, "data": {"p": PAYLOAD}})

        get_us = await on_and_off(app, lambda: drive(app, lambda _i: get, no_body, requests))
        list_us = await on_and_off(app, lambda: drive(app, lambda _i: list_scope, no_body, max(requests // 50, 100)))
        create_us = await on_and_off(app, lambda: drive(app, lambda _i: create_scope, new_object,
                                                        max(requests // 10, 100)))
        print(f"gitplane in-process request cost (no HTTP, no TLS; best of {ROUNDS} rounds)")
        print("                          metrics on   metrics off")
        print(f"  bare ASGI app          {bare_us:7.1f} us")
        print(f"  GET one ConfigMap      {get_us[0]:7.1f} us   {get_us[1]:7.1f} us")
        print(f"  LIST 100 ConfigMaps    {list_us[0]:7.1f} us   {list_us[1]:7.1f} us")
        print(f"  create ConfigMap       {create_us[0]:7.1f} us   {create_us[1]:7.1f} us (includes the commit)")
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await drive(app, lambda _i: get, no_body, requests)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.profile))
