"""The scale subresource of a custom resource: an ``autoscaling/v1`` Scale read from, and written into, the
object at the paths the CRD version names (``subresources.scale``), as kube's apiextensions registry does.

    CRD version subresources.scale --ScalePaths.of-->  ScalePaths(spec, status, selector)
    custom object --scale_of-->      Scale JSON (metadata of the object; spec.replicas, status.replicas,
                                     status.selector read at the paths; absent values are 0 and "")
    custom object + replicas --with_replicas-->  the object with spec.replicas written at its path
    custom object --validate_spec/validate_status-->  the 422 field errors kube's validator adds
    Scale --ScalePrinter-->          its Table row (NAME, DESIRED, AVAILABLE)

Values are read as unstructured's ``NestedInt64`` and ``NestedString`` read them, so an object whose value at
a path is of another JSON type fails with kube's ``accessor error`` wording. Pure functions on JSON dicts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gitplane.api import builtin_schemas
from gitplane.api.crd import gorender
from gitplane.api.errors import FieldError

INT32_MAX = 2**31 - 1
SCALE_API_VERSION = "autoscaling/v1"
SCALE_KIND = "Scale"
_COPIED_METADATA = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")


class AccessorError(ValueError):
    """A value on a scale path is not of the type the path needs (kube: ``<path> accessor error: ...``)."""


@dataclass(frozen=True, slots=True)
class ScalePaths:
    """The JSON paths (``.spec.replicas``) of one CRD version's scale subresource."""

    spec_replicas: str
    status_replicas: str
    label_selector: str = ""

    @classmethod
    def of(cls, scale: Mapping[str, Any]) -> ScalePaths:
        return cls(str(scale.get("specReplicasPath") or ""), str(scale.get("statusReplicasPath") or ""),
                   str(scale.get("labelSelectorPath") or ""))


def _fields(path: str) -> list[str]:
    return path.removeprefix(".").split(".")


def _json_path(path: str) -> str:
    return "." + ".".join(_fields(path))


def _go_type(value: Any) -> str:
    """fmt's ``%T`` of a decoded JSON value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return "<nil>"


def _nested(obj: Mapping[str, Any], path: str) -> tuple[Any, bool]:
    """unstructured's ``NestedFieldNoCopy``: the value at ``path`` and whether it is there."""
    fields = _fields(path)
    value: Any = obj
    for i, name in enumerate(fields):
        if value is None:
            return None, False
        if not isinstance(value, Mapping):
            where = "." + ".".join(fields[:i + 1])
            raise AccessorError(f"{where} accessor error: {gorender.go_v(value)} is of the type {_go_type(value)}, "
                                "expected map[string]interface{}")
        if name not in value:
            return None, False
        value = value[name]
    return value, True


def nested_int(obj: Mapping[str, Any], path: str) -> tuple[int, bool]:
    """``NestedInt64``: the integer at ``path`` (0 when absent) and whether it is there."""
    value, found = _nested(obj, path)
    if not found:
        return 0, False
    if not isinstance(value, int) or isinstance(value, bool):
        raise AccessorError(f"{_json_path(path)} accessor error: {gorender.go_v(value)} "
                            f"is of the type {_go_type(value)}, expected int64")
    return value, True


def nested_string(obj: Mapping[str, Any], path: str) -> str:
    """``NestedString``: the string at ``path`` ("" when absent)."""
    value, found = _nested(obj, path)
    if not found:
        return ""
    if not isinstance(value, str):
        raise AccessorError(f"{_json_path(path)} accessor error: {gorender.go_v(value)} "
                            f"is of the type {_go_type(value)}, expected string")
    return value


def _int32(value: int) -> int:
    """Go's ``int32(v)`` of an int64: the low 32 bits, signed."""
    low = value & 0xFFFFFFFF
    return low - 2**32 if low > INT32_MAX else low


def scale_of(obj: Mapping[str, Any], paths: ScalePaths) -> tuple[dict[str, Any], bool]:
    """The object's Scale, and whether the object has a value at the spec replicas path.

    Raises:
        AccessorError: a value on a path is of the wrong JSON type.
    """
    spec_replicas, found = nested_int(obj, paths.spec_replicas)
    status_replicas, _ = nested_int(obj, paths.status_replicas)
    selector = nested_string(obj, paths.label_selector) if paths.label_selector else ""
    source = obj.get("metadata") or {}
    metadata = {key: source[key] for key in _COPIED_METADATA if source.get(key)}
    status: dict[str, Any] = {"replicas": _int32(status_replicas)}
    if selector:
        status["selector"] = selector
    scale = {"kind": SCALE_KIND, "apiVersion": SCALE_API_VERSION, "metadata": metadata,
             "spec": {"replicas": _int32(spec_replicas)}, "status": status}
    return scale, found


def with_replicas(obj: dict[str, Any], path: str, replicas: int) -> None:
    """Write ``replicas`` at ``path`` in place, making the objects on the way (``SetNestedField``).

    Raises:
        AccessorError: a value on the way is not an object.
    """
    fields = _fields(path)
    node = obj
    for i, name in enumerate(fields[:-1]):
        child = node.get(name)
        if child is None:
            child = node[name] = {}
        elif not isinstance(child, dict):
            raise AccessorError(f"value cannot be set because .{'.'.join(fields[:i + 1])} is not a "
                                "map[string]interface{}")
        node = child
    node[fields[-1]] = replicas


def _check_replicas(obj: Mapping[str, Any], path: str) -> list[FieldError]:
    try:
        replicas, _ = nested_int(obj, path)
    except AccessorError as exc:
        return [gorender.invalid(path, 0, str(exc))]
    if replicas < 0:
        return [gorender.invalid(path, replicas, "should be a non-negative integer")]
    if replicas > INT32_MAX:
        return [gorender.invalid(path, replicas, f"should be less than or equal to {INT32_MAX}")]
    return []


def validate_spec(obj: Mapping[str, Any], paths: ScalePaths) -> list[FieldError]:
    """kube's ``ValidateScaleSpec`` of a custom object: the spec replicas an int32 not below zero."""
    return _check_replicas(obj, paths.spec_replicas)


def validate_status(obj: Mapping[str, Any], paths: ScalePaths) -> list[FieldError]:
    """kube's ``ValidateScaleStatus``: the status replicas as the spec's; the selector, if any, a string."""
    found = _check_replicas(obj, paths.status_replicas)
    if paths.label_selector:
        try:
            nested_string(obj, paths.label_selector)
        except AccessorError as exc:
            found.append(gorender.invalid(paths.label_selector, "", str(exc)))
    return found


class ScalePrinter:
    """The table of a Scale, as kube prints one (``kubectl get --subresource=scale``): name, desired replicas,
    available replicas; descriptions from the API documentation of those fields."""

    def columns(self) -> list[dict[str, Any]]:
        return _scale_columns()

    def row(self, obj: Mapping[str, Any], now: datetime) -> list[Any]:
        return [(obj.get("metadata") or {}).get("name", ""), (obj.get("spec") or {}).get("replicas", 0),
                (obj.get("status") or {}).get("replicas", 0)]


@functools.cache
def _scale_columns() -> list[dict[str, Any]]:
    definitions = builtin_schemas.builtin_definitions()

    def described(definition: str, prop: str) -> str:
        return str(definitions[definition]["properties"][prop].get("description", ""))

    return [
        {"name": "Name", "type": "string", "format": "name", "priority": 0,
         "description": described("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "name")},
        {"name": "Desired", "type": "integer", "format": "", "priority": 0,
         "description": described("io.k8s.api.autoscaling.v1.ScaleSpec", "replicas")},
        {"name": "Available", "type": "integer", "format": "", "priority": 0,
         "description": described("io.k8s.api.autoscaling.v1.ScaleStatus", "replicas")},
    ]
