"""UPDATE (PUT): the body's resourceVersion must be the stored one (core types may omit it), the server keeps
what the client may not change, and a write that changes nothing stores nothing."""

from __future__ import annotations

from typing import Any

from tests.unit.server.asgi_client import AsgiClient


async def configmap(admin: AsgiClient, namespace: str, **fields: Any) -> dict[str, Any]:
    return await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "c1"}, **fields})


async def test_an_update_at_the_current_revision_is_stored(admin: AsgiClient, namespace: str) -> None:
    """The new object is stored under a new resourceVersion; uid and creationTimestamp stay."""
    created = await configmap(admin, namespace, data={"k": "v"})
    body = {**created, "data": {"k": "w"}}
    reply = await admin.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/c1", body)
    assert reply.status == 200
    updated = reply.json()
    assert updated["data"] == {"k": "w"}
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    for field in ("uid", "creationTimestamp"):
        assert updated["metadata"][field] == created["metadata"][field]


async def test_a_stale_resource_version_is_a_conflict(admin: AsgiClient, namespace: str) -> None:
    """The loser of two updates from the same revision gets kube's 409 Conflict."""
    created = await configmap(admin, namespace, data={"k": "v"})
    path = f"/api/v1/namespaces/{namespace}/configmaps/c1"
    assert (await admin.request("PUT", path, {**created, "data": {"k": "first"}})).status == 200
    loser = await admin.request("PUT", path, {**created, "data": {"k": "second"}})
    assert loser.status == 409
    assert loser.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Conflict", "code": 409,
        "message": 'Operation cannot be fulfilled on configmaps "c1": the object has been modified; please apply '
                   "your changes to the latest version and try again",
        "details": {"name": "c1", "kind": "configmaps"}}
    assert (await admin.get(path)).json()["data"] == {"k": "first"}


async def test_core_types_update_unconditionally_without_a_resource_version(admin: AsgiClient,
                                                                          namespace: str) -> None:
    """A body without resourceVersion replaces whatever is stored."""
    await configmap(admin, namespace, data={"k": "v"})
    reply = await admin.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/c1",
                                {"metadata": {"name": "c1"}, "data": {"k": "blind"}})
    assert (reply.status, reply.json()["data"]) == (200, {"k": "blind"})


async def test_an_update_that_changes_nothing_keeps_the_revision(admin: AsgiClient, namespace: str) -> None:
    """Writing the stored object back answers 200 with the same resourceVersion (nothing stored)."""
    created = await configmap(admin, namespace, data={"k": "v"})
    reply = await admin.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/c1", created)
    assert reply.json()["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


async def test_the_name_in_the_body_must_be_the_urls(admin: AsgiClient, namespace: str) -> None:
    """A body naming another object is a 400."""
    created = await configmap(admin, namespace)
    reply = await admin.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/c1",
                                {**created, "metadata": {**created["metadata"], "name": "c2"}})
    assert reply.status == 400
    assert reply.json()["message"] == "the name of the object (c2) does not match the name on the URL (c1)"


async def test_the_namespace_in_the_body_must_be_the_urls(admin: AsgiClient, namespace: str) -> None:
    """A body placing the object in another namespace is a 400."""
    created = await configmap(admin, namespace)
    reply = await admin.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/c1",
                                {**created, "metadata": {**created["metadata"], "namespace": "default"}})
    assert reply.status == 400
    assert reply.json()["message"] == ("the namespace of the provided object does not match the namespace sent on "
                                       "the request")


async def test_immutable_metadata_cannot_change(admin: AsgiClient, namespace: str) -> None:
    """A different uid is refused as Invalid, naming the field."""
    created = await configmap(admin, namespace)
    reply = await admin.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/c1",
                                {**created, "metadata": {**created["metadata"], "uid": "another"}})
    assert reply.status == 422
    assert 'metadata.uid: Invalid value: "another": field is immutable' in reply.json()["message"]


async def test_updating_a_missing_object_is_404(admin: AsgiClient, namespace: str) -> None:
    """Most types are not created by PUT."""
    reply = await admin.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/ghost",
                                {"metadata": {"name": "ghost"}})
    assert reply.status == 404
    assert reply.json()["message"] == 'configmaps "ghost" not found'


async def test_core_events_are_created_by_put(admin: AsgiClient, namespace: str) -> None:
    """kube's event registry creates an Event that a PUT names and that does not exist."""
    reply = await admin.request("PUT", f"/api/v1/namespaces/{namespace}/events/e1", {
        "metadata": {"name": "e1"}, "involvedObject": {"kind": "ConfigMap", "name": "c1", "namespace": namespace},
        "reason": "Tested", "message": "hello", "type": "Normal"})
    assert reply.status == 201
    assert (await admin.get(f"/api/v1/namespaces/{namespace}/events/e1")).status == 200


async def test_a_resource_version_on_create_is_refused(admin: AsgiClient, namespace: str) -> None:
    """Clients may not choose the revision of a new object."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                {"metadata": {"name": "c1", "resourceVersion": "7"}})
    assert reply.status == 400
    assert reply.json()["message"] == "resourceVersion should not be set on objects to be created"


async def test_a_body_of_another_kind_is_refused(admin: AsgiClient, namespace: str) -> None:
    """The body's kind must be the URL's resource's kind."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c1"}})
    assert reply.status == 400
    assert "is not the kind of resource configmaps" in reply.json()["message"]
