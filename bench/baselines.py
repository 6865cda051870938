"""Baseline servers for the API benchmark, run the way gitplane runs (uvicorn, uvloop, httptools, the same
TLS context) so each gitplane figure can be read against what the same stack does with no API work:

* ``bare``: a raw ASGI app answering every request with a fixed 1 KiB JSON body;
* ``sqlite``: a raw ASGI app that, for POST, inserts the body into a WAL SQLite table and commits (one commit
  per request, on the event loop), and for GET reads it. The default ``synchronous=NORMAL`` is the cheapest
  commit SQLite offers, the physical limit of a write; gitplane's store runs at FULL unless told otherwise.
* ``fanout``: a raw ASGI app where every GET is a chunked stream and every POST's body is sent, framed as a
  watch event line, to every open stream at once (one write per stream): the physical limit of a watch
  fan-out on the same stack.

Run: ``python -m bench.baselines bare|sqlite|fanout --port N --pki DIR [--db FILE] [--synchronous NORMAL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import uvloop

from gitplane.server import http
from gitplane.server.certs import PKI
from gitplane.server.service import bind

BODY = (b'{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"bench","namespace":"default"},"data":{"k":"'
        + b"v" * 900 + b'"}}')
HEADERS = [(b"content-type", b"application/json")]


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [*HEADERS, (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})


async def read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


def sqlite_app(db: Path, synchronous: str) -> Any:
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, rv INTEGER, value BLOB)")
    revision = [0]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        if scope["method"] == "POST":
            revision[0] += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", (f"{scope['path']}/{revision[0]}",
                                                                       revision[0], body))
            conn.execute("COMMIT")
            status, out = 201, body
        else:
            row = conn.execute("SELECT value FROM kv LIMIT 1").fetchone()
            status, out = 200, row[0] if row else BODY
        await send({"type": "http.response.start", "status": status,
                    "headers": [*HEADERS, (b"content-length", str(len(out)).encode())]})
        await send({"type": "http.response.body", "body": out})

    return app


def fanout_app() -> Any:
    streams: set[asyncio.Queue[bytes]] = set()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "POST":
            body = await read_body(receive)
            line = b'{"type":"ADDED","object":' + body + b"}\n"
            for stream in streams:
                stream.put_nowait(line)
            await send({"type": "http.response.start", "status": 201,
                        "headers": [*HEADERS, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        streams.add(queue)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
            await send({"type": "http.response.body", "body": b"", "more_body": True})
            while True:
                await send({"type": "http.response.body", "body": await queue.get(), "more_body": True})
        finally:
            streams.discard(queue)

    return app


async def serve(app: Any, port: int, pki: PKI) -> None:
    server = http.build_server(app, host="127.0.0.1", port=port, ssl_context=http.server_ssl_context(pki))
    await server.serve(sockets=[bind("127.0.0.1", port)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("bare", "sqlite", "fanout"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pki", type=Path, required=True)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--synchronous", default="NORMAL", choices=("NORMAL", "FULL"))
    args = parser.parse_args()
    app = {"bare": lambda: bare, "sqlite": lambda: sqlite_app(args.db, args.synchronous),
           "fanout": fanout_app}[args.kind]()
    uvloop.run(serve(app, args.port, PKI(args.pki)))


if __name__ == "__main__":
    main()
