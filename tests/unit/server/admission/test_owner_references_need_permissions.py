"""OwnerReferencesPermissionEnforcement: changing an object's owner references needs ``delete`` on it, and a new
blocking reference needs ``update`` on the owner's ``finalizers``; refusals read as kube's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.unit.server.rbac.server import RBAC, Server, binding, role, running, user

CMS = "/api/v1/namespaces/a/configmaps"
WRITE_CMS = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "create", "update", "patch"]}
FINALIZERS = {"apiGroups": [""], "resources": ["configmaps/finalizers"], "verbs": ["update"]}


def owned(name: str, owner: dict[str, Any], *, block: bool = False, kind: str = "ConfigMap") -> dict[str, Any]:
    ref = {"apiVersion": "v1", "kind": kind, "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]}
    if block:
        ref["blockOwnerDeletion"] = True
    return {"metadata": {"name": name, "ownerReferences": [ref]}}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    """alice may create, read and update configmaps in namespace a, but not delete them."""
    async with running() as started:
        await started.admin.create("/api/v1/namespaces", {"metadata": {"name": "a"}})
        await started.write(f"{RBAC}/namespaces/a/roles", role("writer", [WRITE_CMS], "a"))
        await started.write(f"{RBAC}/namespaces/a/rolebindings", binding("alice", "Role", "writer",
                                                                          [user("alice")], "a"))
        yield started


@pytest.fixture
async def owner(server: Server) -> dict[str, Any]:
    return await server.admin.create(CMS, {"metadata": {"name": "owner"}})


async def test_creating_with_an_owner_reference_needs_no_delete(server: Server, owner: dict[str, Any]) -> None:
    reply = await server.client("alice").request("POST", CMS, owned("dependent", owner))
    assert reply.status == 201, reply.body


async def test_adding_an_owner_reference_needs_delete(server: Server, owner: dict[str, Any]) -> None:
    alice = server.client("alice")
    await alice.request("POST", CMS, {"metadata": {"name": "dependent"}})
    reply = await alice.patch(f"{CMS}/dependent", owned("dependent", owner))
    assert reply.status == 403
    assert reply.json()["message"] == ('configmaps "dependent" is forbidden: cannot set an ownerRef on a resource '
                                       "you can't delete: , <nil>")
    assert (await alice.patch(f"{CMS}/dependent", {"metadata": {"labels": {"x": "y"}}})).status == 200
    assert (await server.admin.patch(f"{CMS}/dependent", owned("dependent", owner))).status == 200


async def test_blocking_owner_deletion_needs_the_owners_finalizers(server: Server, owner: dict[str, Any]) -> None:
    alice = server.client("alice")
    reply = await alice.request("POST", CMS, owned("dependent", owner, block=True))
    assert reply.status == 403
    assert reply.json()["message"] == (
        'configmaps "dependent" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a '
        "resource you can't set finalizers on: , <nil>")
    await server.write(f"{RBAC}/namespaces/a/roles", role("finalizers", [FINALIZERS], "a"))
    await server.write(f"{RBAC}/namespaces/a/rolebindings", binding("alice-finalizers", "Role", "finalizers",
                                                                     [user("alice")], "a"))
    assert (await alice.request("POST", CMS, owned("dependent", owner, block=True))).status == 201


async def test_a_blocking_reference_to_an_unknown_kind_is_refused(server: Server, owner: dict[str, Any]) -> None:
    reply = await server.client("alice").request("POST", CMS, owned("dependent", owner, block=True, kind="Widget"))
    assert reply.status == 403
    assert reply.json()["message"] == (
        'configmaps "dependent" is forbidden: cannot set blockOwnerDeletion in this case because cannot find '
        'RESTMapping for APIVersion v1 Kind Widget: no matches for kind "Widget" in version "v1"')
