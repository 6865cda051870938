"""DELETE and DELETECOLLECTION: preconditions, dry runs, selectors, and finalizers that hold an object (marked
with a deletionTimestamp) until they are removed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.server.asgi_client import AsgiClient


async def configmap(admin: AsgiClient, namespace: str, name: str = "c1", **meta: Any) -> dict[str, Any]:
    return await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": name, **meta}})


async def test_delete_answers_a_success_status_naming_the_object(admin: AsgiClient, namespace: str) -> None:
    """Without finalizers the object goes at once; the answer is kube's Status of success."""
    created = await configmap(admin, namespace)
    path = f"/api/v1/namespaces/{namespace}/configmaps/c1"
    reply = await admin.request("DELETE", path)
    assert reply.status == 200
    assert reply.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                            "details": {"name": "c1", "kind": "configmaps", "uid": created["metadata"]["uid"]}}
    assert (await admin.get(path)).status == 404


async def test_deleting_a_group_type_names_the_group(admin: AsgiClient, namespace: str) -> None:
    """The success Status of a Lease carries its group."""
    path = f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases"
    await admin.create(path, {"metadata": {"name": "l1"}})
    details = (await admin.request("DELETE", f"{path}/l1")).json()["details"]
    assert (details["group"], details["kind"], details["name"]) == ("coordination.k8s.io", "leases", "l1")


async def test_deleting_a_missing_object_is_404(admin: AsgiClient, namespace: str) -> None:
    """kube's NotFound, naming resource and name."""
    reply = await admin.request("DELETE", f"/api/v1/namespaces/{namespace}/configmaps/ghost")
    assert (reply.status, reply.json()["message"]) == (404, 'configmaps "ghost" not found')


@pytest.mark.parametrize(("preconditions", "message"), [
    pytest.param({"uid": "not-the-uid"}, 'Operation cannot be fulfilled on configmaps "c1": Precondition failed: '
                 "UID in precondition: not-the-uid, UID in object meta: {uid}", id="uid"),
    pytest.param({"resourceVersion": "1"}, 'Operation cannot be fulfilled on configmaps "c1": Precondition failed: '
                 "ResourceVersion in precondition: 1, ResourceVersion in object meta: {rv}", id="resource-version"),
])
async def test_failed_preconditions_are_409(admin: AsgiClient, namespace: str, preconditions: dict[str, str],
                                            message: str) -> None:
    """A uid or resourceVersion precondition that does not hold keeps the object and answers Conflict."""
    created = await configmap(admin, namespace)
    path = f"/api/v1/namespaces/{namespace}/configmaps/c1"
    reply = await admin.request("DELETE", path, {"preconditions": preconditions})
    assert (reply.status, reply.json()["reason"]) == (409, "Conflict")
    meta = created["metadata"]
    assert reply.json()["message"] == message.format(uid=meta["uid"], rv=meta["resourceVersion"])
    assert (await admin.get(path)).status == 200


async def test_holding_preconditions_let_the_delete_through(admin: AsgiClient, namespace: str) -> None:
    """Preconditions that match are no obstacle."""
    created = await configmap(admin, namespace)
    reply = await admin.request("DELETE", f"/api/v1/namespaces/{namespace}/configmaps/c1", {"preconditions": {
        "uid": created["metadata"]["uid"], "resourceVersion": created["metadata"]["resourceVersion"]}})
    assert reply.status == 200


async def test_an_unknown_propagation_policy_is_invalid(admin: AsgiClient, namespace: str) -> None:
    """kube's DeleteOptions validation lists the supported policies."""
    await configmap(admin, namespace)
    reply = await admin.request("DELETE", f"/api/v1/namespaces/{namespace}/configmaps/c1",
                                {"propagationPolicy": "Sideways"})
    assert reply.status == 422
    assert reply.json()["message"] == ('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported '
                                       'value: "Sideways": supported values: "Orphan", "Background", "Foreground"')


@pytest.mark.parametrize("how", [pytest.param("?dryRun=All", id="query"), pytest.param("", id="body")])
async def test_a_dry_run_delete_keeps_the_object(admin: AsgiClient, namespace: str, how: str) -> None:
    """dryRun in the query or in DeleteOptions answers as a delete would and removes nothing."""
    await configmap(admin, namespace)
    path = f"/api/v1/namespaces/{namespace}/configmaps/c1"
    body = None if how else {"dryRun": ["All"]}
    assert (await admin.request("DELETE", path + how, body)).status == 200
    assert (await admin.get(path)).status == 200


async def test_finalizers_hold_an_object_until_they_are_removed(admin: AsgiClient, namespace: str) -> None:
    """Delete marks the object (deletionTimestamp, grace 0); removing the last finalizer removes it."""
    await configmap(admin, namespace, finalizers=["example.com/hold"])
    path = f"/api/v1/namespaces/{namespace}/configmaps/c1"
    marked = await admin.request("DELETE", path)
    assert marked.status in (200, 202)
    meta = marked.json()["metadata"]
    assert meta["deletionTimestamp"] and meta["deletionGracePeriodSeconds"] == 0
    assert (await admin.get(path)).json()["metadata"]["deletionTimestamp"] == meta["deletionTimestamp"]

    again = await admin.request("DELETE", path)
    assert again.json()["metadata"]["deletionTimestamp"] == meta["deletionTimestamp"]

    released = await admin.patch(path, {"metadata": {"finalizers": None}})
    assert released.status == 200
    assert (await admin.get(path)).status == 404


async def test_no_finalizer_may_be_added_while_deleting(admin: AsgiClient, namespace: str) -> None:
    """An object being deleted may lose finalizers but not gain them."""
    await configmap(admin, namespace, finalizers=["example.com/hold"])
    path = f"/api/v1/namespaces/{namespace}/configmaps/c1"
    await admin.request("DELETE", path)
    reply = await admin.patch(path, {"metadata": {"finalizers": ["example.com/hold", "example.com/more"]}})
    assert reply.status == 422
    assert "no new finalizers can be added if the object is being deleted" in reply.json()["message"]


async def test_a_delete_held_by_finalizers_answers_200_with_the_object(admin: AsgiClient, namespace: str) -> None:
    """kube's DELETE handler keeps 200 for objects that are not deleted immediately."""
    await configmap(admin, namespace, finalizers=["example.com/hold"])
    reply = await admin.request("DELETE", f"/api/v1/namespaces/{namespace}/configmaps/c1")
    assert reply.status == 200
    assert reply.json()["metadata"]["deletionTimestamp"]


async def test_delete_collection_removes_what_the_selector_picks(admin: AsgiClient, namespace: str) -> None:
    """The answer lists the deleted objects; the others remain."""
    for i in range(4):
        await configmap(admin, namespace, f"c{i}", labels={"even": str(i % 2 == 0).lower()})
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    reply = await admin.request("DELETE", path + "?labelSelector=even%3Dtrue")
    assert reply.status == 200
    deleted = reply.json()
    assert deleted["kind"] == "ConfigMapList"
    assert [i["metadata"]["name"] for i in deleted["items"]] == ["c0", "c2"]
    remaining = (await admin.get(path)).json()
    assert [i["metadata"]["name"] for i in remaining["items"]] == ["c1", "c3"]


async def test_delete_collection_stays_in_its_namespace(admin: AsgiClient, namespace: str) -> None:
    """Deleting a namespace's collection leaves other namespaces alone."""
    await configmap(admin, namespace)
    await configmap(admin, "default", "keep")
    await admin.request("DELETE", f"/api/v1/namespaces/{namespace}/configmaps")
    assert (await admin.get(f"/api/v1/namespaces/{namespace}/configmaps")).json()["items"] == []
    assert (await admin.get("/api/v1/namespaces/default/configmaps/keep")).status == 200


async def test_delete_collection_marks_objects_held_by_finalizers(admin: AsgiClient, namespace: str) -> None:
    """Held objects are marked, not removed, and listed with their deletionTimestamp."""
    await configmap(admin, namespace, "free")
    await configmap(admin, namespace, "held", finalizers=["example.com/hold"])
    deleted = (await admin.request("DELETE", f"/api/v1/namespaces/{namespace}/configmaps")).json()
    by_name = {i["metadata"]["name"]: i for i in deleted["items"]}
    assert set(by_name) == {"free", "held"}
    assert by_name["held"]["metadata"]["deletionTimestamp"]
    remaining = (await admin.get(f"/api/v1/namespaces/{namespace}/configmaps")).json()["items"]
    assert [i["metadata"]["name"] for i in remaining] == ["held"]


async def test_a_dry_run_delete_collection_removes_nothing(admin: AsgiClient, namespace: str) -> None:
    """The would-be deleted objects are listed and all stay."""
    await configmap(admin, namespace)
    deleted = (await admin.request("DELETE", f"/api/v1/namespaces/{namespace}/configmaps?dryRun=All")).json()
    assert [i["metadata"]["name"] for i in deleted["items"]] == ["c1"]
    assert (await admin.get(f"/api/v1/namespaces/{namespace}/configmaps/c1")).status == 200
