"""Namespaces and the NamespaceLifecycle admission plugin: content only in namespaces that exist and are not
terminating, immortal system namespaces, and a namespace's own lifecycle (finalizer, phase, name label,
``/finalize``)."""

from __future__ import annotations

import pytest

from tests.unit.server.asgi_client import AsgiClient


async def test_a_new_namespace_is_active_with_the_kubernetes_finalizer(admin: AsgiClient) -> None:
    """spec.finalizers ends with ``kubernetes``, the phase is Active whatever was sent, the name label is set."""
    created = await admin.create("/api/v1/namespaces", {"metadata": {"name": "team"},
                                                        "spec": {"finalizers": ["example.com/x"]},
                                                        "status": {"phase": "Terminating"}})
    assert created["spec"] == {"finalizers": ["example.com/x", "kubernetes"]}
    assert created["status"] == {"phase": "Active"}
    assert created["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team"}


async def test_the_name_label_cannot_be_changed(admin: AsgiClient, namespace: str) -> None:
    """Updates that drop or change ``kubernetes.io/metadata.name`` get it back."""
    path = f"/api/v1/namespaces/{namespace}"
    reply = await admin.patch(path, {"metadata": {"labels": {"kubernetes.io/metadata.name": "other", "a": "b"}}})
    assert reply.json()["metadata"]["labels"] == {"kubernetes.io/metadata.name": namespace, "a": "b"}


async def test_the_system_namespaces_exist_from_the_start(admin: AsgiClient) -> None:
    """default, kube-system, kube-public and kube-node-lease are bootstrapped."""
    names = [n["metadata"]["name"] for n in (await admin.get("/api/v1/namespaces")).json()["items"]]
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= set(names)


async def test_content_in_a_missing_namespace_is_404(admin: AsgiClient) -> None:
    """Creating into a namespace that does not exist names the namespace as not found."""
    reply = await admin.request("POST", "/api/v1/namespaces/ghost/configmaps", {"metadata": {"name": "c1"}})
    assert reply.status == 404
    assert reply.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": 'namespaces "ghost" not found', "reason": "NotFound", "code": 404,
                            "details": {"name": "ghost", "kind": "namespaces"}}


async def test_content_in_a_terminating_namespace_is_forbidden(admin: AsgiClient, namespace: str) -> None:
    """kube's 403 with the NamespaceTerminating cause."""
    await admin.request("DELETE", f"/api/v1/namespaces/{namespace}")
    reply = await admin.request("POST", f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases",
                                {"metadata": {"name": "l1"}})
    assert reply.status == 403
    assert reply.json() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Forbidden", "code": 403,
        "message": f'leases.coordination.k8s.io "l1" is forbidden: unable to create new content in namespace '
                   f"{namespace} because it is being terminated",
        "details": {"name": "l1", "group": "coordination.k8s.io", "kind": "leases", "causes": [
            {"reason": "NamespaceTerminating", "message": f"namespace {namespace} is being terminated",
             "field": "metadata.namespace"}]}}


async def test_existing_content_of_a_terminating_namespace_can_still_change(admin: AsgiClient,
                                                                          namespace: str) -> None:
    """Only creates are refused: updates and deletes go on (finalizers must be removable)."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    await admin.create(path, {"metadata": {"name": "c1"}})
    await admin.request("DELETE", f"/api/v1/namespaces/{namespace}")
    assert (await admin.patch(f"{path}/c1", {"data": {"k": "v"}})).status == 200
    assert (await admin.request("DELETE", f"{path}/c1")).status == 200


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
async def test_immortal_namespaces_may_not_be_deleted(admin: AsgiClient, name: str) -> None:
    """Even system:masters gets kube's 403, and the namespace stays Active."""
    reply = await admin.request("DELETE", f"/api/v1/namespaces/{name}")
    assert reply.status == 403
    assert reply.json()["message"] == f'namespaces "{name}" is forbidden: this namespace may not be deleted'
    assert (await admin.get(f"/api/v1/namespaces/{name}")).json()["status"]["phase"] == "Active"


async def test_kube_node_lease_is_not_immortal(admin: AsgiClient) -> None:
    """kube's plugin protects default, kube-system and kube-public only."""
    reply = await admin.request("DELETE", "/api/v1/namespaces/kube-node-lease")
    assert reply.status in (200, 202)


async def test_deleting_a_namespace_marks_it_terminating(admin: AsgiClient, namespace: str) -> None:
    """The kubernetes finalizer holds it: deletionTimestamp set, phase Terminating, still readable."""
    marked = await admin.request("DELETE", f"/api/v1/namespaces/{namespace}")
    assert marked.status in (200, 202)
    current = (await admin.get(f"/api/v1/namespaces/{namespace}")).json()
    assert current["metadata"]["deletionTimestamp"]
    assert current["status"]["phase"] == "Terminating"
    assert current["spec"]["finalizers"] == ["kubernetes"]


async def test_spec_finalizers_change_only_through_finalize(admin: AsgiClient, namespace: str) -> None:
    """An update of the namespace keeps spec.finalizers; a PUT to ``/finalize`` replaces them."""
    path = f"/api/v1/namespaces/{namespace}"
    current = (await admin.get(path)).json()
    kept = await admin.request("PUT", path, {**current, "spec": {"finalizers": []}})
    assert kept.json()["spec"]["finalizers"] == ["kubernetes"]
    finalized = await admin.request("PUT", f"{path}/finalize", {**kept.json(), "spec": {"finalizers": []}})
    assert finalized.status == 200
    assert finalized.json()["spec"].get("finalizers", []) == []


async def test_finalizing_a_terminating_namespace_removes_it(admin: AsgiClient, namespace: str) -> None:
    """Once the last spec finalizer is gone, a terminating namespace disappears."""
    path = f"/api/v1/namespaces/{namespace}"
    await admin.request("DELETE", path)
    current = (await admin.get(path)).json()
    reply = await admin.request("PUT", f"{path}/finalize", {**current, "spec": {"finalizers": []}})
    assert reply.status == 200
    assert (await admin.get(path)).status == 404


@pytest.mark.parametrize(("method", "suffix", "status"), [
    pytest.param("GET", "/finalize", 405, id="get-finalize"),
    pytest.param("PATCH", "/finalize", 405, id="patch-finalize"),
    pytest.param("DELETE", "/status", 405, id="delete-status"),
])
async def test_subresources_serve_only_their_verbs(admin: AsgiClient, namespace: str, method: str, suffix: str,
                                                   status: int) -> None:
    """``/finalize`` is update only; ``/status`` get, update and patch."""
    reply = await admin.request(method, f"/api/v1/namespaces/{namespace}{suffix}", {},
                                content_type="application/merge-patch+json")
    assert reply.status == status
