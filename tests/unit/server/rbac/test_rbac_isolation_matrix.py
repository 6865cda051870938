"""RBAC on the assembled server, users by verbs by namespaces: nobody bound may do nothing; a RoleBinding grants
in its namespace only; a ClusterRoleBinding everywhere; resourceNames, subresources and non-resource URLs
restrict as kube's rules do; ServiceAccounts match by name and by group; refusals read as kube's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.unit.server.asgi_client import AsgiClient
from tests.unit.server.rbac.server import RBAC, Server, binding, group, role, running, user

VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
NAMESPACES = ("a", "b")


def configmap(name: str, namespace: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
            "data": {"k": "v"}}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        for ns in NAMESPACES:
            await started.admin.create("/api/v1/namespaces", {"metadata": {"name": ns}})
            for name in ("c", "other", "gone"):
                await started.admin.create(f"/api/v1/namespaces/{ns}/configmaps", configmap(name, ns))
        yield started


async def attempt(client: AsgiClient, verb: str, namespace: str) -> int:
    """The status of ``verb`` on configmaps in ``namespace`` (each verb aims at an object of its own, so an
    allowed delete does not change what a later verb finds)."""
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    if verb == "get":
        return (await client.get(f"{base}/c")).status
    if verb == "list":
        return (await client.get(base)).status
    if verb == "watch":
        async with client.watch(f"{base}?watch=true") as stream:
            return stream.status
    if verb == "create":
        return (await client.request("POST", base, configmap(f"new-{client._token}", namespace))).status
    if verb == "update":
        current = (await client.get(f"{base}/c")).json()
        if current.get("kind") != "ConfigMap":  # not readable: send an update without resourceVersion
            current = configmap("c", namespace)
        return (await client.request("PUT", f"{base}/c", {**current, "data": {"k": "updated"}})).status
    if verb == "patch":
        return (await client.patch(f"{base}/c", {"data": {"p": "1"}})).status
    if verb == "delete":
        return (await client.request("DELETE", f"{base}/gone")).status
    return (await client.request("DELETE", f"{base}?labelSelector=nothing%3Dhere")).status


ALLOWED = {"get": 200, "list": 200, "watch": 200, "create": 201, "update": 200, "patch": 200, "delete": 200,
           "deletecollection": 200}


@pytest.mark.parametrize("verb", VERBS)
async def test_without_a_binding_every_verb_is_forbidden_everywhere(server: Server, verb: str) -> None:
    for ns in NAMESPACES:
        assert await attempt(server.client("alice"), verb, ns) == 403, (verb, ns)
        assert await attempt(server.client(None), verb, ns) in (401, 403), (verb, ns)


async def test_the_refusal_reads_as_kube(server: Server) -> None:
    reply = await server.client("alice").get("/api/v1/namespaces/a/configmaps/c")
    assert reply.json()["message"] == ('configmaps "c" is forbidden: User "alice" cannot get resource "configmaps" '
                                       'in API group "" in the namespace "a"')


async def test_a_binding_to_a_missing_role_gives_rbacs_reason(server: Server) -> None:
    await server.write(f"{RBAC}/namespaces/a/rolebindings",
                       binding("dangling", "Role", "nowhere", [user("alice")], "a"))
    reply = await server.client("alice").get("/api/v1/namespaces/a/configmaps/c")
    assert reply.json()["message"] == ('configmaps "c" is forbidden: User "alice" cannot get resource "configmaps" '
                                       'in API group "" in the namespace "a": RBAC: role.rbac.authorization.k8s.io '
                                       '"nowhere" not found')


@pytest.mark.parametrize("verb", VERBS)
async def test_a_rolebinding_grants_in_its_namespace_and_nowhere_else(server: Server, verb: str) -> None:
    await server.write(f"{RBAC}/namespaces/a/roles",
                       role("cm", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}], "a"))
    await server.write(f"{RBAC}/namespaces/a/rolebindings", binding("alice-cm", "Role", "cm", [user("alice")], "a"))
    alice = server.client("alice")
    assert await attempt(alice, verb, "a") == ALLOWED[verb]
    assert await attempt(alice, verb, "b") == 403
    assert await attempt(server.client("bob"), verb, "a") == 403
    assert (await alice.get("/api/v1/configmaps")).status == 403  # across namespaces is cluster scope


async def test_a_rolebinding_may_grant_a_clusterrole_in_its_namespace_only(server: Server) -> None:
    await server.write(f"{RBAC}/clusterroles",
                       role("cm-reader", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]))
    await server.write(f"{RBAC}/namespaces/b/rolebindings",
                       binding("devs-read", "ClusterRole", "cm-reader", [group("devs")], "b"))
    alice = server.client("alice")
    assert (await alice.get("/api/v1/namespaces/b/configmaps/c")).status == 200
    assert (await alice.get("/api/v1/namespaces/a/configmaps/c")).status == 403


@pytest.mark.parametrize("verb", VERBS)
async def test_a_clusterrolebinding_grants_in_every_namespace(server: Server, verb: str) -> None:
    await server.write(f"{RBAC}/clusterroles",
                       role("cm-all", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}]))
    await server.write(f"{RBAC}/clusterrolebindings", binding("bob-cm", "ClusterRole", "cm-all", [user("bob")]))
    bob = server.client("bob")
    for ns in NAMESPACES:
        assert await attempt(bob, verb, ns) == ALLOWED[verb], (verb, ns)
    assert (await bob.get("/api/v1/configmaps")).status == 200
    assert (await bob.get("/api/v1/namespaces/a/secrets")).status == 403
    assert await attempt(server.client("alice"), verb, "a") == 403


async def test_resource_names_restrict_to_the_named_objects(server: Server) -> None:
    await server.write(f"{RBAC}/namespaces/a/roles", role("one", [
        {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["c"], "verbs": ["get", "list"]}], "a"))
    await server.write(f"{RBAC}/namespaces/a/rolebindings", binding("carol-one", "Role", "one", [user("carol")], "a"))
    carol = server.client("carol")
    assert (await carol.get("/api/v1/namespaces/a/configmaps/c")).status == 200
    assert (await carol.get("/api/v1/namespaces/a/configmaps/other")).status == 403
    assert (await carol.get("/api/v1/namespaces/a/configmaps")).status == 403  # a list names no object


async def test_subresources_are_granted_apart_from_their_resource(server: Server) -> None:
    await server.admin.create("/api/v1/namespaces/a/resourcequotas", {
        "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "1"}}})
    await server.write(f"{RBAC}/namespaces/a/roles", role("status-reader", [
        {"apiGroups": [""], "resources": ["*/status"], "verbs": ["get"]}], "a"))
    await server.write(f"{RBAC}/namespaces/a/rolebindings",
                       binding("carol-status", "Role", "status-reader", [user("carol")], "a"))
    carol = server.client("carol")
    assert (await carol.get("/api/v1/namespaces/a/resourcequotas/q/status")).status == 200
    assert (await carol.get("/api/v1/namespaces/a/resourcequotas/q")).status == 403


async def test_non_resource_urls_are_granted_by_clusterroles(server: Server) -> None:
    await server.write(f"{RBAC}/clusterroles", role("metrics", [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]))
    await server.write(f"{RBAC}/clusterrolebindings", binding("dave-metrics", "ClusterRole", "metrics", [user("dave")]))
    assert (await server.client("dave").get("/metrics")).status == 200
    refused = await server.client("alice").get("/metrics")
    assert refused.json()["message"] == 'forbidden: User "alice" cannot get path "/metrics"'
    assert (await server.client(None).get("/healthz")).status == 200  # system:public-info-viewer
    assert (await server.client(None).get("/api")).status == 403
    assert (await server.client("alice").get("/api")).status == 200  # system:discovery


async def test_serviceaccounts_match_by_name_and_by_group(server: Server) -> None:
    await server.write(f"{RBAC}/namespaces/a/roles",
                       role("cm", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}], "a"))
    await server.write(f"{RBAC}/namespaces/b/roles",
                       role("cm", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}], "b"))
    robot = server.client("robot")
    assert (await robot.get("/api/v1/namespaces/a/configmaps/c")).status == 403
    # the subject's namespace defaults to the binding's
    await server.write(f"{RBAC}/namespaces/a/rolebindings",
                       binding("robot", "Role", "cm", [{"kind": "ServiceAccount", "name": "robot"}], "a"))
    assert (await robot.get("/api/v1/namespaces/a/configmaps/c")).status == 200
    assert (await robot.get("/api/v1/namespaces/b/configmaps/c")).status == 403
    await server.write(f"{RBAC}/namespaces/b/rolebindings",
                       binding("sas-of-a", "Role", "cm", [group("system:serviceaccounts:a")], "b"))
    assert (await robot.get("/api/v1/namespaces/b/configmaps/c")).status == 200


async def test_a_deleted_binding_stops_granting(server: Server) -> None:
    await server.write(f"{RBAC}/clusterroles",
                       role("cm-reader", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]))
    await server.write(f"{RBAC}/clusterrolebindings", binding("bob", "ClusterRole", "cm-reader", [user("bob")]))
    bob = server.client("bob")
    assert (await bob.get("/api/v1/namespaces/a/configmaps/c")).status == 200
    deleted = await server.admin.request("DELETE", f"{RBAC}/clusterrolebindings/bob")
    assert deleted.status == 200
    await server.fence()
    assert (await bob.get("/api/v1/namespaces/a/configmaps/c")).status == 403


async def test_a_list_or_watch_pinned_to_a_name_is_authorized_as_that_name(server: Server) -> None:
    """kube authorizes ``fieldSelector=metadata.name=<n>`` as a request for ``<n>`` (``kubectl get cm c -w``)."""
    await server.write(f"{RBAC}/namespaces/a/roles", role("one", [
        {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["c"], "verbs": ["list", "watch"]}], "a"))
    await server.write(f"{RBAC}/namespaces/a/rolebindings", binding("carol-one", "Role", "one", [user("carol")], "a"))
    carol = server.client("carol")
    base = "/api/v1/namespaces/a/configmaps"
    listed = await carol.get(f"{base}?fieldSelector=metadata.name%3Dc")
    assert listed.status == 200
    assert [item["metadata"]["name"] for item in listed.json()["items"]] == ["c"]
    async with carol.watch(f"{base}?watch=true&fieldSelector=metadata.name%3Dc") as stream:
        assert stream.status == 200
    refused = await carol.get(f"{base}?fieldSelector=metadata.name%3Dother")
    assert refused.json()["message"] == ('configmaps "other" is forbidden: User "carol" cannot list resource '
                                         '"configmaps" in API group "" in the namespace "a"')
    assert (await carol.get(base)).status == 403
