"""Every namespace gets the ``default`` ServiceAccount and the ``kube-root-ca.crt`` ConfigMap holding the
server's CA; both come back when deleted, the ConfigMap's content when changed; a terminating namespace gets
nothing new."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gitplane.server.app import App
from gitplane.server.assembly import SYSTEM_GROUPS, SYSTEM_USER
from gitplane.server.controllers.namespace_defaults.controller import NamespaceDefaultsController
from gitplane.server.inprocess import InProcessClient
from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import WAIT_SECONDS, AsgiClient

CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
BASE = "/api/v1/namespaces/team"


@pytest.fixture
async def running(app: App, store: MemoryStore) -> AsyncIterator[None]:
    api = InProcessClient(app, user=SYSTEM_USER, groups=SYSTEM_GROUPS, user_agent="namespace-defaults")
    task = asyncio.create_task(NamespaceDefaultsController(store=store, api=api, ca_bundle=CA, workers=1).run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def eventually(admin: AsgiClient, path: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            reply = await admin.get(path)
            if reply.status == 200:
                found: dict[str, Any] = reply.json()
                return found
            await asyncio.sleep(0.005)


@pytest.mark.usefixtures("running")
async def test_a_new_namespace_gets_both_and_keeps_them(admin: AsgiClient) -> None:
    await admin.create("/api/v1/namespaces", {"metadata": {"name": "team"}})
    account = await eventually(admin, f"{BASE}/serviceaccounts/default")
    root_ca = await eventually(admin, f"{BASE}/configmaps/kube-root-ca.crt")
    assert root_ca["data"] == {"ca.crt": CA}
    assert "kubernetes.io/description" in root_ca["metadata"]["annotations"]

    await admin.request("DELETE", f"{BASE}/serviceaccounts/default")
    again = await eventually(admin, f"{BASE}/serviceaccounts/default")
    assert again["metadata"]["uid"] != account["metadata"]["uid"]

    await admin.patch(f"{BASE}/configmaps/kube-root-ca.crt", {"data": {"ca.crt": "tampered"}})
    async with asyncio.timeout(WAIT_SECONDS):
        while (await admin.get(f"{BASE}/configmaps/kube-root-ca.crt")).json()["data"] != {"ca.crt": CA}:  # noqa: ASYNC110 (polling the API)
            await asyncio.sleep(0.005)


@pytest.mark.usefixtures("running")
async def test_a_terminating_namespace_gets_nothing_new(admin: AsgiClient) -> None:
    await admin.create("/api/v1/namespaces", {"metadata": {"name": "team"}})
    await eventually(admin, f"{BASE}/serviceaccounts/default")
    await admin.request("DELETE", "/api/v1/namespaces/team")  # the namespace controller is not running: it stays
    await admin.request("DELETE", f"{BASE}/serviceaccounts/default")
    await admin.create("/api/v1/namespaces", {"metadata": {"name": "later"}})  # handled after the deletion
    await eventually(admin, "/api/v1/namespaces/later/serviceaccounts/default")
    assert (await admin.get(f"{BASE}/serviceaccounts/default")).status == 404
