"""Objects, times and readers shared by the server-side apply tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

T1, T2, T3 = "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z", "2024-05-01T12:00:00Z"

WIDGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object", "properties": {
            "name": {"type": "string"}, "namespace": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        }},
        "spec": {"type": "object", "properties": {
            "size": {"type": "integer"},
            "color": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
            "args": {"type": "array", "items": {"type": "string"}},
            "selector": {"type": "object", "x-kubernetes-map-type": "atomic",
                         "additionalProperties": {"type": "string"}},
            "ports": {"type": "array", "x-kubernetes-list-type": "map",
                      "x-kubernetes-list-map-keys": ["port", "protocol"],
                      "items": {"type": "object", "properties": {
                          "port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"},
                          "name": {"type": "string"}}}},
            "parts": {"type": "array", "x-kubernetes-list-type": "map",
                      "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "properties": {
                          "name": {"type": "string"}, "weight": {"type": "integer"},
                          "options": {"type": "object", "additionalProperties": {"type": "string"}}}}},
            "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        }},
        "status": {"type": "object", "properties": {"phase": {"type": "string"}}},
    },
}
"""A custom resource's structural schema with one of each shape apply distinguishes."""


def widget(spec: dict[str, Any] | None = None, **metadata: Any) -> dict[str, Any]:
    """An apply configuration of a Widget named ``w``."""
    obj: dict[str, Any] = {"apiVersion": "example.com/v1", "kind": "Widget",
                           "metadata": {"name": "w", "namespace": "default", **metadata}}
    if spec is not None:
        obj["spec"] = spec
    return obj


def configmap(data: dict[str, str] | None = None, **metadata: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "c", "namespace": "default", **metadata}}
    if data is not None:
        obj["data"] = data
    return obj


def managers(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """The (manager, operation) of each managed fields entry, in order."""
    return [(e.get("manager", ""), e["operation"]) for e in obj["metadata"].get("managedFields", [])]


def fields_of(obj: dict[str, Any], name: str, operation: str = "Apply") -> dict[str, Any]:
    """The fieldsV1 of one manager's entry."""
    for entry in obj["metadata"].get("managedFields", []):
        if entry.get("manager") == name and entry["operation"] == operation:
            return dict(entry["fieldsV1"])
    raise AssertionError(f"no {operation} entry for {name}: {obj['metadata'].get('managedFields')}")


Apply = Callable[..., dict[str, Any]]
