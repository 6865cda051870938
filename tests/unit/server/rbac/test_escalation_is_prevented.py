"""Nobody grants through RBAC what they do not hold: writing a Role needs its rules (or ``escalate``), writing a
binding needs the bound role's rules (or ``bind`` on it), with kube's refusal; ``system:masters`` is exempt."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.unit.server.rbac.server import RBAC, Server, binding, role, running, user

GRANT = ('is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC '
         'permissions not currently held:\n')
CM_ALL = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}
RBAC_WRITE = {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"],
              "verbs": ["create", "update", "get"]}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    """alice may write Roles and RoleBindings in namespace a and holds every verb on its configmaps."""
    async with running() as started:
        await started.admin.create("/api/v1/namespaces", {"metadata": {"name": "a"}})
        await started.write(f"{RBAC}/namespaces/a/roles", role("alice", [CM_ALL, RBAC_WRITE], "a"))
        await started.write(f"{RBAC}/namespaces/a/rolebindings",
                            binding("alice", "Role", "alice", [user("alice")], "a"))
        yield started


async def test_a_role_within_what_the_writer_holds_is_created(server: Server) -> None:
    reply = await server.client("alice").request("POST", f"{RBAC}/namespaces/a/roles", role("reader", [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}], "a"))
    assert reply.status == 201, reply.body


async def test_a_role_granting_more_is_refused_with_the_missing_rules(server: Server) -> None:
    reply = await server.client("alice").request("POST", f"{RBAC}/namespaces/a/roles", role("more", [
        {"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get", "list"]},
        {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["delete"]}], "a"))
    assert reply.status == 403
    assert reply.json()["reason"] == "Forbidden"
    assert reply.json()["message"] == (
        'roles.rbac.authorization.k8s.io "more" ' + GRANT
        + '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}\n'
        + '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["delete"]}')


async def test_an_update_that_adds_permissions_is_refused_too(server: Server) -> None:
    alice = server.client("alice")
    created = (await alice.request("POST", f"{RBAC}/namespaces/a/roles", role("grow", [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}], "a"))).json()
    created["rules"].append({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]})
    reply = await alice.request("PUT", f"{RBAC}/namespaces/a/roles/grow", created)
    assert reply.status == 403
    assert reply.json()["message"].endswith('{APIGroups:[""], Resources:["pods"], Verbs:["get"]}')


async def test_escalate_on_the_role_lifts_the_check(server: Server) -> None:
    await server.write(f"{RBAC}/namespaces/a/roles", role("escalator", [
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["escalate"]}], "a"))
    await server.write(f"{RBAC}/namespaces/a/rolebindings",
                       binding("alice-escalates", "Role", "escalator", [user("alice")], "a"))
    reply = await server.client("alice").request("POST", f"{RBAC}/namespaces/a/roles", role("secrets", [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}], "a"))
    assert reply.status == 201, reply.body


async def test_binding_a_role_beyond_the_writers_rights_is_refused(server: Server) -> None:
    reply = await server.client("alice").request(
        "POST", f"{RBAC}/namespaces/a/rolebindings", binding("bob-admin", "ClusterRole", "cluster-admin",
                                                             [user("bob")], "a"))
    assert reply.status == 403
    assert reply.json()["message"] == (
        'rolebindings.rbac.authorization.k8s.io "bob-admin" ' + GRANT
        + '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}')


async def test_binding_a_role_within_the_writers_rights_is_allowed(server: Server) -> None:
    await server.write(f"{RBAC}/namespaces/a/roles", role("cm-reader", [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}], "a"))
    reply = await server.client("alice").request(
        "POST", f"{RBAC}/namespaces/a/rolebindings", binding("bob-read", "Role", "cm-reader", [user("bob")], "a"))
    assert reply.status == 201, reply.body


async def test_binding_a_missing_role_is_refused(server: Server) -> None:
    reply = await server.client("alice").request(
        "POST", f"{RBAC}/namespaces/a/rolebindings", binding("x", "Role", "absent", [user("bob")], "a"))
    assert reply.json()["message"] == ('rolebindings.rbac.authorization.k8s.io "x" is forbidden: '
                                       'roles.rbac.authorization.k8s.io "absent" not found')


async def test_bind_on_the_role_lifts_the_check(server: Server) -> None:
    await server.write(f"{RBAC}/namespaces/a/roles", role("binder", [
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "resourceNames": ["admin"],
         "verbs": ["bind"]}], "a"))
    await server.write(f"{RBAC}/namespaces/a/rolebindings",
                       binding("alice-binds", "Role", "binder", [user("alice")], "a"))
    alice = server.client("alice")
    allowed = await alice.request("POST", f"{RBAC}/namespaces/a/rolebindings",
                                  binding("bob-admin", "ClusterRole", "admin", [user("bob")], "a"))
    assert allowed.status == 201, allowed.body
    refused = await alice.request("POST", f"{RBAC}/namespaces/a/rolebindings",
                                  binding("bob-edit", "ClusterRole", "cluster-admin", [user("bob")], "a"))
    assert refused.status == 403


async def test_masters_may_grant_anything(server: Server) -> None:
    reply = await server.admin.request("POST", f"{RBAC}/clusterrolebindings",
                                       binding("bob-admin", "ClusterRole", "cluster-admin", [user("bob")]))
    assert reply.status == 201, reply.body


async def test_the_aggregation_rule_needs_full_authority(server: Server) -> None:
    await server.write(f"{RBAC}/clusterroles", role("cr-writer", [
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["create"]}]))
    await server.write(f"{RBAC}/clusterrolebindings", binding("alice-cr", "ClusterRole", "cr-writer", [user("alice")]))
    aggregating = role("gather", [])
    aggregating["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}
    reply = await server.client("alice").request("POST", f"{RBAC}/clusterroles", aggregating)
    assert reply.json()["message"] == ('clusterroles.rbac.authorization.k8s.io "gather" is forbidden: must have '
                                       'cluster-admin privileges to use the aggregationRule')


async def test_an_update_of_what_garbage_collection_needs_alone_is_not_checked(server: Server) -> None:
    """As kube: finalizers and ownerReferences may change on a role granting more than the writer holds;
    anything else may not."""
    created = await server.write(f"{RBAC}/namespaces/a/roles", role("secrets", [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}], "a"))
    alice = server.client("alice")
    created["metadata"]["finalizers"] = ["example.com/keep"]
    kept = await alice.request("PUT", f"{RBAC}/namespaces/a/roles/secrets", created)
    assert kept.status == 200, kept.body
    relabelled = kept.json()
    relabelled["metadata"]["labels"] = {"team": "a"}
    refused = await alice.request("PUT", f"{RBAC}/namespaces/a/roles/secrets", relabelled)
    assert refused.status == 403
    assert refused.json()["message"].endswith('{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}')
