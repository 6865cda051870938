"""Which fields of an object a field selector can see, per resource type, and under which label.

kube matches field selectors in the storage layer, against a small string map computed from each stored object
(the type's "selectable fields"). A request's selector first goes through the type's field label conversion,
which rejects unknown labels and may rename them to the stored names:

    request  fieldSelector=regarding.name=web        (events.k8s.io/v1)
    convert  involvedObject.name=web                  convert_field_selector(EVENTS_V1, selector)
    match    selectable_fields(EVENTS_V1, stored core/v1 Event)["involvedObject.name"] == "web"

Both event views share one storage (core ``v1`` Events), so both compute their fields from the stored core
form. The labels and messages are kube's (``pkg/apis/core/v1/conversion.go``,
``pkg/apis/events/v1/conversion.go``): types without their own conversion accept only ``metadata.name`` and
``metadata.namespace`` and answer ``"x" is not a known field selector: only "metadata.name",
"metadata.namespace"``; the others answer ``field label not supported: x``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api import builtin_types, errors, fields, gosyntax, resources

_NAME = "metadata.name"
_NAMESPACE = "metadata.namespace"
_EVENT_FIELDS = (
    "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
    "reason", "reportingComponent", "source", "type",
)

_OWN_CONVERSIONS: dict[tuple[str, str], Mapping[str, str]] = {
    (builtin_types.NAMESPACES.group, builtin_types.NAMESPACES.plural): {
        "status.phase": "status.phase", _NAME: _NAME},
    (builtin_types.SECRETS.group, builtin_types.SECRETS.plural): {
        "type": "type", _NAMESPACE: _NAMESPACE, _NAME: _NAME},
    (builtin_types.EVENTS.group, builtin_types.EVENTS.plural): {
        label: label for label in (*_EVENT_FIELDS, _NAMESPACE, _NAME)},
    (builtin_types.EVENTS_V1.group, builtin_types.EVENTS_V1.plural): {
        "reason": "reason",
        "regarding.kind": "involvedObject.kind",
        "regarding.namespace": "involvedObject.namespace",
        "regarding.name": "involvedObject.name",
        "regarding.uid": "involvedObject.uid",
        "regarding.apiVersion": "involvedObject.apiVersion",
        "regarding.resourceVersion": "involvedObject.resourceVersion",
        "regarding.fieldPath": "involvedObject.fieldPath",
        "reportingController": "reportingComponent",
        "source": "source",
        "type": "type",
        _NAMESPACE: _NAMESPACE,
        _NAME: _NAME,
    },
}


def field_label_map(resource_type: resources.ResourceType) -> Mapping[str, str] | None:
    """The request labels a type converts itself (label -> stored label), or ``None`` for kube's default
    conversion (``metadata.name``, ``metadata.namespace`` and the type's own ``field_selectors``)."""
    return _OWN_CONVERSIONS.get((resource_type.group, resource_type.plural))


def convert_field_selector(resource_type: resources.ResourceType,
                           selector: fields.FieldSelector) -> fields.FieldSelector:
    """Check a request's field selector against the type and rename its labels to the stored ones.

    Raises:
        APIError: 400 BadRequest with kube's message for the first label the type does not support.
    """
    if selector.empty:
        return selector
    own = field_label_map(resource_type)
    if own is not None:
        def convert_own(label: str, value: str) -> tuple[str, str]:
            stored = own.get(label)
            if stored is None:
                raise errors.bad_request(f"field label not supported: {label}")
            return stored, value
        return selector.transform(convert_own)

    extra = frozenset(resource_type.field_selectors)

    def convert_default(label: str, value: str) -> tuple[str, str]:
        if label in (_NAME, _NAMESPACE) or label in extra:
            return label, value
        if extra:
            raise errors.bad_request(f"field label not supported: {label}")
        raise errors.bad_request(f"{gosyntax.go_quote(label)} is not a known field selector: "
                                 f'only "{_NAME}", "{_NAMESPACE}"')
    return selector.transform(convert_default)


def selectable_fields(resource_type: resources.ResourceType, obj: Mapping[str, Any]) -> dict[str, str]:
    """The field set a (converted) field selector is matched against, computed from the stored object."""
    meta = obj.get("metadata") or {}
    found = {_NAME: meta.get("name", "")}
    if resource_type.namespaced:
        found[_NAMESPACE] = meta.get("namespace", "")
    key = (resource_type.group, resource_type.plural)
    if key == (builtin_types.NAMESPACES.group, builtin_types.NAMESPACES.plural):
        found["status.phase"] = (obj.get("status") or {}).get("phase", "")
    elif key == (builtin_types.SECRETS.group, builtin_types.SECRETS.plural):
        found["type"] = obj.get("type", "")
    elif key in _EVENT_KEYS:
        found.update(_event_fields(obj))
    else:
        for label in resource_type.field_selectors:
            found[label] = _dotted(obj, label)
    return found


_EVENT_KEYS = frozenset({(builtin_types.EVENTS.group, builtin_types.EVENTS.plural),
                         (builtin_types.EVENTS_V1.group, builtin_types.EVENTS_V1.plural)})


def _event_fields(event: Mapping[str, Any]) -> dict[str, str]:
    """kube's ``EventToSelectableFields`` over the stored core/v1 form; ``source`` falls back to the
    reporting controller when ``source.component`` is empty."""
    involved = event.get("involvedObject") or {}
    reporting = event.get("reportingComponent", "")
    return {
        "involvedObject.kind": involved.get("kind", ""),
        "involvedObject.namespace": involved.get("namespace", ""),
        "involvedObject.name": involved.get("name", ""),
        "involvedObject.uid": involved.get("uid", ""),
        "involvedObject.apiVersion": involved.get("apiVersion", ""),
        "involvedObject.resourceVersion": involved.get("resourceVersion", ""),
        "involvedObject.fieldPath": involved.get("fieldPath", ""),
        "reason": event.get("reason", ""),
        "reportingComponent": reporting,
        "source": (event.get("source") or {}).get("component") or reporting,
        "type": event.get("type", ""),
    }


def _dotted(obj: Mapping[str, Any], label: str) -> str:
    """The string form of the value at a dotted path (``spec.color``), or ``""`` when absent."""
    node: Any = obj
    for part in label.split("."):
        if not isinstance(node, Mapping):
            return ""
        node = node.get(part)
    if node is None:
        return ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)
