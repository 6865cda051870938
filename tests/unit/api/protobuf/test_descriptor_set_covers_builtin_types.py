"""The shipped descriptor set knows every built-in kind and every message type reachable from it, and says
where it came from."""

from __future__ import annotations

import pytest

from gitplane.api import builtin_types, resources
from gitplane.api.protobuf import catalog, envelope
from tests.unit.api.protobuf.protobuf_bodies import body

WITHOUT_DESCRIPTORS = {("apiextensions.k8s.io", "CustomResourceDefinition"),
                       ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
                       ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding")}
"""Kinds whose protobuf messages kubectl does not link, so the shipped set (extracted from kubectl) lacks them;
clients send these as JSON."""
PROTOBUF_TYPES = [t for t in builtin_types.BUILTIN_TYPES if (t.group, t.kind) not in WITHOUT_DESCRIPTORS]


def _reachable(types: catalog.Catalog, root: str) -> set[str]:
    seen: set[str] = set()
    pending = [root]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending.extend(f.type_name.lstrip(".") for f in types.messages[name].field if f.type_name)
    return seen


@pytest.mark.parametrize("resource", [pytest.param(t, id=f"{t.group_version}/{t.kind}")
                                      for t in PROTOBUF_TYPES])
def test_every_builtin_kind_and_its_messages_are_known(resource: resources.ResourceType) -> None:
    """Each built-in kind maps to a message whose reachable types all resolve, in pool and message index."""
    types = catalog.load()
    full_name = types.find_kind(resource.api_version, resource.kind)
    assert full_name is not None
    assert full_name.endswith(f".{resource.version}.{resource.kind}")
    for name in _reachable(types, full_name):
        assert types.pool.FindMessageTypeByName(name).full_name == name


@pytest.mark.parametrize("resource", [pytest.param(t, id=f"{t.group_version}/{t.kind}")
                                      for t in PROTOBUF_TYPES])
def test_every_builtin_kind_decodes_from_an_empty_message(resource: resources.ResourceType) -> None:
    """An object with nothing set decodes to just its apiVersion and kind."""
    full_name = catalog.load().find_kind(resource.api_version, resource.kind)
    assert full_name is not None
    assert envelope.decode(body(resource.api_version, resource.kind, full_name, {})) == {
        "apiVersion": resource.api_version, "kind": resource.kind}


def test_provenance_names_kubectl() -> None:
    """The descriptors say which kubectl they were extracted from."""
    assert catalog.load().source.startswith("kubectl v1.")


@pytest.mark.parametrize(("api_version", "kind", "expected"), [
    pytest.param("v1", "ConfigMap", "k8s.io.api.core.v1.ConfigMap", id="core"),
    pytest.param("events.k8s.io/v1", "Event", "k8s.io.api.events.v1.Event", id="events"),
    pytest.param("v1", "Event", "k8s.io.api.core.v1.Event", id="core-event"),
    pytest.param("coordination.k8s.io/v1", "Lease", "k8s.io.api.coordination.v1.Lease", id="coordination"),
    pytest.param("meta.k8s.io/v1", "DeleteOptions", "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
                 id="meta"),
    pytest.param("v1", "Status", "k8s.io.apimachinery.pkg.apis.meta.v1.Status", id="meta-in-core"),
    pytest.param("coordination.k8s.io/v2", "Lease", None, id="unknown-version"),
    pytest.param("v1", "ConfigMapSpec", None, id="not-a-kind"),
])
def test_api_versions_find_their_proto_package(api_version: str, kind: str, expected: str | None) -> None:
    """An apiVersion's group finds its package by the package's last two names; meta's kinds serve everywhere."""
    assert catalog.load().find_kind(api_version, kind) == expected
