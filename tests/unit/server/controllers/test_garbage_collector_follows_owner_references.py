"""The garbage collector on the assembled server: dependents go with their owner (Background), before it
(Foreground, where blockOwnerDeletion holds the owner until they are gone), or stay without the reference
(Orphan); a dependent with another live owner only forgets the gone one; owners and dependents of different
types (a custom resource owning ConfigMaps) work alike; a cluster-scoped dependent naming a namespaced owner is
reported with kube's OwnerRefInvalidNamespace event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gitplane.server.assembly import Assembly
from tests.unit.server.asgi_client import WAIT_SECONDS, AsgiClient, running

CMS = "/api/v1/namespaces/default/configmaps"
RUNNING = ("custom-resource-catalogs", "crd", "garbage-collector")


@pytest.fixture
async def assembly() -> AsyncIterator[Assembly]:
    async with running(*RUNNING) as assembled:
        yield assembled


@pytest.fixture
def admin(assembly: Assembly) -> AsgiClient:
    return AsgiClient(assembly.app)


def owned_by(owner: dict[str, Any], *, block: bool = False) -> dict[str, Any]:
    return {"apiVersion": owner.get("apiVersion", "v1"), "kind": owner.get("kind", "ConfigMap"),
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"], "blockOwnerDeletion": block}


async def configmap(admin: AsgiClient, name: str, *owners: dict[str, Any], finalizers: list[str] | None = None
                    ) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "ownerReferences": list(owners)} if owners else {"name": name}
    if finalizers:
        meta["finalizers"] = finalizers
    return await admin.create(CMS, {"metadata": meta})


async def until(check: Any) -> Any:
    async with asyncio.timeout(WAIT_SECONDS):
        while not (result := await check()):  # noqa: ASYNC110 (polling the API)
            await asyncio.sleep(0.005)
        return result


async def gone(admin: AsgiClient, path: str) -> bool:
    return (await admin.get(path)).status == 404


async def test_background_deletes_dependents_after_the_owner(admin: AsgiClient) -> None:
    owner = await configmap(admin, "owner")
    await configmap(admin, "dep1", owned_by(owner))
    await configmap(admin, "dep2", owned_by(owner))
    await admin.request("DELETE", f"{CMS}/owner")
    await until(lambda: gone(admin, f"{CMS}/dep1"))
    await until(lambda: gone(admin, f"{CMS}/dep2"))


async def test_foreground_waits_for_blocking_dependents(admin: AsgiClient) -> None:
    owner = await configmap(admin, "owner")
    await configmap(admin, "blocker", owned_by(owner, block=True), finalizers=["example.com/hold"])
    reply = await admin.request("DELETE", f"{CMS}/owner", {"propagationPolicy": "Foreground"})
    marked = reply.json()
    assert marked["metadata"]["finalizers"] == ["foregroundDeletion"] and marked["metadata"]["deletionTimestamp"]

    async def blocker_marked() -> bool:
        return bool((await admin.get(f"{CMS}/blocker")).json()["metadata"].get("deletionTimestamp"))

    await until(blocker_marked)
    assert (await admin.get(f"{CMS}/owner")).status == 200  # held while its blocking dependent exists
    await admin.patch(f"{CMS}/blocker", {"metadata": {"finalizers": None}})
    await until(lambda: gone(admin, f"{CMS}/owner"))


async def test_orphan_keeps_dependents_without_the_reference(admin: AsgiClient) -> None:
    owner = await configmap(admin, "owner")
    await configmap(admin, "orphan-me", owned_by(owner))
    await admin.request("DELETE", f"{CMS}/owner", {"propagationPolicy": "Orphan"})
    await until(lambda: gone(admin, f"{CMS}/owner"))
    dependent = (await admin.get(f"{CMS}/orphan-me")).json()
    assert "ownerReferences" not in dependent["metadata"]


async def test_a_dependent_with_another_live_owner_only_forgets_the_gone_one(admin: AsgiClient) -> None:
    first, second = await configmap(admin, "first"), await configmap(admin, "second")
    await configmap(admin, "shared", owned_by(first), owned_by(second))
    await admin.request("DELETE", f"{CMS}/first")

    async def forgotten() -> bool:
        refs = (await admin.get(f"{CMS}/shared")).json()["metadata"].get("ownerReferences", [])
        return [r["name"] for r in refs] == ["second"]

    await until(forgotten)


async def test_a_custom_resource_owns_configmaps(admin: AsgiClient) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "apps.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "apps", "kind": "App"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
    await admin.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    apps = "/apis/example.com/v1/namespaces/default/apps"

    async def served() -> bool:
        return (await admin.get(apps)).status == 200

    await until(served)
    app = await admin.create(apps, {"apiVersion": "example.com/v1", "kind": "App", "metadata": {"name": "a"}})
    await configmap(admin, "app-config", owned_by(app))
    await admin.request("DELETE", f"{apps}/a")
    await until(lambda: gone(admin, f"{CMS}/app-config"))


async def test_a_cluster_scoped_dependent_of_a_namespaced_owner_is_reported(admin: AsgiClient) -> None:
    owner = await configmap(admin, "namespaced-owner")
    await admin.create("/api/v1/namespaces", {"metadata": {"name": "confused", "ownerReferences": [owned_by(owner)]}})

    async def reported() -> list[dict[str, Any]]:
        events = (await admin.get("/api/v1/namespaces/default/events")).json()["items"]
        return [e for e in events if e["reason"] == "OwnerRefInvalidNamespace"]

    [event] = await until(reported)
    assert (event["type"], event["involvedObject"]["name"]) == ("Warning", "confused")
