"""Each built-in type accepts kube's field labels, maps them to stored fields and exposes them."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import builtin_types, errors, resources, selectable
from gitplane.api.fields import FieldSelector

EVENT = {
    "metadata": {"name": "e1", "namespace": "default"},
    "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web", "uid": "u1",
                       "apiVersion": "v1", "resourceVersion": "7", "fieldPath": "spec.containers{app}"},
    "reason": "Started", "type": "Normal", "reportingComponent": "kubelet", "source": {},
}


@pytest.mark.parametrize(("resource_type", "text", "stored"), [
    pytest.param(builtin_types.NAMESPACES, "status.phase=Active,metadata.name=a",
                 "metadata.name=a,status.phase=Active", id="namespace"),
    pytest.param(builtin_types.SECRETS, "type=Opaque", "type=Opaque", id="secret-type"),
    pytest.param(builtin_types.EVENTS, "involvedObject.name=web,source=kubelet",
                 "involvedObject.name=web,source=kubelet", id="core-event"),
    pytest.param(builtin_types.EVENTS_V1, "regarding.name=web,reportingController=kubelet",
                 "involvedObject.name=web,reportingComponent=kubelet", id="events-v1-renamed-to-storage"),
    pytest.param(builtin_types.EVENTS_V1, "source=kubelet", "source=kubelet", id="events-v1-source"),
    pytest.param(builtin_types.CONFIGMAPS, "metadata.namespace=a,metadata.name=b",
                 "metadata.name=b,metadata.namespace=a", id="default-labels"),
])
def test_supported_labels_convert_to_stored_labels(resource_type: resources.ResourceType, text: str,
                                                   stored: str) -> None:
    """A supported label passes, renamed to the stored field where kube renames it."""
    assert str(selectable.convert_field_selector(resource_type, FieldSelector.parse(text))) == stored


@pytest.mark.parametrize(("resource_type", "text", "message"), [
    pytest.param(builtin_types.CONFIGMAPS, "data.x=1",
                 '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
                 id="configmap-default-message"),
    pytest.param(builtin_types.LEASES, "spec.holderIdentity=a",
                 '"spec.holderIdentity" is not a known field selector: '
                 'only "metadata.name", "metadata.namespace"',
                 id="lease-default-message"),
    pytest.param(builtin_types.SECRETS, "data=x", "field label not supported: data", id="secret"),
    pytest.param(builtin_types.NAMESPACES, "metadata.namespace=x",
                 "field label not supported: metadata.namespace", id="namespace-has-no-namespace-label"),
    pytest.param(builtin_types.EVENTS, "regarding.name=x", "field label not supported: regarding.name",
                 id="core-event-rejects-v1-label"),
    pytest.param(builtin_types.EVENTS_V1, "involvedObject.name=x",
                 "field label not supported: involvedObject.name", id="events-v1-rejects-core-label"),
])
def test_unsupported_labels_answer_kube_messages(resource_type: resources.ResourceType, text: str,
                                                 message: str) -> None:
    """An unsupported label is a 400 with the type's kube message."""
    with pytest.raises(errors.APIError) as caught:
        selectable.convert_field_selector(resource_type, FieldSelector.parse(text))
    assert (caught.value.code, caught.value.message) == (400, message)


@pytest.mark.parametrize(("resource_type", "obj", "expected"), [
    pytest.param(builtin_types.CONFIGMAPS, {"metadata": {"name": "c", "namespace": "n"}},
                 {"metadata.name": "c", "metadata.namespace": "n"}, id="configmap"),
    pytest.param(builtin_types.NAMESPACES, {"metadata": {"name": "n"}, "status": {"phase": "Terminating"}},
                 {"metadata.name": "n", "status.phase": "Terminating"}, id="namespace"),
    pytest.param(builtin_types.SECRETS,
                 {"metadata": {"name": "s", "namespace": "n"}, "type": "kubernetes.io/tls"},
                 {"metadata.name": "s", "metadata.namespace": "n", "type": "kubernetes.io/tls"}, id="secret"),
])
def test_selectable_fields_of_simple_types(resource_type: resources.ResourceType, obj: dict[str, Any],
                                           expected: dict[str, str]) -> None:
    """Simple types expose their name, namespace and type-specific fields."""
    assert selectable.selectable_fields(resource_type, obj) == expected


@pytest.mark.parametrize("resource_type", [builtin_types.EVENTS, builtin_types.EVENTS_V1])
def test_event_fields_come_from_the_stored_core_event(resource_type: resources.ResourceType) -> None:
    """Both event views read the stored core/v1 event; source falls back to the reporting component."""
    found = selectable.selectable_fields(resource_type, EVENT)
    assert found == {
        "metadata.name": "e1", "metadata.namespace": "default",
        "involvedObject.kind": "Pod", "involvedObject.namespace": "default", "involvedObject.name": "web",
        "involvedObject.uid": "u1", "involvedObject.apiVersion": "v1", "involvedObject.resourceVersion": "7",
        "involvedObject.fieldPath": "spec.containers{app}", "reason": "Started",
        "reportingComponent": "kubelet", "source": "kubelet", "type": "Normal",
    }
    converted = selectable.convert_field_selector(resource_type, FieldSelector.parse(
        "regarding.name=web" if resource_type is builtin_types.EVENTS_V1 else "involvedObject.name=web"))
    assert converted.matches(found)


def test_event_source_prefers_the_source_component() -> None:
    """source.component wins over the reporting component when set."""
    event = {**EVENT, "source": {"component": "scheduler"}}
    assert selectable.selectable_fields(builtin_types.EVENTS, event)["source"] == "scheduler"


def test_custom_types_select_declared_fields_by_path() -> None:
    """A type's declared field selectors resolve as dotted paths and print as strings."""
    widgets = resources.ResourceType(group="example.com", version="v1", plural="widgets", singular="widget",
                                     kind="Widget", namespaced=False, schema="",
                                     field_selectors=("spec.color", "spec.enabled", "spec.size"))
    obj = {"metadata": {"name": "w"}, "spec": {"color": "red", "enabled": True}}
    assert selectable.selectable_fields(widgets, obj) == {
        "metadata.name": "w", "spec.color": "red", "spec.enabled": "true", "spec.size": ""}
    with pytest.raises(errors.APIError) as caught:
        selectable.convert_field_selector(widgets, FieldSelector.parse("spec.shape=round"))
    assert caught.value.message == "field label not supported: spec.shape"
