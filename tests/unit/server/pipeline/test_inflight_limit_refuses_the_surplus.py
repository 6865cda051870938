"""The in-flight limit (kube's --max-requests-inflight and --max-mutating-requests-inflight): a request that
finds its pool full is refused with kube's 429 and ``Retry-After: 1``; ``system:masters`` are served anyway;
watches hold no slot; a limit of 0 is no limit; a slot comes back however its request ends (an error
answer, a crash in the handler, a client gone mid-response, the in-process client); and the pools and the
refusals are in the metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest

from gitplane.server.app import App
from gitplane.server.assembly import Assembly, assemble
from gitplane.server.health import Health
from gitplane.server.metrics import ServerMetrics
from gitplane.server.request import UserInfo
from gitplane.storage.interface import Key, Record
from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import CATALOG, WAIT_SECONDS, AsgiClient, Reply, bootstrap
from tests.unit.server.metrics.scrape import scrape

TOKENS = {"alice-token": UserInfo("alice", ())}
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


class GatedStore(MemoryStore):
    """A memory store whose reads and creates wait while its gate is closed, and whose reads can fail."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.gate.set()
        self.waiting = asyncio.Event()
        self.fail_reads = False

    async def _pass(self) -> None:
        if not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()

    async def get(self, key: Key) -> Record:
        await self._pass()
        if self.fail_reads:
            raise RuntimeError("the disk is on fire")
        return await super().get(key)

    async def create(self, key: Key, value: bytes) -> Record:
        await self._pass()
        return await super().create(key, value)


@contextlib.asynccontextmanager
async def holding(store: GatedStore, request: Awaitable[Reply]) -> AsyncIterator[None]:
    """Keep ``request`` in flight (waiting in the store) until the context ends; it must then succeed."""
    store.gate.clear()
    store.waiting.clear()
    task = asyncio.ensure_future(request)
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            await store.waiting.wait()
        yield
    finally:
        store.gate.set()
        async with asyncio.timeout(WAIT_SECONDS):
            reply = await task
    assert reply.status < 300, reply.body


async def build(store: GatedStore, *, read_only: int = 1, mutating: int = 1) -> Assembly:
    assembly = assemble(store, tokens=TOKENS, health=Health(), server_address="127.0.0.1:6443",
                        max_requests_inflight=read_only, max_mutating_requests_inflight=mutating,
                        metrics=ServerMetrics(CATALOG, strict=True))
    await bootstrap(AsgiClient(assembly.app))
    return assembly


@pytest.fixture
async def store() -> AsyncIterator[GatedStore]:
    gated = GatedStore()
    try:
        yield gated
    finally:
        await gated.close()


def configmap(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name}}


async def test_a_read_over_the_limit_is_refused_with_kubes_429(store: GatedStore) -> None:
    """The refusal is kube's TooManyRequests Status with Retry-After: 1; once the slot is free, it is served."""
    app = (await build(store)).app
    admin, anonymous = AsgiClient(app), AsgiClient(app, peer=None)
    async with holding(store, admin.get("/api/v1/namespaces/default")):
        reply = await anonymous.get("/version")
        assert (reply.status, reply.header("retry-after")) == (429, "1")
        status = reply.json()
        assert (status["kind"], status["code"], status["reason"]) == ("Status", 429, "TooManyRequests")
        assert status["message"] == "Too many requests, please try again later."
        assert status["details"] == {"retryAfterSeconds": 1}
    assert (await anonymous.get("/version")).status == 200


async def test_reads_and_writes_have_pools_of_their_own(store: GatedStore) -> None:
    """A full mutating pool refuses writes (before authorization: alice's write is 429, not 403) and leaves
    reads alone."""
    app = (await build(store)).app
    admin, alice = AsgiClient(app), AsgiClient(app, peer=None, token="alice-token")
    async with holding(store, admin.request("POST", CONFIGMAPS, configmap("held"))):
        assert (await alice.request("POST", CONFIGMAPS, configmap("other"))).status == 429
        assert (await alice.get("/version")).status == 200
    assert (await alice.request("POST", CONFIGMAPS, configmap("other"))).status == 403


async def test_system_masters_are_served_over_the_limit(store: GatedStore) -> None:
    app = (await build(store)).app
    admin = AsgiClient(app)
    async with holding(store, admin.get("/api/v1/namespaces/default")):
        assert (await admin.get("/version")).status == 200


async def test_watches_hold_no_slot(store: GatedStore) -> None:
    app = (await build(store)).app
    admin, anonymous = AsgiClient(app), AsgiClient(app, peer=None)
    async with admin.watch(f"{CONFIGMAPS}?watch=true") as stream:
        assert stream.status == 200
        assert (await anonymous.get("/version")).status == 200


async def test_a_limit_of_zero_is_no_limit(store: GatedStore) -> None:
    app = (await build(store, read_only=0)).app
    admin, anonymous = AsgiClient(app), AsgiClient(app, peer=None)
    async with holding(store, admin.get("/api/v1/namespaces/default")):
        assert (await anonymous.get("/version")).status == 200


async def test_the_slot_comes_back_however_the_request_ends(store: GatedStore) -> None:
    """With one slot per pool, every kind of failed request is followed by one that is served."""
    assembly = await build(store)
    app = assembly.app
    admin, anonymous = AsgiClient(app), AsgiClient(app, peer=None)
    alice = AsgiClient(app, peer=None, token="alice-token")

    async def next_read_is_served() -> None:
        assert (await anonymous.get("/version")).status == 200

    assert (await admin.get(f"{CONFIGMAPS}/missing")).status == 404
    await next_read_is_served()
    assert (await anonymous.get("/api")).status == 403  # refused by authorization, after the limit
    await next_read_is_served()
    store.fail_reads = True
    assert (await admin.get("/api/v1/namespaces/default")).status == 500
    store.fail_reads = False
    await next_read_is_served()
    await client_goes_away(app)
    await next_read_is_served()
    assert (await admin.request("POST", CONFIGMAPS, b"{not json")).status == 400
    assert (await assembly.api.request("POST", CONFIGMAPS, body=configmap("in-process"))).status == 201
    assert (await alice.request("POST", CONFIGMAPS, configmap("other"))).status == 403  # not 429


async def client_goes_away(app: App) -> None:
    """A GET whose client is gone when the body is sent (the server's send fails)."""
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            raise OSError("connection reset by peer")

    scope = {"type": "http", "method": "GET", "path": "/version", "raw_path": b"/version", "query_string": b"",
             "headers": []}
    with pytest.raises(OSError, match="reset"):
        await app(scope, receive, send)


async def test_pools_and_refusals_are_in_the_metrics(store: GatedStore) -> None:
    """``apiserver_current_inflight_requests`` is the most in flight since the last scrape (kube: in the last
    second); a refusal is a 429 in ``apiserver_request_total``, a termination, and an ``inflight-limit``
    rejection."""
    app = (await build(store, read_only=5)).app
    admin, alice = AsgiClient(app), AsgiClient(app, peer=None, token="alice-token")
    await scrape(admin)  # start the peaks over
    async with holding(store, admin.request("POST", CONFIGMAPS, configmap("held"))):
        assert (await alice.request("POST", CONFIGMAPS, configmap("other"))).status == 429
        during = await scrape(admin)
    after = await scrape(admin)
    refused = {"verb": "POST", "resource": "configmaps", "scope": "resource", "code": "429"}
    assert during.value("apiserver_current_inflight_requests", request_kind="mutating") == 1
    assert during.value("apiserver_current_inflight_requests", request_kind="readOnly") == 1  # the scrape
    assert after.value("apiserver_current_inflight_requests", request_kind="mutating") == 1  # held until then
    assert (await scrape(admin)).value("apiserver_current_inflight_requests", request_kind="mutating") == 0
    assert after.value("apiserver_request_total", **refused) == 1
    assert after.value("apiserver_request_terminations_total", **refused) == 1
    assert after.value("gitplane_rejected_requests_total", reason="inflight-limit") == 1
