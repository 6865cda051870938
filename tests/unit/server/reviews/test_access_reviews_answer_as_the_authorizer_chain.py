"""SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview on the assembled server: answered by
the same authorizer chain as requests (system:masters and RBAC), with kube's reasons; malformed reviews are
refused in kube's words; bodies may be JSON, YAML or protobuf."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gitplane.api.protobuf import catalog
from tests.unit.server.rbac.server import RBAC, Server, binding, group, role, running, user

AUTHZ = "/apis/authorization.k8s.io/v1"


def review(kind: str, spec: dict[str, Any], **meta: str) -> dict[str, Any]:
    out: dict[str, Any] = {"apiVersion": "authorization.k8s.io/v1", "kind": kind, "spec": spec}
    if meta:
        out["metadata"] = meta
    return out


def can(verb: str, resource: str, namespace: str = "a", **more: str) -> dict[str, Any]:
    return {"resourceAttributes": {"verb": verb, "resource": resource, "namespace": namespace, **more}}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        for ns in ("a", "b"):
            await started.admin.create("/api/v1/namespaces", {"metadata": {"name": ns}})
        await started.write(f"{RBAC}/namespaces/a/roles", role("cm-reader", [
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}], namespace="a"))
        await started.write(f"{RBAC}/namespaces/a/rolebindings",
                            binding("devs-read", "Role", "cm-reader", [group("devs")], namespace="a"))
        yield started


async def ask(server: Server, caller: str | None, path: str, body: Any, **kwargs: Any) -> tuple[int, Any]:
    client = server.admin if caller is None else server.client(caller)
    reply = await client.request("POST", path, body, **kwargs)
    return reply.status, reply.json()


async def test_self_access_review_says_yes_as_rbac_allows_with_kubes_reason(server: Server) -> None:
    status, body = await ask(server, "alice", f"{AUTHZ}/selfsubjectaccessreviews",
                             review("SelfSubjectAccessReview", can("get", "configmaps")))
    assert status == 201
    assert body["status"] == {"allowed": True, "reason": 'RBAC: allowed by RoleBinding "devs-read/a" of Role '
                                                         '"cm-reader" to Group "devs"'}
    assert body["spec"] == can("get", "configmaps") and body["metadata"] == {"creationTimestamp": None}


@pytest.mark.parametrize("spec", [can("delete", "configmaps"), can("get", "configmaps", namespace="b"),
                                  can("get", "secrets"), {"nonResourceAttributes": {"path": "/metrics",
                                                                                    "verb": "get"}}])
async def test_self_access_review_says_no_where_nothing_allows(server: Server, spec: dict[str, Any]) -> None:
    status, body = await ask(server, "alice", f"{AUTHZ}/selfsubjectaccessreviews",
                             review("SelfSubjectAccessReview", spec))
    assert (status, body["status"]) == (201, {"allowed": False})


async def test_system_masters_may_do_anything_with_no_rbac_reason(server: Server) -> None:
    status, body = await ask(server, None, f"{AUTHZ}/selfsubjectaccessreviews",
                             review("SelfSubjectAccessReview", can("escalate", "clusterroles", namespace="")))
    assert (status, body["status"]) == (201, {"allowed": True})


async def test_non_resource_urls_are_reviewed_against_the_bootstrap_policy(server: Server) -> None:
    status, body = await ask(server, "bob", f"{AUTHZ}/selfsubjectaccessreviews", review(
        "SelfSubjectAccessReview", {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}}))
    assert status == 201
    assert body["status"] == {"allowed": True, "reason": 'RBAC: allowed by ClusterRoleBinding "system:discovery" '
                                                         'of ClusterRole "system:discovery" to Group '
                                                         '"system:authenticated"'}


async def test_a_binding_whose_role_is_missing_is_the_reason(server: Server) -> None:
    await server.write(f"{RBAC}/clusterrolebindings", binding("dangling", "ClusterRole", "missing", [user("bob")]))
    _, body = await ask(server, "bob", f"{AUTHZ}/selfsubjectaccessreviews",
                        review("SelfSubjectAccessReview", can("get", "configmaps")))
    assert body["status"] == {"allowed": False,
                              "reason": 'RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found'}


async def test_subject_access_review_asks_about_the_subject_as_given(server: Server) -> None:
    """No system:authenticated is added: a user named alone gets nothing from system:basic-user."""
    path = f"{AUTHZ}/subjectaccessreviews"
    allowed = {**can("list", "configmaps"), "user": "zed", "groups": ["devs"]}
    status, body = await ask(server, None, path, review("SubjectAccessReview", allowed))
    assert (status, body["status"]["allowed"]) == (201, True)
    self_review = {"resourceAttributes": {"verb": "create", "resource": "selfsubjectaccessreviews",
                                          "group": "authorization.k8s.io"}, "user": "zed"}
    _, body = await ask(server, None, path, review("SubjectAccessReview", self_review))
    assert body["status"] == {"allowed": False}
    self_review["groups"] = ["system:authenticated"]
    _, body = await ask(server, None, path, review("SubjectAccessReview", self_review))
    assert body["status"]["allowed"] is True


async def test_subject_access_review_needs_create_on_it(server: Server) -> None:
    status, body = await ask(server, "alice", f"{AUTHZ}/subjectaccessreviews",
                             review("SubjectAccessReview", {**can("get", "configmaps"), "user": "bob"}))
    assert status == 403
    assert body["message"] == ('subjectaccessreviews.authorization.k8s.io is forbidden: User "alice" cannot create '
                               'resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster '
                               'scope')


async def test_local_subject_access_review_is_the_namespaced_form(server: Server) -> None:
    status, body = await ask(server, None, f"{AUTHZ}/namespaces/a/localsubjectaccessreviews",
                             review("LocalSubjectAccessReview", {**can("get", "configmaps"), "user": "alice",
                                                                 "groups": ["devs"]}))
    assert (status, body["status"]["allowed"], body["metadata"]["namespace"]) == (201, True, "a")


@pytest.mark.parametrize(("path", "body", "code", "message"), [
    pytest.param(f"{AUTHZ}/namespaces/a/localsubjectaccessreviews",
                 review("LocalSubjectAccessReview", {**can("get", "configmaps", namespace="b"), "user": "alice"}),
                 422, 'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: '
                      'spec.resourceAttributes.namespace: Invalid value: "b": must match metadata.namespace',
                 id="local-namespace-mismatch"),
    pytest.param(f"{AUTHZ}/namespaces/a/localsubjectaccessreviews",
                 review("LocalSubjectAccessReview", {**can("get", "configmaps"), "user": "alice"}, namespace="b"),
                 400, "the namespace of the provided object does not match the namespace sent on the request",
                 id="local-metadata-namespace"),
    pytest.param(f"{AUTHZ}/namespaces/a/localsubjectaccessreviews",
                 review("LocalSubjectAccessReview", {"nonResourceAttributes": {"path": "/x", "verb": "get"},
                                                     "user": "alice"}),
                 422, 'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: '
                      'Invalid value: "object": disallowed on this kind of request', id="local-non-resource"),
    pytest.param(f"{AUTHZ}/subjectaccessreviews", review("SubjectAccessReview", can("get", "configmaps")),
                 422, 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at '
                      "least one of user or group must be specified", id="no-subject"),
    pytest.param(f"{AUTHZ}/selfsubjectaccessreviews", review("SelfSubjectAccessReview", {}),
                 422, 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid '
                      "value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified",
                 id="no-attributes"),
    pytest.param(f"{AUTHZ}/selfsubjectaccessreviews",
                 review("SelfSubjectAccessReview", {**can("get", "configmaps"),
                                                    "nonResourceAttributes": {"path": "/x", "verb": "get"}}),
                 422, 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: '
                      'Invalid value: "object": cannot be specified in combination with resourceAttributes',
                 id="both-attributes"),
    pytest.param(f"{AUTHZ}/selfsubjectaccessreviews",
                 review("SelfSubjectAccessReview", can("get", "configmaps"), name="x"),
                 422, 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: metadata: Invalid value: '
                      '"object": must be empty', id="named"),
    pytest.param(f"{AUTHZ}/selfsubjectaccessreviews", {**review("SubjectAccessReview", can("get", "configmaps"))},
                 400, 'SubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: the kind '
                      'in the data ("SubjectAccessReview") is not the kind of resource selfsubjectaccessreviews '
                      '("SelfSubjectAccessReview")', id="wrong-kind"),
])
async def test_malformed_reviews_are_refused_in_kubes_words(server: Server, path: str, body: dict[str, Any],
                                                           code: int, message: str) -> None:
    status, answer = await ask(server, None, path, body)
    assert (status, answer["message"]) == (code, message)


async def test_reviews_are_create_only(server: Server) -> None:
    assert (await server.admin.get(f"{AUTHZ}/selfsubjectaccessreviews")).status == 405
    assert (await server.admin.request("DELETE", f"{AUTHZ}/subjectaccessreviews/x")).status == 405


async def test_a_dry_run_gets_the_same_answer_and_a_bad_one_is_refused(server: Server) -> None:
    path = f"{AUTHZ}/selfsubjectaccessreviews"
    body = review("SelfSubjectAccessReview", can("get", "configmaps"))
    status, answer = await ask(server, "alice", path + "?dryRun=All", body)
    assert (status, answer["status"]["allowed"]) == (201, True)
    status, _ = await ask(server, "alice", path + "?dryRun=Maybe", body)
    assert status == 422  # kube: CreateOptions "" is invalid: dryRun: Unsupported value


async def test_a_yaml_body_is_read(server: Server) -> None:
    body = ("apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec:\n  resourceAttributes:\n"
            "    verb: list\n    resource: configmaps\n    namespace: a\n")
    status, answer = await ask(server, "alice", f"{AUTHZ}/selfsubjectaccessreviews", body,
                               content_type="application/yaml")
    assert (status, answer["status"]["allowed"]) == (201, True)


async def test_a_protobuf_body_is_read(server: Server) -> None:
    """As kubectl 1.33 sends it."""
    types = catalog.load()
    cls = types.message_class("k8s.io.api.authorization.v1.SelfSubjectAccessReview")
    message = cls()
    attrs = message.spec.resourceAttributes
    attrs.verb, attrs.resource, attrs.namespace = "get", "configmaps", "a"
    unknown = types.message_class("k8s.io.apimachinery.pkg.runtime.Unknown")()
    unknown.typeMeta.apiVersion, unknown.typeMeta.kind = "authorization.k8s.io/v1", "SelfSubjectAccessReview"
    unknown.raw = message.SerializeToString()
    body = b"k8s\x00" + unknown.SerializeToString()
    status, answer = await ask(server, "alice", f"{AUTHZ}/selfsubjectaccessreviews", body,
                               content_type="application/vnd.kubernetes.protobuf")
    assert (status, answer["status"]["allowed"]) == (201, True), answer


async def test_the_reason_names_a_service_account_subject_as_kube_does(server: Server) -> None:
    """kube's describeSubject: ``ServiceAccount "name/namespace"``; a ClusterRole bound in a namespace."""
    account = {"kind": "ServiceAccount", "name": "robot", "namespace": "a"}
    await server.write(f"{RBAC}/namespaces/a/rolebindings",
                       binding("robot-view", "ClusterRole", "view", [account], namespace="a"))
    spec = {**can("list", "configmaps"), "user": "system:serviceaccount:a:robot"}
    _, body = await ask(server, None, f"{AUTHZ}/subjectaccessreviews", review("SubjectAccessReview", spec))
    assert body["status"] == {"allowed": True, "reason": 'RBAC: allowed by RoleBinding "robot-view/a" of '
                                                         'ClusterRole "view" to ServiceAccount "robot/a"'}
