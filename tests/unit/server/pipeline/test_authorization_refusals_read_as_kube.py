"""Authorization: the chain asks each authorizer in turn and the first decisive answer wins; refusals are
worded exactly as kube-apiserver words them; the bootstrap rules let anonymous users read health and version and
authenticated users discovery and OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.errors import APIError
from gitplane.server import requestinfo
from gitplane.server.rbac.authorizer import RBACAuthorizer
from gitplane.server.rbac.index import PolicyIndex
from gitplane.server.request import Request, UserInfo
from gitplane.server.stages.authn import ANONYMOUS
from gitplane.server.stages.authz import (
    Attributes,
    Authorization,
    Authorizer,
    Decision,
    SystemMasters,
    forbidden_message,
)

BOB = UserInfo("bob", ("devs", "system:authenticated"))
ADMIN = UserInfo("root", ("system:masters", "system:authenticated"))


def attributes(method: str, path: str, user: UserInfo = BOB, query: dict[str, str] | None = None) -> Attributes:
    return Attributes(user, "root", requestinfo.parse(method, path, query or {}))


@pytest.mark.parametrize(("method", "path", "query", "message"), [
    pytest.param("GET", "/api/v1/namespaces/default/configmaps/c1", {},
                 'configmaps "c1" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in the '
                 'namespace "default"', id="get"),
    pytest.param("GET", "/api/v1/namespaces/default/configmaps", {},
                 'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the '
                 'namespace "default"', id="list"),
    pytest.param("GET", "/api/v1/namespaces/default/configmaps", {"watch": "1"},
                 'configmaps is forbidden: User "bob" cannot watch resource "configmaps" in API group "" in the '
                 'namespace "default"', id="watch"),
    pytest.param("GET", "/api/v1/namespaces", {},
                 'namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the '
                 'cluster scope', id="cluster-scope"),
    pytest.param("GET", "/apis/coordination.k8s.io/v1/leases", {},
                 'leases.coordination.k8s.io is forbidden: User "bob" cannot list resource "leases" in API group '
                 '"coordination.k8s.io" at the cluster scope', id="group-across-namespaces"),
    pytest.param("DELETE", "/apis/coordination.k8s.io/v1/namespaces/team/leases/l1", {},
                 'leases.coordination.k8s.io "l1" is forbidden: User "bob" cannot delete resource "leases" in API '
                 'group "coordination.k8s.io" in the namespace "team"', id="group-delete"),
    pytest.param("POST", "/api/v1/namespaces/team/serviceaccounts/sa/token", {},
                 'serviceaccounts "sa" is forbidden: User "bob" cannot create resource "serviceaccounts/token" in '
                 'API group "" in the namespace "team"', id="subresource"),
    pytest.param("PUT", "/api/v1/namespaces/team/finalize", {},
                 'namespaces "team" is forbidden: User "bob" cannot update resource "namespaces/finalize" in API '
                 'group "" in the namespace "team"', id="namespace-finalize"),
    pytest.param("DELETE", "/api/v1/namespaces/team/configmaps", {},
                 'configmaps is forbidden: User "bob" cannot deletecollection resource "configmaps" in API group "" '
                 'in the namespace "team"', id="deletecollection"),
    pytest.param("GET", "/metrics", {}, 'forbidden: User "bob" cannot get path "/metrics"', id="non-resource"),
    pytest.param("POST", "/api", {}, 'forbidden: User "bob" cannot post path "/api"', id="non-resource-post"),
])
def test_refusals_are_worded_as_kube_words_them(method: str, path: str, query: dict[str, str],
                                                message: str) -> None:
    """Resource, subresource, group, name, scope and verb appear exactly where kube puts them."""
    assert forbidden_message(attributes(method, path, query=query)) == message


def test_a_reason_is_appended_after_a_colon() -> None:
    """An authorizer's reason follows the refusal, as kube appends it."""
    attrs = attributes("GET", "/api/v1/namespaces/default/configmaps/c1")
    assert forbidden_message(attrs, "RBAC: role not found").endswith(
        'in the namespace "default": RBAC: role not found')


class Fixed:
    """An authorizer with a fixed answer that records whether it was asked."""

    def __init__(self, decision: Decision, reason: str = "") -> None:
        self.decision = decision
        self.reason = reason
        self.asked = 0

    def authorize(self, attrs: Attributes) -> tuple[Decision, str]:
        self.asked += 1
        return self.decision, self.reason


def request_for(method: str, path: str, user: UserInfo) -> Request:
    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    req = Request({"type": "http", "method": method, "path": path, "headers": []}, receive)
    req.info = requestinfo.parse(method, path, {})
    req.user = user
    req.cluster = "root"
    return req


async def refusal(chain: list[Authorizer], method: str = "GET", path: str = "/api/v1/namespaces/default/configmaps/c1",
                  user: UserInfo = BOB) -> APIError | None:
    try:
        await Authorization(chain)(request_for(method, path, user))
    except APIError as exc:
        return exc
    return None


async def test_the_first_allow_wins_and_later_authorizers_are_not_asked() -> None:
    """An ALLOW ends the chain: a DENY after it is never consulted."""
    later = Fixed(Decision.DENY, "never")
    assert await refusal([Fixed(Decision.NO_OPINION), Fixed(Decision.ALLOW), later]) is None
    assert later.asked == 0


async def test_the_first_deny_wins_over_a_later_allow() -> None:
    """A DENY ends the chain with its reason, even though a later authorizer would allow."""
    later = Fixed(Decision.ALLOW)
    error = await refusal([Fixed(Decision.DENY, "denied by policy"), later])
    assert error is not None and later.asked == 0
    assert error.message.endswith(": denied by policy")


async def test_no_opinion_from_everyone_is_403_with_kube_details() -> None:
    """Without any decisive answer the request is refused with a Forbidden Status naming group, kind, name."""
    error = await refusal([Fixed(Decision.NO_OPINION), Fixed(Decision.NO_OPINION)],
                          path="/apis/coordination.k8s.io/v1/namespaces/team/leases/l1")
    assert error is not None
    assert error.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Forbidden", "code": 403,
        "message": 'leases.coordination.k8s.io "l1" is forbidden: User "bob" cannot get resource "leases" in API '
                   'group "coordination.k8s.io" in the namespace "team"',
        "details": {"name": "l1", "group": "coordination.k8s.io", "kind": "leases"},
    }


async def test_an_empty_chain_refuses_everything() -> None:
    """No authorizers means no permission."""
    assert await refusal([], user=ADMIN) is not None


async def test_reasons_of_every_undecided_authorizer_are_kept() -> None:
    """When nobody decides, the refusal carries each authorizer's reason, in chain order."""
    error = await refusal([Fixed(Decision.NO_OPINION, "first"), Fixed(Decision.NO_OPINION, "second")])
    assert error is not None and error.message.endswith(": first\nsecond")


async def test_system_masters_may_do_anything() -> None:
    """The superuser group is allowed resource and non-resource requests alike."""
    chain: list[Authorizer] = [SystemMasters(), RBACAuthorizer(PolicyIndex())]
    assert await refusal(chain, "DELETE", "/api/v1/namespaces/kube-system", ADMIN) is None
    assert await refusal(chain, "GET", "/metrics", ADMIN) is None


@pytest.mark.parametrize(("user", "method", "path", "allowed"), [
    pytest.param(ANONYMOUS, "GET", "/healthz", True, id="anonymous-healthz"),
    pytest.param(ANONYMOUS, "GET", "/livez", True, id="anonymous-livez"),
    pytest.param(ANONYMOUS, "GET", "/readyz", True, id="anonymous-readyz"),
    pytest.param(ANONYMOUS, "GET", "/version", True, id="anonymous-version"),
    pytest.param(ANONYMOUS, "GET", "/version/", True, id="anonymous-version-slash"),
    pytest.param(ANONYMOUS, "HEAD", "/version", True, id="anonymous-head"),
    pytest.param(ANONYMOUS, "GET", "/api", False, id="anonymous-discovery"),
    pytest.param(ANONYMOUS, "GET", "/openapi/v3", False, id="anonymous-openapi"),
    pytest.param(ANONYMOUS, "GET", "/api/v1/namespaces", False, id="anonymous-resource"),
    pytest.param(BOB, "GET", "/api", True, id="authenticated-core-discovery"),
    pytest.param(BOB, "GET", "/api/v1", True, id="authenticated-core-version"),
    pytest.param(BOB, "GET", "/apis", True, id="authenticated-groups"),
    pytest.param(BOB, "GET", "/apis/coordination.k8s.io/v1", True, id="authenticated-group-version"),
    pytest.param(BOB, "GET", "/openapi/v2", True, id="authenticated-openapi-v2"),
    pytest.param(BOB, "GET", "/openapi/v3/apis/coordination.k8s.io/v1", True, id="authenticated-openapi-v3"),
    pytest.param(BOB, "GET", "/healthz", True, id="authenticated-healthz"),
    pytest.param(BOB, "GET", "/apisx", False, id="lookalike-prefix"),
    pytest.param(BOB, "GET", "/metrics", False, id="authenticated-metrics"),
    pytest.param(BOB, "POST", "/api", False, id="authenticated-post-to-discovery"),
    pytest.param(BOB, "GET", "/api/v1/namespaces", False, id="authenticated-resource"),
])
async def test_bootstrap_rules_open_health_to_everyone_and_discovery_to_the_authenticated(
        user: UserInfo, method: str, path: str, allowed: bool) -> None:
    """kube's system:public-info-viewer and system:discovery roles, bound by the bootstrap policy (no RBAC objects
    written)."""
    error = await refusal([SystemMasters(), RBACAuthorizer(PolicyIndex())], method, path, user)
    assert (error is None) == allowed


@pytest.mark.parametrize("user", [pytest.param(ANONYMOUS, id="anonymous"), pytest.param(BOB, id="authenticated")])
async def test_individual_health_checks_are_not_public(user: UserInfo) -> None:
    """``/readyz/<check>`` may tell more than ``/readyz``, so kube's public roles leave it out."""
    assert await refusal([SystemMasters(), RBACAuthorizer(PolicyIndex())], "GET", "/readyz/shutdown", user) is not None
