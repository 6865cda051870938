"""Impersonation (kubectl --as) on the assembled server: the real user needs verb impersonate on each thing it
asks to be (users, groups, serviceaccounts, uids, userextras), checked in the request's logical cluster; a
refusal reads as kube's; the request is then authorized and served as the impersonated user, who gets
system:authenticated (and a ServiceAccount its groups)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gitplane.api.errors import APIError
from gitplane.server import requestinfo
from gitplane.server.request import Request, UserInfo
from gitplane.server.stages.authn import Authenticator
from gitplane.server.stages.authz import Attributes, Authorization, Decision
from gitplane.server.stages.impersonation import (
    Impersonation,
    Wanted,
    impersonated_user,
    split_service_account,
    wanted_from,
)
from tests.unit.server.rbac.server import RBAC, Server, binding, group, role, running, user

WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
REVIEW = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        await started.admin.create("/api/v1/namespaces", {"metadata": {"name": "a"}})
        yield started


async def whoami(server: Server, caller: str | None, headers: dict[str, str]) -> tuple[int, Any]:
    client = server.admin if caller is None else server.client(caller)
    reply = await client.request("POST", WHOAMI, REVIEW, headers=headers)
    return reply.status, reply.json()


async def test_an_admin_is_served_as_the_user_it_impersonates(server: Server) -> None:
    """Groups as asked plus system:authenticated, the uid and the extras (keys percent-decoded, lower case)."""
    status, body = await whoami(server, None, {"Impersonate-User": "alice", "Impersonate-Uid": "u-1",
                                               "Impersonate-Extra-Scopes%2FRead": "view"})
    assert status == 201, body
    assert body["status"]["userInfo"] == {"username": "alice", "uid": "u-1", "groups": ["system:authenticated"],
                                          "extra": {"scopes/read": ["view"]}}


def test_repeated_group_headers_are_each_a_group() -> None:
    headers = [(b"impersonate-user", b"alice"), (b"impersonate-group", b"g1"), (b"impersonate-group", b"g2")]
    assert impersonated_user(wanted_from(headers)).groups == ("g1", "g2", "system:authenticated")


async def test_the_impersonated_user_is_authorized_with_its_own_rights(server: Server) -> None:
    """The admin as alice may not list ConfigMaps, in kube's words naming alice."""
    reply = await server.admin.get("/api/v1/namespaces/a/configmaps", headers={"Impersonate-User": "alice"})
    assert reply.status == 403
    assert reply.json()["message"] == ('configmaps is forbidden: User "alice" cannot list resource "configmaps" in '
                                       'API group "" in the namespace "a"')


async def test_a_user_without_the_impersonate_verb_is_refused_in_kubes_words(server: Server) -> None:
    reply = await server.client("bob").get("/api/v1/namespaces/a/configmaps", headers={"Impersonate-User": "alice"})
    assert reply.status == 403
    body = reply.json()
    assert body["message"] == ('users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API '
                               'group "" at the cluster scope')
    assert body["details"] == {"name": "alice", "kind": "users"}


@pytest.mark.parametrize(("headers", "message"), [
    pytest.param({"Impersonate-User": "carol"},
                 'users "carol" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the '
                 "cluster scope", id="another-user"),
    pytest.param({"Impersonate-User": "alice", "Impersonate-Group": "admins"},
                 'groups "admins" is forbidden: User "bob" cannot impersonate resource "groups" in API group "" at '
                 "the cluster scope", id="group"),
    pytest.param({"Impersonate-User": "alice", "Impersonate-Uid": "1234"},
                 'uids.authentication.k8s.io "1234" is forbidden: User "bob" cannot impersonate resource "uids" in '
                 'API group "authentication.k8s.io" at the cluster scope', id="uid"),
    pytest.param({"Impersonate-User": "alice", "Impersonate-Extra-Scopes": "admin"},
                 'userextras.authentication.k8s.io "admin" is forbidden: User "bob" cannot impersonate resource '
                 '"userextras/scopes" in API group "authentication.k8s.io" at the cluster scope', id="extra"),
    pytest.param({"Impersonate-User": "system:serviceaccount:a:robot"},
                 'serviceaccounts "robot" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in '
                 'API group "" in the namespace "a"', id="serviceaccount"),
])
async def test_each_thing_impersonated_needs_its_own_grant(server: Server, headers: dict[str, str],
                                                           message: str) -> None:
    """bob may impersonate user alice only (resourceNames restrict)."""
    await server.write(f"{RBAC}/clusterroles", role("as-alice", [
        {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"], "resourceNames": ["alice"]}]))
    await server.write(f"{RBAC}/clusterrolebindings", binding("bob-as-alice", "ClusterRole", "as-alice",
                                                              [user("bob")]))
    assert (await whoami(server, "bob", {"Impersonate-User": "alice"}))[0] == 201
    status, body = await whoami(server, "bob", headers)
    assert (status, body["message"]) == (403, message)


async def test_granted_impersonation_of_a_serviceaccount_gives_its_groups(server: Server) -> None:
    """A RoleBinding in the ServiceAccount's namespace grants it; without groups asked, the account's own."""
    await server.write(f"{RBAC}/namespaces/a/roles", role("as-robot", [
        {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]}], namespace="a"))
    await server.write(f"{RBAC}/namespaces/a/rolebindings", binding("bob-as-robot", "Role", "as-robot",
                                                                    [user("bob")], namespace="a"))
    status, body = await whoami(server, "bob", {"Impersonate-User": "system:serviceaccount:a:robot"})
    assert status == 201, body
    assert body["status"]["userInfo"] == {"username": "system:serviceaccount:a:robot", "groups": [
        "system:serviceaccounts", "system:serviceaccounts:a", "system:authenticated"]}


async def test_groups_without_a_user_are_refused_as_kube_refuses_them(server: Server) -> None:
    """kube's impersonation filter answers with its internal-error writer, naming the requests as Go prints
    them."""
    status, body = await whoami(server, None, {"Impersonate-Group": "devs", "Impersonate-Uid": "7"})
    assert status == 500
    assert body["message"] == ("requested [{Group  devs    } {UID  7  authentication.k8s.io/v1  }] without "
                               "impersonating a user")


class Recorder:
    """An authorizer that allows everything and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[Attributes] = []

    def authorize(self, attrs: Attributes) -> tuple[Decision, str]:
        self.asked.append(attrs)
        return Decision.ALLOW, ""


async def test_impersonation_is_checked_in_the_requests_logical_cluster() -> None:
    """The chain is asked about the real user, verb impersonate, in the cluster the request is for."""
    recorder = Recorder()
    request = _request((b"impersonate-user", b"alice"), (b"impersonate-group", b"g"))
    request.info = requestinfo.parse("GET", "/clusters/root:org-a/api/v1/namespaces/x/configmaps", {})
    request.user, request.cluster = UserInfo("bob", ("system:authenticated",)), "2x8d9k"
    await Impersonation(Authorization([recorder]))(request)
    assert [(a.user.name, a.cluster, a.info.verb, a.info.resource, a.info.name) for a in recorder.asked] == [
        ("bob", "2x8d9k", "impersonate", "users", "alice"), ("bob", "2x8d9k", "impersonate", "groups", "g")]
    assert request.require_user() == UserInfo("alice", ("g", "system:authenticated"))
    assert b"impersonate-user" not in request.headers


async def test_impersonating_anonymous_keeps_it_unauthenticated(server: Server) -> None:
    """system:anonymous gets system:unauthenticated, so the admin impersonating it has anonymous' rights: not
    even entering the root workspace."""
    assert impersonated_user([Wanted("User", "system:anonymous")]).groups == ("system:unauthenticated",)
    status, body = await whoami(server, None, {"Impersonate-User": "system:anonymous"})
    assert (status, body["message"]) == (403, 'forbidden: User "system:anonymous" cannot create path '
                                              '"/apis/authentication.k8s.io/v1/selfsubjectreviews": workspace access '
                                              "not permitted")


async def test_asked_system_groups_are_not_added_twice(server: Server) -> None:
    _, body = await whoami(server, None, {"Impersonate-User": "alice", "Impersonate-Group": "system:authenticated"})
    assert body["status"]["userInfo"]["groups"] == ["system:authenticated"]


async def test_a_group_binding_applies_to_an_impersonated_group(server: Server) -> None:
    await server.write(f"{RBAC}/namespaces/a/rolebindings", binding("devs-view", "ClusterRole", "view",
                                                                    [group("readers")], namespace="a"))
    reply = await server.admin.get("/api/v1/namespaces/a/configmaps",
                                   headers={"Impersonate-User": "zed", "Impersonate-Group": "readers"})
    assert reply.status == 200, reply.body


def test_requests_come_in_kubes_order() -> None:
    headers = [(b"impersonate-uid", b"9"), (b"impersonate-extra-a%2fb", b"x"), (b"impersonate-group", b"g"),
               (b"impersonate-user", b"system:serviceaccount:ns:sa"), (b"impersonate-extra-bad%zz", b"y")]
    assert wanted_from(headers) == [Wanted("ServiceAccount", "sa", "ns"), Wanted("Group", "g"),
                                    Wanted("UserExtra", "x", extra_key="a/b"),
                                    Wanted("UserExtra", "y", extra_key="bad%zz"), Wanted("UID", "9")]


@pytest.mark.parametrize(("name", "expected"), [
    ("system:serviceaccount:ns:sa", ("ns", "sa")),
    ("system:serviceaccount:ns:sa:extra", None),
    ("system:serviceaccount:NS:sa", None),
    ("system:serviceaccount::sa", None),
    ("alice", None),
])
def test_only_a_well_formed_serviceaccount_name_is_one(name: str, expected: tuple[str, str] | None) -> None:
    assert split_service_account(name) == expected


async def _no_body() -> dict[str, Any]:
    return {"type": "http.disconnect"}


def _request(*headers: tuple[bytes, bytes]) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/api", "headers": list(headers)}, _no_body)


async def test_an_unknown_token_is_401_before_impersonation_is_looked_at() -> None:
    """kube authenticates first: a bad token is Unauthorized whatever else the request asks."""
    with pytest.raises(APIError) as caught:
        await Authenticator({"t1": UserInfo("alice")})(
            _request((b"authorization", b"Bearer nope"), (b"impersonate-user", b"bob")))
    assert caught.value.code == 401


async def test_other_headers_that_start_alike_are_not_impersonation(server: Server) -> None:
    reply = await server.client("bob").request("POST", WHOAMI, REVIEW, headers={"Impersonate-Me": "alice"})
    assert reply.json()["status"]["userInfo"]["username"] == "bob"
