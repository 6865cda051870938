"""The system CRDs of gitplane/server/systemcrds pass every check a ``kubectl apply`` of them would meet, and so do
the built-in WorkspaceTypes (against the WorkspaceType CRD's schema) and the RBAC that lets users use them.

A ``kubectl apply`` of a new object is a create with ``fieldValidation=Strict``: the body is decoded (an unknown
field is a 400), the strategy's create defaults are applied, then the strategy validates the object (a 422 lists
every problem). For a CRD the validation covers the CRD itself, its schemas' structural rules and defaults, and the
compilation of its CEL rules; for a custom object, its CRD's schema and CEL rules.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import pytest
from ruamel.yaml import YAML

from gitplane.api import builtin_types, cel, errors
from gitplane.api.builtin_schemas import builtin_definitions
from gitplane.api.errors import FieldError
from gitplane.api.resources import ResourceType
from gitplane.server.customresources.served import ServedVersion, definitions, served_versions
from gitplane.server.registry import strategies
from gitplane.server.registry.custom import CustomResourceStrategy
from gitplane.server.registry.strategy import Strategy
from gitplane.server.request import UserInfo
from gitplane.server.requestinfo import RequestInfo
from gitplane.server.stages.authz import (
    REQUEST_AUTHORIZATION,
    Attributes,
    Authorization,
    RequestAuthorization,
    SystemMasters,
)

PACKAGE = "gitplane.server.systemcrds"
CRD_FILES = ("core.kcp.io_logicalclusters.yaml", "tenancy.kcp.io_workspaces.yaml",
             "tenancy.kcp.io_workspacetypes.yaml")
WORKSPACETYPES_FILE = "workspacetypes.yaml"
RBAC_FILE = "workspacetype-use.yaml"
CRD = builtin_types.CUSTOMRESOURCEDEFINITIONS


def documents(name: str) -> list[dict[str, Any]]:
    text = resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return [doc for doc in YAML(typ="safe", pure=True).load_all(text) if doc is not None]


def crd(name: str) -> dict[str, Any]:
    [only] = documents(name)
    return only


def applied(strategy: Strategy, obj: dict[str, Any], schema_definitions: Any) -> tuple[dict[str, Any],
                                                                                        list[FieldError]]:
    """``obj`` as a create with fieldValidation=Strict leaves it, and the errors its validation finds."""
    written = copy.deepcopy(obj)
    t = strategy.type
    assert (written.get("apiVersion"), written.get("kind")) == (t.api_version, t.kind)
    warnings = strategy.decode(written, strategy.resolved_schema(schema_definitions), "Strict", ())
    assert warnings == []
    strategy.prepare_for_create(written)
    return written, strategy.validate(written)


def served(crd_object: dict[str, Any]) -> ServedVersion:
    """The one served version of a CRD, as the CRD controller leaves it: names accepted, Established."""
    done = copy.deepcopy(crd_object)
    done["status"] = {**(done.get("status") or {}), "acceptedNames": copy.deepcopy(done["spec"]["names"]),
                      "conditions": [{"type": "NamesAccepted", "status": "True"},
                                     {"type": "Established", "status": "True"}]}
    [version] = served_versions(done)
    return version


def names_field(errs: list[FieldError], field: str) -> bool:
    """Whether an error is about ``field``: kube reports oneOf and not failures at ``<nil>``, naming the field in
    the detail."""
    return any(e.field == field or f'"{field}" must' in e.detail for e in errs)


@contextmanager
def as_cluster_admin(resource: str) -> Iterator[None]:
    """The write is made by a member of system:masters (RBAC writes check the writer's own permissions)."""
    user = UserInfo("admin", ("system:masters", "system:authenticated"))
    info = RequestInfo("root", True, "", "create", True, "apis", "rbac.authorization.k8s.io", "v1", "", resource)
    token = REQUEST_AUTHORIZATION.set(RequestAuthorization(Attributes(user, "root", info),
                                                           Authorization([SystemMasters()])))
    try:
        yield
    finally:
        REQUEST_AUTHORIZATION.reset(token)


def created_custom_object(crd_file: str, obj: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    version = served(crd(crd_file))
    return applied(CustomResourceStrategy(version), obj, {**builtin_definitions(), **definitions(version)})


def test_the_folder_holds_the_expected_crds() -> None:
    folder = resources.files(PACKAGE)
    found = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".yaml") and "kcp.io_" in entry.name)
    assert found == sorted(CRD_FILES)


@pytest.mark.parametrize("name", CRD_FILES)
def test_each_crd_is_accepted_as_a_create_would_accept_it(name: str) -> None:
    obj = crd(name)
    written, errs = applied(strategies.for_type(CRD), obj, builtin_definitions())
    assert errs == []
    [version] = written["spec"]["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1alpha1", True, True)
    assert written["status"]["storedVersions"] == ["v1alpha1"]
    assert "annotations" not in obj["metadata"]  # no controller-gen marker
    schema = version["schema"]["openAPIV3Schema"]
    assert list(cel.compile_schema(schema).errors) == []


@pytest.mark.parametrize("name", CRD_FILES)
def test_each_crd_describes_its_fields(name: str) -> None:
    """The object and every field has a description of its own, but for metadata (ObjectMeta's) and the fields
    of conditions; list items and map values need one only when they are objects."""
    schema = crd(name)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    missing: list[str] = []

    def walk(node: dict[str, Any], path: str, needs: bool) -> None:
        if needs and path != "metadata" and not path.startswith("status.conditions[]") and "description" not in node:
            missing.append(path or "<root>")
        for key, child in (node.get("properties") or {}).items():
            walk(child, f"{path}.{key}" if path else key, True)
        for key, mark in (("items", "[]"), ("additionalProperties", "{}")):
            if isinstance(node.get(key), dict):
                walk(node[key], path + mark, node[key].get("type") == "object")

    walk(schema, "", True)
    assert missing == []


def test_the_crds_serve_kcps_names_and_columns() -> None:
    types: dict[str, ResourceType] = {}
    for name in CRD_FILES:
        version = served(crd(name))
        types[version.type.kind] = version.type
        assert not version.type.namespaced
        assert version.type.categories == ("kcp",)
        assert version.type.subresources == ("status",)
    assert types["Workspace"].short_names == ("ws",)
    assert types["WorkspaceType"].short_names == types["LogicalCluster"].short_names == ()
    columns = {name: [(c["name"], c["jsonPath"]) for c in served(crd(name)).printer_columns] for name in CRD_FILES}
    assert columns["tenancy.kcp.io_workspaces.yaml"] == [
        ("Type", ".spec.type.name"), ("Region", ".metadata.labels['region']"), ("Phase", ".status.phase"),
        ("URL", ".spec.URL"), ("Age", ".metadata.creationTimestamp")]
    assert columns["core.kcp.io_logicalclusters.yaml"] == [
        ("Phase", ".status.phase"), ("URL", ".status.URL"), ("Age", ".metadata.creationTimestamp")]
    assert columns["tenancy.kcp.io_workspacetypes.yaml"] == []


WORKSPACETYPES = [doc["metadata"]["name"] for doc in documents(WORKSPACETYPES_FILE)]


@pytest.mark.parametrize("index", range(len(WORKSPACETYPES)), ids=WORKSPACETYPES)
def test_each_builtin_workspacetype_follows_the_workspacetype_schema(index: int) -> None:
    obj = documents(WORKSPACETYPES_FILE)[index]
    written, errs = created_custom_object("tenancy.kcp.io_workspacetypes.yaml", obj)
    assert errs == []
    assert {k: v for k, v in written["spec"].items() if k != "defaultChildWorkspaceType"} == {
        k: v for k, v in obj["spec"].items() if k != "defaultChildWorkspaceType"}  # nothing pruned


def test_the_builtin_workspacetypes_are_kcps_with_the_workspace_types_battery() -> None:
    assert WORKSPACETYPES == ["root", "universal", "organization", "team", "home"]
    defaults = {}
    for obj in documents(WORKSPACETYPES_FILE):
        written, errs = created_custom_object("tenancy.kcp.io_workspacetypes.yaml", obj)
        assert errs == []
        assert "annotations" not in written["metadata"]
        defaults[obj["metadata"]["name"]] = written["spec"]["defaultChildWorkspaceType"]
    assert defaults == {"root": {"name": "organization", "path": "root"},
                        "universal": {"name": "universal", "path": "root"},
                        "organization": {"name": "universal", "path": "root"},
                        "team": {"name": "universal", "path": "root"},
                        "home": {"name": "universal", "path": "root"}}


def test_kcps_stray_default_children_field_is_left_out_as_a_strict_write_refuses_it() -> None:
    """kcp's workspacetype-universal.yaml also sets spec.defaultChildren, which the schema lacks (kcp prunes it)."""
    universal = next(doc for doc in documents(WORKSPACETYPES_FILE) if doc["metadata"]["name"] == "universal")
    assert "defaultChildren" not in universal["spec"]
    with pytest.raises(errors.APIError, match=r'unknown field "spec\.defaultChildren"'):
        created_custom_object("tenancy.kcp.io_workspacetypes.yaml", {
            **universal, "spec": {**universal["spec"], "defaultChildren": {"types": [{"name": "universal",
                                                                                      "path": "root"}]}}})


@pytest.mark.parametrize(("spec", "field"), [
    ({"limitAllowedParents": {"none": True, "types": [{"name": "root", "path": "root"}]}}, "spec.limitAllowedParents"),
    ({"limitAllowedChildren": {"types": []}}, "spec.limitAllowedChildren.types"),
    ({"extend": {"with": [{"name": "Universal", "path": "root"}]}}, "spec.extend.with[0].name"),
    ({"defaultAPIBindingLifecycle": "Sometimes"}, "spec.defaultAPIBindingLifecycle"),
])
def test_the_workspacetype_schema_refuses_what_kcps_refuses(spec: dict[str, Any], field: str) -> None:
    obj = {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "WorkspaceType", "metadata": {"name": "custom"},
           "spec": spec}
    _, errs = created_custom_object("tenancy.kcp.io_workspacetypes.yaml", obj)
    assert names_field(errs, field), errs


@pytest.mark.parametrize("name", ["system", "any", "Upper", "a" * 64])
def test_a_workspacetype_may_not_take_a_reserved_or_invalid_name(name: str) -> None:
    obj = {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "WorkspaceType", "metadata": {"name": name}, "spec": {}}
    _, errs = created_custom_object("tenancy.kcp.io_workspacetypes.yaml", obj)
    assert names_field(errs, "metadata.name"), errs


def test_a_workspace_and_a_logical_cluster_follow_their_schemas() -> None:
    workspace = {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace", "metadata": {"name": "team-a"},
                 "spec": {"type": {"name": "universal", "path": "root"},
                          "location": {"selector": {"matchLabels": {"region": "eu"}}}}}
    written, errs = created_custom_object("tenancy.kcp.io_workspaces.yaml", workspace)
    assert errs == []
    assert written["spec"] == workspace["spec"]
    cluster = {"apiVersion": "core.kcp.io/v1alpha1", "kind": "LogicalCluster", "metadata": {"name": "cluster"}}
    written, errs = created_custom_object("core.kcp.io_logicalclusters.yaml", cluster)
    assert errs == []
    assert written["spec"] == {"directlyDeletable": False}  # spec defaults to {}, then its own defaults
    _, errs = created_custom_object("core.kcp.io_logicalclusters.yaml", {**cluster, "metadata": {"name": "other"}})
    assert names_field(errs, "metadata.name"), errs


def test_every_authenticated_user_may_use_the_builtin_types_but_root_and_home() -> None:
    role, binding = documents(RBAC_FILE)
    for obj, resource_type in ((role, builtin_types.CLUSTERROLES), (binding, builtin_types.CLUSTERROLEBINDINGS)):
        with as_cluster_admin(resource_type.plural):
            _, errs = applied(strategies.for_type(resource_type), obj, builtin_definitions())
        assert errs == []
    [rule] = role["rules"]
    assert (rule["apiGroups"], rule["resources"], rule["verbs"]) == (["tenancy.kcp.io"], ["workspacetypes"], ["use"])
    assert set(rule["resourceNames"]) == set(WORKSPACETYPES) - {"root", "home"}  # no parent may have either
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": role["metadata"]["name"]}
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": "system:authenticated"}]
