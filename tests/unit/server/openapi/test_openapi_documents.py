"""The OpenAPI v2 and v3 documents are valid, self-contained, hashed as kube hashes them, and carry what
kubectl reads: kinds with descriptions, and fieldValidation on every write."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from gitplane.api import builtin_schemas
from gitplane.api.builtin_types import BUILTIN_TYPES, CONFIGMAPS, LEASES
from gitplane.api.resources import ResourceType
from gitplane.server import openapi

DOCS = openapi.openapi_docs(BUILTIN_TYPES)
GROUP_VERSIONS = ["api/v1", "apis/admissionregistration.k8s.io/v1", "apis/apiextensions.k8s.io/v1",
                  "apis/authentication.k8s.io/v1", "apis/authentication.k8s.io/v1beta1",
                  "apis/authorization.k8s.io/v1", "apis/coordination.k8s.io/v1", "apis/events.k8s.io/v1",
                  "apis/rbac.authorization.k8s.io/v1"]
METHODS = ("get", "post", "put", "patch", "delete")


def v3(group_version: str) -> dict[str, Any]:
    document = DOCS.v3(group_version)
    assert document is not None
    parsed: dict[str, Any] = orjson.loads(document)
    return parsed


def v2() -> dict[str, Any]:
    parsed: dict[str, Any] = orjson.loads(DOCS.v2())
    return parsed


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def parameter_names(document: dict[str, Any], path: str, op: dict[str, Any]) -> set[str]:
    """The parameters an operation takes: its own and those of its path."""
    shared = document["paths"][path].get("parameters", [])
    return {p["name"] for p in [*shared, *op.get("parameters", [])]}


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_the_index_lists_each_group_version_with_its_hashed_url() -> None:
    """``/openapi/v3`` maps ``api/v1`` and ``apis/<g>/<v>`` to ``/openapi/v3/...?hash=`` URLs."""
    index = orjson.loads(DOCS.v3_index())
    assert sorted(index["paths"]) == GROUP_VERSIONS
    for group_version, entry in index["paths"].items():
        url = f"/openapi/v3/{group_version}?hash={DOCS.v3_hash(group_version)}"
        assert entry == {"serverRelativeURL": url}


@pytest.mark.parametrize("group_version", GROUP_VERSIONS)
def test_the_hash_is_upper_hex_sha512_of_the_document(group_version: str) -> None:
    """kube's hash: upper-case hexadecimal SHA-512 of the document's bytes."""
    document = DOCS.v3(group_version)
    assert document is not None
    assert DOCS.v3_hash(group_version) == hashlib.sha512(document).hexdigest().upper()


def test_the_hash_changes_when_the_document_changes() -> None:
    """A group version serving other types gets another hash (and so another URL)."""
    smaller = openapi.OpenAPIDocs([t for t in BUILTIN_TYPES if t.plural != "secrets"])
    assert smaller.v3_hash("api/v1") != DOCS.v3_hash("api/v1")
    assert smaller.v3_hash("apis/coordination.k8s.io/v1") == DOCS.v3_hash("apis/coordination.k8s.io/v1")


def test_unknown_group_versions_have_no_document() -> None:
    """A group version not served has neither document nor hash."""
    assert DOCS.v3("apis/apps/v1") is None
    assert DOCS.v3_hash("apis/apps/v1") is None


@pytest.mark.parametrize("group_version", GROUP_VERSIONS)
def test_v3_documents_are_valid_openapi_3(group_version: str) -> None:
    """Each group-version document passes an OpenAPI 3.0 validator."""
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(v3(group_version))


def test_v2_document_is_valid_swagger_2() -> None:
    """The v2 document passes a Swagger 2.0 validator."""
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(v2())


@pytest.mark.parametrize("group_version", GROUP_VERSIONS)
def test_every_v3_reference_resolves_within_its_document(group_version: str) -> None:
    """Components hold every schema the paths and other schemas reference, and nothing is left dangling."""
    document = v3(group_version)
    schemas = document["components"]["schemas"]
    found = list(refs(document))
    assert found
    assert all(r.removeprefix(builtin_schemas.V3_REF_PREFIX) in schemas for r in found)


def test_every_v2_reference_resolves() -> None:
    """``definitions`` hold every schema referenced and the meta types clients decode (WatchEvent, Status)."""
    document = v2()
    found = list(refs(document))
    assert all(r.removeprefix(builtin_schemas.V2_REF_PREFIX) in document["definitions"] for r in found)
    assert {"io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
            "io.k8s.apimachinery.pkg.apis.meta.v1.Status"} <= set(document["definitions"])


@pytest.mark.parametrize("group_version", GROUP_VERSIONS)
def test_field_validation_is_advertised_on_every_write(group_version: str) -> None:
    """Every create, update and patch lists fieldValidation, so kubectl sends fieldValidation=Strict."""
    document = v3(group_version)
    writes = [(path, op) for path, method, op in operations(document) if method in ("post", "put", "patch")]
    assert writes
    for path, op in writes:
        assert "fieldValidation" in parameter_names(document, path, op), path


def supports_query_param_v3(document: dict[str, Any], gvk: dict[str, str], param: str) -> bool:
    """kubectl's ``supportsQueryParamV3``: the first PATCH operation of the kind must list the parameter."""
    for item in document["paths"].values():
        op = item.get("patch")
        if op is None or op.get("x-kubernetes-group-version-kind") != gvk:
            continue
        return param in {p["name"] for p in op.get("parameters", [])}
    return False


@pytest.mark.parametrize("t", [t for t in BUILTIN_TYPES if "patch" in t.verbs],
                         ids=lambda t: f"{t.group_version}/{t.plural}")
def test_kubectls_query_param_verifier_finds_field_validation(t: ResourceType) -> None:
    """kubectl's check, run on each patchable kind's group-version document, finds fieldValidation (the check
    looks at PATCH operations: a create-only review has none, in kube's documents too)."""
    document = v3(openapi.api_path(t.group, t.version))
    gvk = {"group": t.group, "version": t.version, "kind": t.kind}
    assert supports_query_param_v3(document, gvk, "fieldValidation")
    assert not supports_query_param_v3(document, gvk, "noSuchParameter")


@pytest.mark.parametrize(("name", "gvk"), [
    pytest.param("io.k8s.api.core.v1.ConfigMap", {"group": "", "version": "v1", "kind": "ConfigMap"},
                 id="cm"),
    pytest.param("io.k8s.api.core.v1.Namespace", {"group": "", "version": "v1", "kind": "Namespace"},
                 id="ns"),
])
def test_kinds_carry_gvk_and_descriptions_for_kubectl_explain(name: str, gvk: dict[str, str]) -> None:
    """kubectl explain finds a kind by its group-version-kind and prints its fields' descriptions."""
    schema = v3("api/v1")["components"]["schemas"][name]
    assert gvk in schema["x-kubernetes-group-version-kind"]
    assert schema["description"]
    assert all(field.get("description") for field in schema["properties"].values())


def test_lease_document_holds_only_what_its_paths_reach() -> None:
    """A group-version document carries the schemas its operations reach, not the whole table."""
    schemas = v3("apis/coordination.k8s.io/v1")["components"]["schemas"]
    assert "io.k8s.api.coordination.v1.LeaseSpec" in schemas
    assert "io.k8s.api.core.v1.ConfigMap" not in schemas
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions" in schemas


def test_v3_operations_describe_bodies_answers_and_parameters() -> None:
    """The PATCH of a ConfigMap: patch content types, Patch body, kube's parameters, gvk and action."""
    item = v3("api/v1")["paths"]["/api/v1/namespaces/{namespace}/configmaps/{name}"]
    assert [p["name"] for p in item["parameters"]] == ["name", "namespace", "pretty"]
    assert all(p["required"] for p in item["parameters"] if p["in"] == "path")
    patch = item["patch"]
    assert patch["operationId"] == "patchCoreV1NamespacedConfigMap"
    assert [p["name"] for p in patch["parameters"]] == ["dryRun", "fieldManager", "fieldValidation", "force"]
    assert sorted(patch["requestBody"]["content"]) == [
        "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
        "application/strategic-merge-patch+json"]
    assert patch["requestBody"]["required"] is True
    assert set(patch["responses"]) == {"200", "201", "401"}
    assert (patch["x-kubernetes-action"], patch["x-kubernetes-group-version-kind"], patch["tags"]) == (
        "patch", {"group": "", "version": "v1", "kind": "ConfigMap"}, ["core_v1"])


def test_list_operations_take_list_parameters_and_stream_watches() -> None:
    """Lists accept selectors, paging, resourceVersion and watch, and answer JSON or a watch stream."""
    item = v3("api/v1")["paths"]["/api/v1/namespaces/{namespace}/configmaps"]
    listing = item["get"]
    names = [p["name"] for p in listing["parameters"]]
    assert names == ["allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
                     "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds",
                     "watch"]
    answers = sorted(listing["responses"]["200"]["content"])
    assert answers == ["application/json", "application/json;stream=watch"]
    deletion = item["delete"]
    deletion_parameters = {p["name"] for p in deletion["parameters"]}
    assert {"gracePeriodSeconds", "propagationPolicy", "labelSelector"} <= deletion_parameters
    assert deletion["requestBody"]["required"] is False


def test_v2_operations_have_swagger_2_shapes() -> None:
    """In v2 bodies are parameters, and operations list consumes, produces and schemes."""
    patch = v2()["paths"]["/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"]["patch"]
    assert patch["operationId"] == "patchCoordinationV1NamespacedLease"
    patch_ref = "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
    body = {"name": "body", "in": "body", "required": True, "schema": {"$ref": patch_ref}}
    assert patch["parameters"][0] == body
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
    assert "application/apply-patch+yaml" in patch["consumes"]
    assert patch["schemes"] == ["https"]
    assert patch["responses"]["200"]["schema"] == {"$ref": "#/definitions/io.k8s.api.coordination.v1.Lease"}


def test_custom_resources_are_not_offered_strategic_merge_patch() -> None:
    """Types that are not kube's own Go types accept JSON, merge and apply patches only."""
    widget = ResourceType(group="example.com", version="v1", plural="widgets", singular="widget",
                          kind="Widget", namespaced=True, schema="com.example.v1.Widget",
                          subresources=("status",))
    definitions = {**builtin_schemas.builtin_definitions(),
                   "com.example.v1.Widget": {"type": "object", "properties": {"spec": {"type": "object"}}},
                   "com.example.v1.WidgetList": {"type": "object", "properties": {"items": {
                       "type": "array", "items": {"$ref": "#/components/schemas/com.example.v1.Widget"}}}}}
    docs = openapi.OpenAPIDocs([widget], definitions)
    document = orjson.loads(docs.v3("apis/example.com/v1") or b"{}")
    patches = [op for _, method, op in operations(document) if method == "patch"]
    assert len(patches) == 2
    for op in patches:
        assert sorted(op["requestBody"]["content"]) == [
            "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]
        assert op["operationId"] in ("patchExampleComV1NamespacedWidget",
                                     "patchExampleComV1NamespacedWidgetStatus")


def test_documents_are_built_once_per_list_of_types() -> None:
    """The same list of types shares one document set, and each document is rendered once."""
    assert openapi.openapi_docs(BUILTIN_TYPES) is DOCS
    assert DOCS.v2() is DOCS.v2()
    assert DOCS.v3("api/v1") is DOCS.v3("api/v1")
    assert openapi.openapi_docs((CONFIGMAPS, LEASES)) is not DOCS
