"""Operation ids, tags, actions and descriptions follow kube's installer, so generated clients match."""

from __future__ import annotations

import pytest

from gitplane.api.builtin_types import BUILTIN_TYPES, EVENTS_V1, LEASES, NAMESPACES, RESOURCEQUOTAS
from gitplane.api.resources import ResourceType
from gitplane.server import openapi_paths

SERVICE_ACCOUNTS_WITH_TOKEN = ResourceType(
    group="", version="v1", plural="serviceaccounts", singular="serviceaccount", kind="ServiceAccount",
    namespaced=True, schema="io.k8s.api.core.v1.ServiceAccount", short_names=("sa",), subresources=("token",))


def by_id(t: ResourceType) -> dict[str, openapi_paths.Operation]:
    return {op.operation_id: op for op in openapi_paths.resource_operations(t)}


@pytest.mark.parametrize(("t", "operation_id", "method", "path", "action", "description"), [
    pytest.param(LEASES, "readCoordinationV1NamespacedLease", "get",
                 "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}", "get",
                 "read the specified Lease", id="read"),
    pytest.param(LEASES, "listCoordinationV1NamespacedLease", "get",
                 "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases", "list",
                 "list or watch objects of kind Lease", id="list"),
    pytest.param(LEASES, "listCoordinationV1LeaseForAllNamespaces", "get",
                 "/apis/coordination.k8s.io/v1/leases", "list", "list or watch objects of kind Lease",
                 id="list-all-namespaces"),
    pytest.param(LEASES, "createCoordinationV1NamespacedLease", "post",
                 "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases", "post", "create a Lease",
                 id="create"),
    pytest.param(LEASES, "replaceCoordinationV1NamespacedLease", "put",
                 "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}", "put",
                 "replace the specified Lease", id="replace"),
    pytest.param(LEASES, "deleteCoordinationV1CollectionNamespacedLease", "delete",
                 "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases", "deletecollection",
                 "delete collection of Lease", id="delete-collection"),
    pytest.param(EVENTS_V1, "deleteEventsV1NamespacedEvent", "delete",
                 "/apis/events.k8s.io/v1/namespaces/{namespace}/events/{name}", "delete", "delete an Event",
                 id="article-before-a-vowel"),
    pytest.param(NAMESPACES, "patchCoreV1Namespace", "patch", "/api/v1/namespaces/{name}", "patch",
                 "partially update the specified Namespace", id="cluster-scoped"),
    pytest.param(NAMESPACES, "readCoreV1NamespaceStatus", "get", "/api/v1/namespaces/{name}/status", "get",
                 "read status of the specified Namespace", id="status"),
    pytest.param(NAMESPACES, "replaceCoreV1NamespaceFinalize", "put", "/api/v1/namespaces/{name}/finalize",
                 "put", "replace finalize of the specified Namespace", id="finalize"),
    pytest.param(RESOURCEQUOTAS, "patchCoreV1NamespacedResourceQuotaStatus", "patch",
                 "/api/v1/namespaces/{namespace}/resourcequotas/{name}/status", "patch",
                 "partially update status of the specified ResourceQuota", id="namespaced-status"),
    pytest.param(SERVICE_ACCOUNTS_WITH_TOKEN, "createCoreV1NamespacedServiceAccountToken", "post",
                 "/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token", "post",
                 "create token of a ServiceAccount", id="subresource-of-another-kind"),
])
def test_operations_are_named_as_kube_names_them(t: ResourceType, operation_id: str, *, method: str,
                                                 path: str, action: str, description: str) -> None:
    """Operation id, method, path, action and description match kube-apiserver's."""
    op = by_id(t)[operation_id]
    assert (op.method, op.path, op.action, op.description) == (method, path, action, description)


def test_subresource_operations_are_about_their_own_kind() -> None:
    """The token subresource is about TokenRequest: its gvk, body, answer and name parameter say so."""
    op = by_id(SERVICE_ACCOUNTS_WITH_TOKEN)["createCoreV1NamespacedServiceAccountToken"]
    assert op.gvk == ("authentication.k8s.io", "v1", "TokenRequest")
    assert op.body == "io.k8s.api.authentication.v1.TokenRequest"
    assert op.responses[0].schema == "io.k8s.api.authentication.v1.TokenRequest"
    assert op.parameters[0].description == "name of the TokenRequest"


def test_operation_ids_are_unique_and_tagged_by_group_version() -> None:
    """No two operations share an id; tags are ``core_v1``, ``admissionregistration_v1``, ``apiextensions_v1``,
    ``authentication_v1``, ``authentication_v1beta1``, ``authorization_v1``, ``coordination_v1``, ``events_v1``,
    ``rbacAuthorization_v1``."""
    ops = [op for t in BUILTIN_TYPES for op in openapi_paths.resource_operations(t)]
    assert len({op.operation_id for op in ops}) == len(ops)
    assert {op.tag for op in ops} == {"core_v1", "admissionregistration_v1", "apiextensions_v1", "authentication_v1",
                                        "authentication_v1beta1", "authorization_v1", "coordination_v1",
                                        "events_v1", "rbacAuthorization_v1"}


def test_verbs_not_served_have_no_operation() -> None:
    """Namespaces have no deletecollection, so no collection DELETE is described."""
    assert not [op for op in openapi_paths.resource_operations(NAMESPACES) if op.action == "deletecollection"]


@pytest.mark.parametrize(("group", "version", "prefix", "tag"), [
    pytest.param("", "v1", "CoreV1", "core_v1", id="core"),
    pytest.param("rbac.authorization.k8s.io", "v1", "RbacAuthorizationV1", "rbacAuthorization_v1",
                 id="dotted"),
    pytest.param("apps", "v1beta2", "AppsV1beta2", "apps_v1beta2", id="beta"),
    pytest.param("stable.example.com", "v1", "StableExampleComV1", "stableExampleCom_v1", id="custom"),
])
def test_group_version_names_follow_to_valid_operation_id(group: str, version: str, prefix: str,
                                                          tag: str) -> None:
    """kube trims ``.k8s.io`` and camel-cases the rest of the group and the version."""
    names = openapi_paths.GroupVersionNames.of(group, version)
    assert (names.prefix, names.tag) == (prefix, tag)


def test_discovery_operation_reads_the_resource_list() -> None:
    """``GET /api/v1/`` is ``getCoreV1APIResources`` answering an APIResourceList."""
    op = openapi_paths.discovery_operation("", "v1")
    assert (op.path, op.operation_id) == ("/api/v1/", "getCoreV1APIResources")
    assert op.responses[0].schema == "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList"
