"""Discovery documents (aggregated and legacy) have kube's shapes, orders, verbs, short names and hashes."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from gitplane.api.builtin_types import BUILTIN_TYPES, LEASES
from gitplane.api.resources import ResourceType
from gitplane.server import discovery

DOCS = discovery.discovery_for(BUILTIN_TYPES)


def load(document: bytes | None) -> Any:
    assert document is not None
    return orjson.loads(document)


def resource(items: list[dict[str, Any]], group: str, name: str) -> dict[str, Any]:
    [found] = [r for g in items if g["metadata"]["name"] == group
               for v in g["versions"] for r in v["resources"] if r["resource"] == name]
    return found


def test_aggregated_core_discovery_is_one_unnamed_group() -> None:
    """``/api`` answers one item for the core group, its name empty, version v1 current."""
    doc = load(DOCS.aggregated(core=True))
    assert (doc["kind"], doc["apiVersion"], doc["metadata"]) == ("APIGroupDiscoveryList",
                                                                 "apidiscovery.k8s.io/v2", {})
    [core] = doc["items"]
    assert core["metadata"] == {"name": ""}
    assert [(v["version"], v["freshness"]) for v in core["versions"]] == [("v1", "Current")]


def test_aggregated_resource_entries_have_kubes_fields() -> None:
    """Each resource names its response kind, scope, singular, sorted verbs and short names."""
    doc = load(DOCS.aggregated(core=True))
    assert resource(doc["items"], "", "configmaps") == {
        "resource": "configmaps", "responseKind": {"group": "", "version": "v1", "kind": "ConfigMap"},
        "scope": "Namespaced", "singularResource": "configmap",
        "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        "shortNames": ["cm"]}


def test_aggregated_subresources_carry_their_verbs_and_kind() -> None:
    """Namespaces list status (get, patch, update) and finalize (update), both answering with Namespace."""
    namespaces = resource(load(DOCS.aggregated(core=True))["items"], "", "namespaces")
    kind = {"group": "", "version": "v1", "kind": "Namespace"}
    assert namespaces["scope"] == "Cluster"
    assert namespaces["subresources"] == [
        {"subresource": "status", "responseKind": kind, "verbs": ["get", "patch", "update"]},
        {"subresource": "finalize", "responseKind": kind, "verbs": ["update"]}]
    assert "deletecollection" not in namespaces["verbs"]


def test_aggregated_named_groups_are_ordered_by_kube_priority() -> None:
    """``/apis`` lists events.k8s.io, authentication.k8s.io, authorization.k8s.io, rbac.authorization.k8s.io,
    admissionregistration.k8s.io, apiextensions.k8s.io, coordination.k8s.io in that order, as kube-aggregator's
    priorities do."""
    doc = load(DOCS.aggregated(core=False))
    assert [g["metadata"]["name"] for g in doc["items"]] == ["events.k8s.io", "authentication.k8s.io",
                                                             "authorization.k8s.io", "rbac.authorization.k8s.io",
                                                             "admissionregistration.k8s.io", "apiextensions.k8s.io",
                                                             "coordination.k8s.io"]
    lease = resource(doc["items"], "coordination.k8s.io", "leases")
    assert lease["responseKind"] == {"group": "coordination.k8s.io", "version": "v1", "kind": "Lease"}
    assert "shortNames" not in lease


def test_aggregated_v2beta1_differs_only_in_api_version() -> None:
    """kubectl 1.27 to 1.29 ask for v2beta1; the document is the same under that apiVersion."""
    v2, v2beta1 = load(DOCS.aggregated(core=False)), load(DOCS.aggregated(core=False, version="v2beta1"))
    assert v2beta1["apiVersion"] == "apidiscovery.k8s.io/v2beta1"
    assert {**v2beta1, "apiVersion": v2["apiVersion"]} == v2
    assert discovery.aggregated_media_type("v2") == (
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")


def test_legacy_api_versions_name_the_server_address() -> None:
    """``/api`` (legacy) is APIVersions with the given address for every client network."""
    assert load(DOCS.api_versions("10.0.0.1:6443")) == {
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.1:6443"}]}


def test_legacy_group_list_names_preferred_versions() -> None:
    """``/apis`` (legacy) is an APIGroupList, preferred version first; ``/apis/<g>`` an APIGroup."""
    doc = load(DOCS.api_group_list())
    assert doc["kind"] == "APIGroupList"
    events = doc["groups"][0]
    version = {"groupVersion": "events.k8s.io/v1", "version": "v1"}
    assert events == {"name": "events.k8s.io", "versions": [version], "preferredVersion": version}
    assert load(DOCS.api_group("coordination.k8s.io"))["kind"] == "APIGroup"
    assert DOCS.api_group("apps") is None


def test_legacy_resource_list_lists_subresources_by_path() -> None:
    """``/api/v1`` lists resources and ``namespaces/status`` style subresources, sorted by name."""
    doc = load(DOCS.resource_list("v1"))
    assert (doc["kind"], doc["groupVersion"]) == ("APIResourceList", "v1")
    names = [r["name"] for r in doc["resources"]]
    assert names == sorted(names)
    by_name = {r["name"]: r for r in doc["resources"]}
    assert by_name["namespaces/status"] == {"name": "namespaces/status", "singularName": "",
                                            "namespaced": False, "kind": "Namespace",
                                            "verbs": ["get", "patch", "update"]}
    assert by_name["namespaces/finalize"]["verbs"] == ["update"]
    assert by_name["secrets"]["singularName"] == "secret"
    assert "shortNames" not in by_name["secrets"]
    assert DOCS.resource_list("apps/v1") is None


@pytest.mark.parametrize(("group_version", "name", "expected"), [
    pytest.param("v1", "configmaps", "qFsyl6wFWjQ=", id="configmaps"),
    pytest.param("v1", "namespaces", "Q3oi5N2YM8M=", id="namespaces"),
    pytest.param("v1", "events", "r2yiGXH7wu8=", id="core-events"),
    pytest.param("events.k8s.io/v1", "events", "r2yiGXH7wu8=", id="events-v1-share-the-stored-form"),
    pytest.param("coordination.k8s.io/v1", "leases", "gqkMMb/YqFM=", id="leases"),
])
def test_storage_version_hash_is_kubes(group_version: str, name: str, expected: str) -> None:
    """The hash of the stored group/version/kind, as kube-apiserver reports it."""
    by_name = {r["name"]: r for r in load(DOCS.resource_list(group_version))["resources"]}
    assert by_name[name]["storageVersionHash"] == expected


def test_subresources_of_another_kind_name_it() -> None:
    """A token subresource answers with authentication.k8s.io/v1 TokenRequest, in both discovery forms."""
    accounts = ResourceType(group="", version="v1", plural="serviceaccounts", singular="serviceaccount",
                            kind="ServiceAccount", namespaced=True,
                            schema="io.k8s.api.core.v1.ServiceAccount", subresources=("token",))
    docs = discovery.Discovery([accounts])
    [_, token] = load(docs.resource_list("v1"))["resources"]
    assert token == {"name": "serviceaccounts/token", "singularName": "", "namespaced": True,
                     "group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest",
                     "verbs": ["create"]}
    entry = resource(load(docs.aggregated(core=True))["items"], "", "serviceaccounts")
    assert entry["subresources"] == [{"subresource": "token", "verbs": ["create"], "responseKind": {
        "group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"}}]


def test_unknown_subresources_are_refused() -> None:
    """A subresource discovery cannot describe is a programming error, reported at once."""
    odd = ResourceType(group="", version="v1", plural="things", singular="thing", kind="Thing",
                       namespaced=True, schema="x.Thing", subresources=("exec",))
    with pytest.raises(KeyError, match="exec"):
        discovery.Discovery([odd]).resource_list("v1")


def test_versions_are_preferred_in_kube_order_and_custom_groups_come_last() -> None:
    """GA before beta before alpha; groups without a kube priority follow the built-in ones, by name."""
    def widget(group: str, version: str) -> ResourceType:
        return ResourceType(group=group, version=version, plural="widgets", singular="widget", kind="Widget",
                            namespaced=True, schema=f"com.example.{version}.Widget")

    types = [widget("b.example.com", "v1alpha1"), widget("b.example.com", "v2"),
             widget("b.example.com", "v1beta2"), widget("a.example.com", "v1"), LEASES]
    doc = load(discovery.Discovery(types).aggregated(core=False))
    assert [g["metadata"]["name"] for g in doc["items"]] == ["coordination.k8s.io", "a.example.com",
                                                            "b.example.com"]
    assert [v["version"] for v in doc["items"][2]["versions"]] == ["v2", "v1beta2", "v1alpha1"]
    assert sorted(["v1alpha1", "foo", "v1", "v2beta1", "v10"], key=discovery.version_order_key) == [
        "v10", "v1", "v2beta1", "v1alpha1", "foo"]


def test_documents_are_built_once_per_list_of_types() -> None:
    """One list of types shares one set of documents; a document is the same bytes object each time."""
    assert discovery.discovery_for(BUILTIN_TYPES) is DOCS
    assert DOCS.aggregated(core=False) is DOCS.aggregated(core=False)
    assert DOCS.resource_list("v1") is DOCS.resource_list("v1")
