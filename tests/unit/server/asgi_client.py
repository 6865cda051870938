"""The API server assembled in process, and a client that speaks ASGI to it, for the server's unit tests.

:func:`build_app` wires the pipeline as ``gitplane/server/service.py`` does (same stages, router, admission
chain and non-resource routes) on a store the test owns, usually a ``MemoryStore``. :class:`AsgiClient` sends
each request through ``App.__call__`` as ASGI messages and collects the response, so headers (``Warning``,
``Content-Type``), the HEAD rule and streamed watches are exercised exactly as uvicorn would drive them,
without sockets or TLS. A client's identity is a client certificate subject in the scope (as
``server/http.py`` puts it there), a bearer token, or nothing (anonymous).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from gitplane.server.app import App
from gitplane.server.assembly import BUILTIN_CATALOG, Assembly, assemble
from gitplane.server.health import Health
from gitplane.server.inprocess import InProcessClient, receive_once
from gitplane.server.metrics import ServerMetrics
from gitplane.server.peer import PEER_SCOPE_KEY, PeerCertificate
from gitplane.server.request import UserInfo
from gitplane.server.service import SYSTEM_NAMESPACES
from gitplane.server.tenancy.bootstrap import bootstrap_root
from gitplane.storage.interface import Store
from gitplane.storage.memory import MemoryStore

WAIT_SECONDS = 10.0
"""How long a test waits for a watch event that must arrive (a guard against hangs, never a timing)."""

ADMIN = PeerCertificate("unit-admin", ("system:masters",))
CATALOG = BUILTIN_CATALOG


def build_app(store: Store, *, tokens: Mapping[str, UserInfo] | None = None,
              bookmark_seconds: float = 30.0) -> App:
    """The server's ASGI app over ``store``, assembled exactly as the service assembles it (with strict metrics:
    an unknown rejection reason fails the test)."""
    return assemble(store, tokens=tokens or {}, health=Health(), server_address="127.0.0.1:6443",
                    bookmark_seconds=bookmark_seconds, metrics=ServerMetrics(CATALOG, strict=True)).app


@contextlib.asynccontextmanager
async def running(*controllers: str) -> AsyncIterator[Assembly]:
    """The server assembled on a fresh memory store (system namespaces bootstrapped) with the named controllers
    of its assembly running, until the context ends."""
    store = MemoryStore()
    assembled = assemble(store, tokens={}, health=Health(), server_address="127.0.0.1:6443",
                         metrics=ServerMetrics(CATALOG, strict=True))
    await bootstrap(AsgiClient(assembled.app))
    tasks = [asyncio.create_task(run(), name=name) for name, run in assembled.controllers if name in controllers]
    try:
        yield assembled
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await store.close()


@dataclass(frozen=True)
class Reply:
    """A complete response."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    def header(self, name: str) -> str:
        """The first value of header ``name`` (lower case), or ``""``."""
        return next((v for k, v in self.headers if k == name), "")

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name]


def _headers(raw: list[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)


class WatchStream:
    """A streamed response read line by line while the test keeps writing; leaving the context is the client
    going away (``http.disconnect``), which must end the server's stream."""

    def __init__(self, app: App, scope: dict[str, Any]) -> None:
        self._app = app
        self._scope = scope
        self._messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._gone = asyncio.Event()
        self._request_sent = False
        self._buffer = b""
        self._task: asyncio.Task[None] | None = None
        self.status = 0
        self.headers: tuple[tuple[str, str], ...] = ()
        self.ended = False

    async def _receive(self) -> dict[str, Any]:
        if not self._request_sent:
            self._request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def __aenter__(self) -> WatchStream:
        self._task = asyncio.create_task(self._app(self._scope, self._receive, self._messages.put),
                                         name="test-watch-request")
        async with asyncio.timeout(WAIT_SECONDS):
            start = await self._messages.get()
        self.status = start["status"]
        self.headers = _headers(start["headers"])
        return self

    async def __aexit__(self, *_: object) -> None:
        self._gone.set()
        if self._task is not None:
            async with asyncio.timeout(WAIT_SECONDS):
                await self._task

    async def _read_more(self) -> None:
        async with asyncio.timeout(WAIT_SECONDS):
            message = await self._messages.get()
        self._buffer += message.get("body", b"")
        if not message.get("more_body", False):
            self.ended = True

    async def body(self) -> bytes:
        """The whole body of a response that is not a stream (an error answered before streaming)."""
        while not self.ended:
            await self._read_more()
        body, self._buffer = self._buffer, b""
        return body

    async def next_event(self) -> dict[str, Any] | None:
        """The next watch event, or None when the server ended the stream."""
        while b"\n" not in self._buffer:
            if self.ended:
                return None
            await self._read_more()
        line, _, self._buffer = self._buffer.partition(b"\n")
        event: dict[str, Any] = orjson.loads(line)
        return event

    async def events(self, count: int) -> list[dict[str, Any]]:
        """The next ``count`` events (fails if the stream ends first)."""
        out: list[dict[str, Any]] = []
        for _ in range(count):
            event = await self.next_event()
            assert event is not None, f"the stream ended after {out}"
            out.append(event)
        return out

    async def rest(self) -> list[dict[str, Any]]:
        """Every event until the server ends the stream."""
        out: list[dict[str, Any]] = []
        while (event := await self.next_event()) is not None:
            out.append(event)
        return out


class AsgiClient:
    """Requests to an :class:`App` as one identity: a client certificate subject, a bearer token, or none."""

    def __init__(self, app: App, *, peer: PeerCertificate | None = ADMIN, token: str | None = None,
                 user_agent: str = "unit-tests/v1.0") -> None:
        self.app = app
        self._peer = peer
        self._token = token
        self._user_agent = user_agent

    def _scope(self, method: str, path: str, headers: Mapping[str, str], content_type: str) -> dict[str, Any]:
        target, _, query = path.partition("?")
        raw_headers = [(b"user-agent", self._user_agent.encode()), (b"content-type", content_type.encode())]
        if self._token is not None:
            raw_headers.append((b"authorization", f"Bearer {self._token}".encode()))
        raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        scope: dict[str, Any] = {"type": "http", "method": method, "path": target, "raw_path": target.encode(),
                                 "query_string": query.encode(), "headers": raw_headers}
        if self._peer is not None:
            scope[PEER_SCOPE_KEY] = self._peer
        return scope

    async def request(self, method: str, path: str, body: Any = None, *, content_type: str = "application/json",
                      headers: Mapping[str, str] | None = None) -> Reply:
        """One request; ``body`` is sent as is when bytes or str, else as JSON."""
        raw = b"" if body is None else body if isinstance(body, bytes) else \
            body.encode() if isinstance(body, str) else orjson.dumps(body)
        sent: list[dict[str, Any]] = []
        receive = receive_once(raw)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(self._scope(method, path, headers or {}, content_type), receive, send)
        start, *bodies = sent
        return Reply(start["status"], _headers(start["headers"]), b"".join(m.get("body", b"") for m in bodies))

    async def get(self, path: str, *, headers: Mapping[str, str] | None = None) -> Reply:
        return await self.request("GET", path, headers=headers)

    async def create(self, path: str, obj: dict[str, Any]) -> dict[str, Any]:
        """POST that must succeed (201); the created object."""
        reply = await self.request("POST", path, obj)
        assert reply.status == 201, reply.body
        created: dict[str, Any] = reply.json()
        return created

    async def patch(self, path: str, patch: Any, *, kind: str = "merge", query: str = "") -> Reply:
        """PATCH with ``kind`` one of json, merge, strategic, apply."""
        content_type = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
                        "strategic": "application/strategic-merge-patch+json",
                        "apply": "application/apply-patch+yaml"}[kind]
        return await self.request("PATCH", path + query, patch, content_type=content_type)

    @contextlib.asynccontextmanager
    async def watch(self, path: str, *, headers: Mapping[str, str] | None = None) -> AsyncIterator[WatchStream]:
        """A streamed GET; the stream is read while the test goes on and closed (client gone) on exit."""
        async with WatchStream(self.app, self._scope("GET", path, headers or {}, "")) as stream:
            yield stream


async def bootstrap(client: AsgiClient) -> None:
    """Create the system namespaces and the root logical cluster, as the service does on start."""
    for name in SYSTEM_NAMESPACES:
        await client.create("/api/v1/namespaces", {"metadata": {"name": name}})
    await bootstrap_root(InProcessClient(client.app, user="unit-bootstrap", groups=("system:masters",),
                                        user_agent="unit-bootstrap"))
