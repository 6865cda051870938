"""The schema checks of a CustomResourceDefinition (apiextensions.k8s.io/v1) on create and update.

For each version, ``spec.versions[i].schema.openAPIV3Schema`` must be present (v1 prunes, so a version
without a schema would lose every field) and pass, in kube's order:

    1. with the status subresource, a root of only ``type: object`` and the fields kube can split off
       (``properties``, ``required``, ``description``, ... but no ``anyOf``, ``default``, ``nullable``, ...)
    2. ``nullable`` false at the root
    3. the structural invariants (:mod:`.structural`), and when they hold, every ``default``: valid against
       its own schema, embedded resources well formed, and already pruned (``must not have unknown fields``)
    4. the apiextensions node checks (:mod:`.openapi_checks`)
    5. only if nothing else failed: a schema kube cannot represent (``$schema``)

A schema that does not even decode (a keyword with a value of the wrong JSON type, see :mod:`.shape`) gets
one error carrying Go's decoding message and no further checks; kube answers such a body with a 400, which
the server can do by calling :func:`.shape.decode_error` first.

    validate_crd_schemas(crd) -> list[FieldError]      all of them, for the 422 of a CRD write
    validate_version_schema(schema, path, status=...)  one version's schema at ``path``

``x-kubernetes-validations`` are kept untouched (compiled by the CEL package).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

from gitplane.api import errors
from gitplane.api.crd import embedded, gorender, openapi_checks, pruning, result, shape, structural, values
from gitplane.api.crd.values import go_deep_equal

Schema = Mapping[str, Any]

_ALLOWED_AT_STATUS_ROOT = (
    "Description",
    "Type",
    "Format",
    "Title",
    "Maximum",
    "ExclusiveMaximum",
    "Minimum",
    "ExclusiveMinimum",
    "MaxLength",
    "MinLength",
    "Pattern",
    "MaxItems",
    "MinItems",
    "UniqueItems",
    "MultipleOf",
    "Required",
    "Items",
    "Properties",
    "ExternalDocs",
    "Example",
    "XPreserveUnknownFields",
    "XValidations",
)
_ALLOWED_KEYS_AT_STATUS_ROOT = frozenset(
    {
        "description",
        "type",
        "format",
        "title",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "multipleOf",
        "required",
        "items",
        "properties",
        "externalDocs",
        "example",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-validations",
    }
)
_META = frozenset({"metadata", "apiVersion", "kind"})


def _is_zero(value: Any) -> bool:
    return value is None or value is False or value in ("", [], {})


def _status_root(schema: Schema, path: str) -> list[errors.FieldError]:
    t = schema.get("type")
    if t is not None and t != "object":
        return [
            gorender.invalid(
                f"{path}.type",
                t,
                'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
            )
        ]
    for key, value in schema.items():
        if key not in _ALLOWED_KEYS_AT_STATUS_ROOT and not _is_zero(value):
            allowed = "[" + " ".join(_ALLOWED_AT_STATUS_ROOT) + "]"
            return [
                gorender.invalid(
                    path,
                    dict(schema),
                    f"only {allowed} fields are allowed at the root of the schema if the status subresource is enabled",
                )
            ]
    return []


def _check_default(schema: Schema, default: Any, path: str, inside_meta: bool) -> list[errors.FieldError]:
    found: list[errors.FieldError] = []
    is_embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    if not inside_meta:
        pruned = copy.deepcopy(default)
        if isinstance(pruned, dict | list):
            pruning.prune_value(pruned, schema, embedded_here=is_embedded)
        if not go_deep_equal(pruned, default):
            found.append(gorender.invalid(f"{path}.default", default, "must not have unknown fields"))
        if is_embedded and isinstance(default, Mapping):
            meta_errors = embedded.validate_embedded({"x": default}, {"properties": {"x": schema}})
            if meta_errors:
                return [*found, *(dataclasses.replace(e, field=f"{path}.default{e.field[1:]}") for e in meta_errors)]
    found.extend(result.to_field_errors(values.validate_schema(schema, default), f"{path}.default"))
    return found


def validate_defaults(schema: Schema, path: str) -> list[errors.FieldError]:
    """kube's ``ValidateDefaults`` at the resource root (CEL rules aside)."""
    found: list[errors.FieldError] = []
    _walk_defaults({**schema, "x-kubernetes-embedded-resource": True}, path, False, found, top=True)
    return found


def _walk_defaults(
    schema: Schema, path: str, inside_meta: bool, found: list[errors.FieldError], *, top: bool = False
) -> None:
    is_embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    if is_embedded:
        inside_meta = False
    if schema.get("default") is not None:
        node = {k: v for k, v in schema.items() if k != "x-kubernetes-embedded-resource"} if top else schema
        found.extend(_check_default(node, schema["default"], path, inside_meta))
    items = schema.get("items")
    if isinstance(items, Mapping):
        _walk_defaults(items, f"{path}.items", inside_meta, found)
    props = schema.get("properties")
    if isinstance(props, Mapping):
        for key, sub in props.items():
            if isinstance(sub, Mapping):
                _walk_defaults(sub, f"{path}.properties[{key}]", inside_meta or (is_embedded and key in _META), found)


def validate_version_schema(schema: Any, path: str, *, status_enabled: bool = False) -> list[errors.FieldError]:
    """Every error of one version's ``openAPIV3Schema`` at ``path`` (``spec.versions[0].schema.openAPIV3Schema``)."""
    if schema is None:
        return [gorender.required(path)]
    problem = shape.decode_error(schema)
    if problem is not None or not isinstance(schema, Mapping):
        return [gorender.invalid(path, "", problem or "must be an object")]
    found: list[errors.FieldError] = []
    if status_enabled:
        found.extend(_status_root(schema, path))
    if schema.get("nullable"):
        found.append(gorender.forbidden(f"{path}.nullable", "nullable cannot be true at the root"))
    init_error = structural.unsupported(schema)
    if init_error is None:
        structure = structural.validate_structural(schema, path)
        found.extend(structure or validate_defaults(schema, path))
    found.extend(openapi_checks.check_openapi_schema(schema, path))
    if not found and init_error is not None:
        found.append(gorender.invalid(path, "", init_error))
    return found


def validate_crd_schemas(crd: Mapping[str, Any]) -> list[errors.FieldError]:
    """The schema errors of every version of a v1 CRD, on kube's paths."""
    spec = crd.get("spec")
    versions = spec.get("versions") if isinstance(spec, Mapping) else None
    found: list[errors.FieldError] = []
    for i, version in enumerate(versions if isinstance(versions, list) else []):
        if not isinstance(version, Mapping):
            continue
        holder = version.get("schema")
        schema = holder.get("openAPIV3Schema") if isinstance(holder, Mapping) else None
        subresources = version.get("subresources")
        status_enabled = isinstance(subresources, Mapping) and subresources.get("status") is not None
        path = f"spec.versions[{i}].schema.openAPIV3Schema"
        if schema is None:
            found.append(gorender.required(path))
            continue
        found.extend(validate_version_schema(schema, path, status_enabled=status_enabled))
    return found
