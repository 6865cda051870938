"""PATCH in its four forms (JSON patch, merge patch, strategic merge patch, server-side apply), chosen by
Content-Type, with kube's answers for patches that fail, change nothing, or come without a field manager."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.server.asgi_client import AsgiClient


@pytest.fixture
async def account(admin: AsgiClient, namespace: str) -> str:
    """A ServiceAccount with one secret reference and a label; its path."""
    path = f"/api/v1/namespaces/{namespace}/serviceaccounts"
    await admin.create(path, {"metadata": {"name": "sa", "labels": {"team": "a"}}, "secrets": [{"name": "one"}]})
    return f"{path}/sa"


async def patched(admin: AsgiClient, path: str, patch: Any, kind: str, query: str = "") -> dict[str, Any]:
    reply = await admin.patch(path, patch, kind=kind, query=query)
    assert reply.status == 200, reply.body
    result: dict[str, Any] = reply.json()
    return result


async def test_json_patch_applies_its_operations_in_order(admin: AsgiClient, account: str) -> None:
    """RFC 6902 operations: add, replace, remove."""
    result = await patched(admin, account, [
        {"op": "add", "path": "/metadata/labels/tier", "value": "web"},
        {"op": "replace", "path": "/metadata/labels/team", "value": "b"},
        {"op": "remove", "path": "/secrets/0"},
    ], "json")
    assert result["metadata"]["labels"] == {"team": "b", "tier": "web"}
    assert result.get("secrets", []) == []


async def test_a_failed_json_patch_test_is_422(admin: AsgiClient, account: str) -> None:
    """A ``test`` operation that does not hold refuses the whole patch as Invalid."""
    reply = await admin.patch(account, [{"op": "test", "path": "/metadata/labels/team", "value": "z"},
                                        {"op": "remove", "path": "/metadata/labels"}], kind="json")
    assert (reply.status, reply.json()["reason"]) == (422, "Invalid")
    assert (await admin.get(account)).json()["metadata"]["labels"] == {"team": "a"}


async def test_merge_patch_replaces_lists_and_deletes_with_null(admin: AsgiClient, account: str) -> None:
    """RFC 7386: a list is replaced whole; null removes a key."""
    result = await patched(admin, account, {"metadata": {"labels": {"team": None, "tier": "web"}},
                                            "secrets": [{"name": "two"}]}, "merge")
    assert result["metadata"]["labels"] == {"tier": "web"}
    assert result["secrets"] == [{"name": "two"}]


async def test_strategic_merge_patch_merges_lists_by_their_merge_key(admin: AsgiClient, account: str) -> None:
    """ServiceAccount.secrets merges by name: a new entry joins the existing one."""
    result = await patched(admin, account, {"secrets": [{"name": "two"}]}, "strategic")
    assert result["secrets"] == [{"name": "two"}, {"name": "one"}]


async def test_strategic_merge_patch_honours_delete_directives(admin: AsgiClient, account: str) -> None:
    """``$patch: delete`` removes the list entry with that merge key."""
    result = await patched(admin, account, {"secrets": [{"name": "one", "$patch": "delete"}]}, "strategic")
    assert result.get("secrets", []) == []


async def test_a_patch_that_changes_nothing_keeps_the_revision(admin: AsgiClient, account: str) -> None:
    """200 with the object as stored, resourceVersion unchanged."""
    before = (await admin.get(account)).json()
    after = await patched(admin, account, {"metadata": {"labels": {"team": "a"}}}, "merge")
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


async def test_a_patch_pinning_an_old_resource_version_conflicts(admin: AsgiClient, account: str) -> None:
    """A resourceVersion in the patch is a precondition."""
    before = (await admin.get(account)).json()
    await patched(admin, account, {"metadata": {"labels": {"team": "b"}}}, "merge")
    reply = await admin.patch(account, {"metadata": {"resourceVersion": before["metadata"]["resourceVersion"],
                                                     "labels": {"team": "c"}}}, kind="merge")
    assert (reply.status, reply.json()["reason"]) == (409, "Conflict")


async def test_patching_a_missing_object_is_404(admin: AsgiClient, namespace: str) -> None:
    """Only apply creates; the other patch types need an object."""
    reply = await admin.patch(f"/api/v1/namespaces/{namespace}/configmaps/ghost", {"data": {"a": "b"}})
    assert reply.status == 404
    assert reply.json()["details"] == {"name": "ghost", "kind": "configmaps"}


async def test_an_unknown_patch_type_is_415_listing_the_known_ones(admin: AsgiClient, account: str) -> None:
    """Any other Content-Type is UnsupportedMediaType naming the four patch types."""
    reply = await admin.request("PATCH", account, {"metadata": {}}, content_type="application/json")
    assert reply.status == 415
    assert reply.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "UnsupportedMediaType",
        "code": 415,
        "message": "the body of the request was in an unknown format - accepted media types include: "
                   "application/json-patch+json, application/merge-patch+json, "
                   "application/strategic-merge-patch+json, application/apply-patch+yaml"}


APPLIED = """apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
data:
  k: v
"""


async def test_apply_creates_a_missing_object_owned_by_the_manager(admin: AsgiClient, namespace: str) -> None:
    """Server-side apply of an absent object creates it (201) with an Apply entry for the manager."""
    path = f"/api/v1/namespaces/{namespace}/configmaps/applied"
    reply = await admin.patch(path, APPLIED, kind="apply", query="?fieldManager=alice")
    assert reply.status == 201
    [entry] = reply.json()["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["fieldsV1"]) == (
        "alice", "Apply", {"f:data": {"f:k": {}}})


async def test_apply_of_another_managers_field_conflicts_until_forced(admin: AsgiClient, namespace: str) -> None:
    """A different value for a field another applier owns is 409 with kube's causes; force takes it over."""
    path = f"/api/v1/namespaces/{namespace}/configmaps/applied"
    await admin.patch(path, APPLIED, kind="apply", query="?fieldManager=alice")
    other = APPLIED.replace("k: v", "k: w")
    conflict = await admin.patch(path, other, kind="apply", query="?fieldManager=bob")
    assert conflict.status == 409
    assert conflict.json()["message"] == 'Apply failed with 1 conflict: conflict with "alice": .data.k'
    assert conflict.json()["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.k"}]
    forced = await admin.patch(path, other, kind="apply", query="?fieldManager=bob&force=true")
    assert (forced.status, forced.json()["data"]) == (200, {"k": "w"})
    assert [e["manager"] for e in forced.json()["metadata"]["managedFields"]] == ["bob"]


async def test_apply_accepts_json_bodies(admin: AsgiClient, namespace: str) -> None:
    """JSON is YAML too: kubectl and client libraries may send apply configurations as JSON."""
    path = f"/api/v1/namespaces/{namespace}/configmaps/applied"
    reply = await admin.patch(path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"},
                                     "data": {"k": "v"}}, kind="apply", query="?fieldManager=alice")
    assert reply.status == 201


async def test_force_is_only_for_apply(admin: AsgiClient, account: str) -> None:
    """``force`` on another patch type is refused as kube's PatchOptions validation refuses it."""
    reply = await admin.patch(account, {"metadata": {}}, kind="merge", query="?force=true")
    assert reply.status == 422
    assert reply.json()["message"] == ('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be '
                                       "specified for non-apply patch")


async def test_apply_without_a_field_manager_is_refused(admin: AsgiClient, namespace: str) -> None:
    """Appliers must name themselves; nothing is created."""
    path = f"/api/v1/namespaces/{namespace}/configmaps/applied"
    reply = await admin.patch(path, APPLIED, kind="apply")
    assert reply.status in (400, 422)
    assert (await admin.get(path)).status == 404


async def test_apply_without_a_field_manager_is_invalid_patch_options(admin: AsgiClient, namespace: str) -> None:
    """The refusal is kube's PatchOptions validation error."""
    reply = await admin.patch(f"/api/v1/namespaces/{namespace}/configmaps/applied", APPLIED, kind="apply")
    assert reply.status == 422
    assert reply.json()["message"] == ('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is '
                                       "required for apply patch")


async def test_apply_names_must_agree_with_the_url(admin: AsgiClient, namespace: str) -> None:
    """An applied configuration for another name is a 400."""
    reply = await admin.patch(f"/api/v1/namespaces/{namespace}/configmaps/other", APPLIED, kind="apply",
                              query="?fieldManager=alice")
    assert reply.status == 400
    assert "does not match the name on the URL" in reply.json()["message"]


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_updates_of_a_collection_are_not_allowed(admin: AsgiClient, namespace: str, method: str) -> None:
    """PUT and PATCH address one object; on a collection they are MethodNotAllowed."""
    reply = await admin.request(method, f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {}},
                                content_type="application/merge-patch+json")
    assert reply.status == 405
