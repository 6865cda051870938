"""The status subresource split of namespaces and resource quotas: writes to the object ignore ``status``,
writes to ``/status`` change only ``status`` (and labels, annotations, finalizers, owners)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.server.asgi_client import AsgiClient

QUOTA = {"metadata": {"name": "q1"}, "spec": {"hard": {"count/configmaps": "5"}},
         "status": {"hard": {"count/configmaps": "5"}, "used": {"count/configmaps": "1"}}}


@pytest.fixture
async def quota(admin: AsgiClient, namespace: str) -> str:
    """A ResourceQuota (created with a status, which create drops); its path."""
    path = f"/api/v1/namespaces/{namespace}/resourcequotas"
    created = await admin.create(path, QUOTA)
    assert "status" not in created
    return f"{path}/q1"


async def current(admin: AsgiClient, path: str) -> dict[str, Any]:
    reply = await admin.get(path)
    assert reply.status == 200
    obj: dict[str, Any] = reply.json()
    return obj


async def test_status_is_written_through_status(admin: AsgiClient, quota: str) -> None:
    """PUT ``/status`` stores the status and keeps the spec as stored."""
    body = {**await current(admin, quota), "status": QUOTA["status"], "spec": {"hard": {"count/configmaps": "9"}}}
    reply = await admin.request("PUT", f"{quota}/status", body)
    assert reply.status == 200
    assert reply.json()["status"] == QUOTA["status"]
    assert reply.json()["spec"] == QUOTA["spec"]


async def test_the_main_resource_ignores_status(admin: AsgiClient, quota: str) -> None:
    """A PUT of the object with another status changes the spec only."""
    await admin.request("PUT", f"{quota}/status", {**await current(admin, quota), "status": QUOTA["status"]})
    body = {**await current(admin, quota), "spec": {"hard": {"count/configmaps": "9"}},
            "status": {"used": {"count/configmaps": "4"}}}
    reply = await admin.request("PUT", quota, body)
    assert reply.json()["spec"] == {"hard": {"count/configmaps": "9"}}
    assert reply.json()["status"] == QUOTA["status"]


async def test_status_patches_change_status_and_labels_only(admin: AsgiClient, quota: str) -> None:
    """A merge patch to ``/status`` keeps a spec change out but lets a label through."""
    reply = await admin.patch(f"{quota}/status", {"metadata": {"labels": {"seen": "yes"}},
                                                  "spec": {"hard": {"count/configmaps": "1"}},
                                                  "status": {"used": {"count/configmaps": "2"}}})
    assert reply.status == 200
    patched = reply.json()
    assert patched["status"] == {"used": {"count/configmaps": "2"}}
    assert patched["spec"] == QUOTA["spec"]
    assert patched["metadata"]["labels"] == {"seen": "yes"}


async def test_get_status_answers_the_whole_object(admin: AsgiClient, quota: str) -> None:
    """GET of ``/status`` is the object itself."""
    assert (await admin.get(f"{quota}/status")).json() == await current(admin, quota)


async def test_namespace_status_changes_only_through_status(admin: AsgiClient, namespace: str) -> None:
    """Conditions written to a namespace's ``/status`` stay; a PUT of the namespace cannot change them."""
    path = f"/api/v1/namespaces/{namespace}"
    condition = {"type": "NamespaceContentRemaining", "status": "False", "reason": "ContentRemoved",
                 "lastTransitionTime": "2026-01-01T00:00:00Z"}
    ns = await current(admin, path)
    written = await admin.request("PUT", f"{path}/status",
                                  {**ns, "status": {"phase": "Active", "conditions": [condition]}})
    assert written.status == 200
    assert written.json()["status"]["conditions"] == [condition]
    ignored = await admin.request("PUT", path, {**written.json(), "status": {"phase": "Active"}})
    assert ignored.json()["status"]["conditions"] == [condition]


async def test_status_of_a_type_without_one_is_404(admin: AsgiClient, namespace: str) -> None:
    """ConfigMaps have no status subresource."""
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "c1"}})
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps/c1/status")
    assert reply.status == 404
    assert reply.json()["message"] == "the server could not find the requested resource"


async def test_status_writes_are_recorded_for_the_status_subresource(admin: AsgiClient, quota: str) -> None:
    """Managed fields name the subresource a manager wrote through."""
    reply = await admin.patch(f"{quota}/status", {"status": {"used": {"count/configmaps": "2"}}})
    entries = [e for e in reply.json()["metadata"]["managedFields"] if e.get("subresource") == "status"]
    assert [e["manager"] for e in entries] == ["unit-tests"]
    assert "f:status" in entries[0]["fieldsV1"]
