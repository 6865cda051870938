"""SelfSubjectRulesReview (kubectl auth can-i --list) on the assembled server: the RBAC rules that apply to the
caller in the namespace asked, resource and non-resource rules apart; cluster-admin's * rules for
system:masters; incomplete with kube's evaluationError when a binding's role is missing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gitplane.api.gosyntax import go_aggregate as aggregate
from gitplane.server.rbac.rules import Rule
from gitplane.server.reviews.rules import status_of
from tests.unit.server.rbac.server import RBAC, Server, binding, role, running, user

PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
BASIC = [{"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
          "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
         {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]},
         # kcp's root policy: every authenticated user may have a home workspace, read root's workspaces and
         # types, and create workspaces of the built-in types in root
         {"verbs": ["get", "create"], "apiGroups": ["tenancy.kcp.io"], "resources": ["workspaces"],
          "resourceNames": ["~"]},
         {"verbs": ["get", "list", "watch"], "apiGroups": ["tenancy.kcp.io"],
          "resources": ["workspaces", "workspacetypes"]},
         {"verbs": ["get", "list", "watch"], "apiGroups": ["core.kcp.io"], "resources": ["logicalclusters"]},
         {"verbs": ["use"], "apiGroups": ["tenancy.kcp.io"], "resources": ["workspacetypes"],
          "resourceNames": ["universal", "organization", "team"]}]


def review(namespace: str) -> dict[str, Any]:
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
            "spec": {"namespace": namespace}}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        await started.admin.create("/api/v1/namespaces", {"metadata": {"name": "a"}})
        await started.write(f"{RBAC}/namespaces/a/roles", role("one-cm", [
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["settings"]}],
            namespace="a"))
        await started.write(f"{RBAC}/namespaces/a/rolebindings",
                            binding("bob-one-cm", "Role", "one-cm", [user("bob")], namespace="a"))
        yield started


async def rules_of(server: Server, caller: str | None, namespace: str) -> dict[str, Any]:
    client = server.admin if caller is None else server.client(caller)
    reply = await client.request("POST", PATH, review(namespace))
    assert reply.status == 201, reply.body
    answer: dict[str, Any] = reply.json()
    assert (answer["kind"], answer["spec"]) == ("SelfSubjectRulesReview", {})
    return answer["status"]


async def test_a_users_rules_in_a_namespace_include_its_role_bindings(server: Server) -> None:
    status = await rules_of(server, "bob", "a")
    assert status["resourceRules"] == [  # kube's order: ClusterRoleBindings first, then RoleBindings
        *BASIC, {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["settings"]}]
    assert {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]} \
        in status["nonResourceRules"]
    assert status["incomplete"] is False and "evaluationError" not in status


async def test_another_namespace_has_only_the_cluster_wide_rules(server: Server) -> None:
    assert (await rules_of(server, "bob", "default"))["resourceRules"] == BASIC


async def test_system_masters_shows_cluster_admins_rules(server: Server) -> None:
    status = await rules_of(server, None, "a")
    assert status["resourceRules"][0] == {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}
    assert status["nonResourceRules"][0] == {"verbs": ["*"], "nonResourceURLs": ["*"]}


async def test_a_binding_to_a_missing_role_makes_the_answer_incomplete(server: Server) -> None:
    await server.write(f"{RBAC}/namespaces/a/rolebindings",
                       binding("dangling", "Role", "gone", [user("bob")], namespace="a"))
    status = await rules_of(server, "bob", "a")
    assert (status["incomplete"], status["evaluationError"]) == (
        True, 'role.rbac.authorization.k8s.io "gone" not found')


async def test_a_review_without_a_namespace_is_refused(server: Server) -> None:
    reply = await server.client("bob").request("POST", PATH, review(""))
    assert (reply.status, reply.json()["message"]) == (400, "no namespace on request")


def test_a_rule_with_resources_and_urls_is_listed_as_both() -> None:
    status = status_of([Rule(("get",), ("",), ("pods",), (), ("/x",))], ["e1", "e2", "e1"])
    assert status == {"resourceRules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}],
                      "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/x"]}], "incomplete": True,
                      "evaluationError": "[e1, e2]"}
    assert aggregate(["only"]) == "only"
