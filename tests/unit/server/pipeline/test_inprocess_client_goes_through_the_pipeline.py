"""The in-process client of system controllers: no socket, but the same pipeline as any client (its identity
authenticated like a client certificate, admission and managed fields applied), and Status errors raised as
API errors."""

from __future__ import annotations

import pytest

from gitplane.api.errors import APIError
from gitplane.server.app import App
from gitplane.server.assembly import SYSTEM_GROUPS, SYSTEM_USER
from gitplane.server.inprocess import InProcessClient


@pytest.fixture
def client(app: App) -> InProcessClient:
    return InProcessClient(app, user=SYSTEM_USER, groups=SYSTEM_GROUPS, user_agent="namespace-lifecycle/v1")


async def test_writes_are_recorded_under_the_clients_user_agent(client: InProcessClient, namespace: str) -> None:
    """Managed fields name the controller, as they would for a remote client with that User-Agent."""
    reply = await client.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                 body={"metadata": {"name": "c1"}, "data": {"k": "v"}})
    assert reply.status == 201
    assert [e["manager"] for e in reply.json()["metadata"]["managedFields"]] == ["namespace-lifecycle"]


async def test_admission_applies_to_the_system_identity(client: InProcessClient) -> None:
    """Even the system user cannot create content in a missing namespace."""
    reply = await client.request("POST", "/api/v1/namespaces/ghost/configmaps", body={"metadata": {"name": "c1"}})
    assert reply.status == 404
    with pytest.raises(APIError) as caught:
        reply.raise_for_status()
    assert (caught.value.code, caught.value.reason, caught.value.message) == (
        404, "NotFound", 'namespaces "ghost" not found')
    assert caught.value.details == {"name": "ghost", "kind": "namespaces"}


async def test_query_strings_and_raw_bodies_pass_through(client: InProcessClient, namespace: str) -> None:
    """A path with a query and a pre-encoded body reach the handler as sent."""
    reply = await client.request("POST", f"/api/v1/namespaces/{namespace}/configmaps?dryRun=All",
                                 body=b'{"metadata":{"name":"c1"}}')
    assert reply.status == 201
    assert (await client.request("GET", f"/api/v1/namespaces/{namespace}/configmaps/c1")).status == 404


async def test_success_does_not_raise(client: InProcessClient) -> None:
    """2xx replies pass raise_for_status."""
    reply = await client.request("GET", "/api/v1/namespaces/default")
    reply.raise_for_status()
    assert reply.json()["metadata"]["name"] == "default"


async def test_watches_are_refused(client: InProcessClient) -> None:
    """Controllers watch the store directly; the in-process client does not stream."""
    with pytest.raises(TypeError, match="does not stream"):
        await client.request("GET", "/api/v1/namespaces?watch=1")
