"""Roles, ClusterRoles and bindings are validated as kube validates them, with kube's field paths and
messages; bindings get kube's v1 defaults (roleRef and subject apiGroups); roleRef is immutable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.unit.server.rbac.server import RBAC, Server, binding, role, running, user

ROLES = f"{RBAC}/namespaces/default/roles"
ROLEBINDINGS = f"{RBAC}/namespaces/default/rolebindings"


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running(controllers=("rbac-index",)) as started:
        yield started


def causes(message: str) -> str:
    """The message from the quoted name on, once its kind is seen qualified with the group as kube words it
    (``Role.rbac.authorization.k8s.io "r" is invalid``)."""
    kind = message[:message.index('"')]
    assert kind.endswith(".rbac.authorization.k8s.io "), message
    return message[message.index('"'):]


async def refusal(server: Server, path: str, obj: dict[str, Any]) -> str:
    reply = await server.admin.request("POST", path, obj)
    assert reply.status == 422, reply.body
    return causes(reply.json()["message"])


async def test_rules_need_verbs_groups_and_resources(server: Server) -> None:
    message = await refusal(server, ROLES, role("r", [{"resources": ["pods"]}], "default"))
    assert message == ('"r" is invalid: [rules[0].verbs: Required value: verbs must '
                       'contain at least one value, rules[0].apiGroups: Required value: resource rules must supply '
                       'at least one api group]')


async def test_non_resource_urls_belong_to_clusterroles_alone(server: Server) -> None:
    message = await refusal(server, ROLES, role("r", [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}],
                                                "default"))
    assert message == ('"r" is invalid: rules[0].nonResourceURLs: Invalid value: '
                       '[]string{"/metrics"}: namespaced rules cannot apply to non-resource URLs')
    message = await refusal(server, f"{RBAC}/clusterroles", role("c", [
        {"nonResourceURLs": ["/metrics"], "resources": ["pods"], "verbs": ["get"]}]))
    assert message == ('"c" is invalid: rules[0].nonResourceURLs: Invalid '
                       'value: []string{"/metrics"}: rules cannot apply to both regular resources and non-resource '
                       'URLs')


async def test_an_aggregation_rule_needs_a_selector(server: Server) -> None:
    aggregating = role("c", [])
    aggregating["aggregationRule"] = {"clusterRoleSelectors": []}
    message = await refusal(server, f"{RBAC}/clusterroles", aggregating)
    assert message == ('"c" is invalid: aggregationRule.clusterRoleSelectors: '
                       'Required value: at least one clusterRoleSelector required if aggregationRule is non-nil')


async def test_role_refs_and_subjects_are_checked(server: Server) -> None:
    bad = binding("b", "Secret", "r", [{"kind": "Robot", "name": "x"}, {"kind": "ServiceAccount", "name": "",
                                                                       "apiGroup": "v1"}], "default")
    bad["roleRef"]["apiGroup"] = "example.com"
    message = await refusal(server, ROLEBINDINGS, bad)
    assert message == (
        '"b" is invalid: [roleRef.apiGroup: Unsupported value: "example.com": '
        'supported values: "rbac.authorization.k8s.io", roleRef.kind: Unsupported value: "Secret": supported values: '
        '"Role", "ClusterRole", subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", '
        '"User", "Group", subjects[1].name: Required value, subjects[1].apiGroup: Unsupported value: "v1": '
        'supported values: ""]')
    message = await refusal(server, f"{RBAC}/clusterrolebindings",
                            binding("c", "ClusterRole", "view", [{"kind": "ServiceAccount", "name": "robot"}]))
    assert message == ('"c" is invalid: subjects[0].namespace: '
                       'Required value')


async def test_bindings_get_kubes_defaults(server: Server) -> None:
    obj = binding("d", "ClusterRole", "view", [{"kind": "User", "name": "alice"},
                                               {"kind": "ServiceAccount", "name": "robot"}], "default")
    del obj["roleRef"]["apiGroup"]
    created = await server.admin.create(ROLEBINDINGS, obj)
    assert created["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
    assert [s.get("apiGroup") for s in created["subjects"]] == ["rbac.authorization.k8s.io", ""]


async def test_role_ref_cannot_change(server: Server) -> None:
    created = await server.admin.create(ROLEBINDINGS, binding("e", "ClusterRole", "view", [user("alice")], "default"))
    created["roleRef"]["name"] = "edit"
    reply = await server.admin.request("PUT", f"{ROLEBINDINGS}/e", created)
    assert reply.status == 422
    assert causes(reply.json()["message"]) == (
        '"e" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:'
        '"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef')


async def test_bindings_print_their_role_and_subjects_as_kube(server: Server) -> None:
    await server.admin.create(ROLEBINDINGS, binding("p", "ClusterRole", "view", [
        user("alice"), {"kind": "Group", "name": "devs"}, {"kind": "ServiceAccount", "name": "robot",
                                                           "namespace": "default"}], "default"))
    reply = await server.admin.get(f"{ROLEBINDINGS}", headers={
        "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    table = reply.json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Role", "Age", "Users", "Groups",
                                                                 "ServiceAccounts"]
    assert [c["priority"] for c in table["columnDefinitions"]] == [0, 0, 0, 1, 1, 1]
    cells = table["rows"][0]["cells"]
    assert (cells[0], cells[1], cells[3:]) == ("p", "ClusterRole/view", ["alice", "devs", "default/robot"])
    roles = (await server.admin.get(f"{RBAC}/clusterroles", headers={
        "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})).json()
    assert [c["name"] for c in roles["columnDefinitions"]] == ["Name", "Created At"]
