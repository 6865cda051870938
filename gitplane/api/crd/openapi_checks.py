"""The apiextensions checks of each node of a CRD's ``openAPIV3Schema`` (kube's
``ValidateCustomResourceDefinitionOpenAPISchema``), beside the structural invariants of :mod:`.structural`.

Walking every node (properties, additionalProperties, items, the junctors, even ``definitions``), it refuses:
unknown types and ``type: null``; JSON-schema features kube does not serve (``id``, ``$ref``, ``definitions``,
``dependencies``, ``patternProperties``, ``additionalItems``, array ``items``); ``uniqueItems: true``;
``properties`` together with a restricting ``additionalProperties``; defaults in the root's ``metadata``,
``apiVersion``, ``kind`` (and in additionalProperties under object meta); embedded resources inside metadata;
``x-kubernetes-preserve-unknown-fields: false``; and the list and map type extensions used wrongly:

    map-type     only on objects, ``atomic`` or ``granular``
    list-type    only on arrays; ``atomic``, ``set`` or ``map``; set items atomic; set/map items not nullable
    map keys     only with list-type map, which needs keys; items of type object; each key a scalar property
                 of the items, listed once, required or defaulted, not nullable

``x-kubernetes-validations`` rules are kept as they are (the CEL package checks them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from gitplane.api import errors
from gitplane.api.crd import gorender

Schema = Mapping[str, Any]
_TYPES = ("array", "boolean", "integer", "number", "object", "string")
_META_FIELDS = frozenset({"metadata", "kind", "apiVersion"})


def _props(schema: Schema) -> Mapping[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, Mapping) else {}


@dataclass(frozen=True, slots=True)
class _Context:
    allow_defaults: bool = True
    forbidden_defaults_reason: str = ""
    inside_resource_meta: bool = False


def _node_checks(schema: Schema, path: str, ctx: _Context, found: list[errors.FieldError]) -> None:
    t = schema.get("type")
    if isinstance(t, str) and t and t not in _TYPES:
        found.append(gorender.not_supported(f"{path}.type", t, _TYPES))
    if schema.get("default") is not None and not ctx.allow_defaults:
        detail = "must not be set" + (f" {ctx.forbidden_defaults_reason}" if ctx.forbidden_defaults_reason else "")
        found.append(gorender.forbidden(f"{path}.default", detail))
    if schema.get("id"):
        found.append(gorender.forbidden(f"{path}.id", "id is not supported"))
    if schema.get("additionalItems") is not None:
        found.append(gorender.forbidden(f"{path}.additionalItems", "additionalItems is not supported"))
    for key in ("patternProperties", "definitions"):
        if schema.get(key):
            found.append(gorender.forbidden(f"{path}.{key}", f"{key} is not supported"))
    if schema.get("dependencies") is not None:
        found.append(gorender.forbidden(f"{path}.dependencies", "dependencies is not supported"))
    if "$ref" in schema and schema["$ref"] is not None:
        found.append(gorender.forbidden(f"{path}.$ref", "$ref is not supported"))
    if t == "null":
        found.append(gorender.forbidden(f"{path}.type", "type cannot be set to null, use nullable as an alternative"))
    if isinstance(schema.get("items"), list):
        found.append(gorender.forbidden(f"{path}.items", "items must be a schema object and not an array"))
    if ctx.inside_resource_meta and schema.get("x-kubernetes-embedded-resource"):
        found.append(
            gorender.forbidden(f"{path}.x-kubernetes-embedded-resource", "must not be used inside of resource meta")
        )


def _extension_checks(schema: Schema, path: str, found: list[errors.FieldError]) -> None:
    t = schema.get("type") if isinstance(schema.get("type"), str) else ""
    if schema.get("x-kubernetes-preserve-unknown-fields") is False:
        found.append(
            gorender.invalid(f"{path}.x-kubernetes-preserve-unknown-fields", False, "must be true or undefined")
        )
    map_type = schema.get("x-kubernetes-map-type")
    if map_type is not None and t != "object":
        detail = "must be object if x-kubernetes-map-type is specified"
        found.append(
            gorender.required(f"{path}.type", detail) if not t else gorender.invalid(f"{path}.type", t, detail)
        )
    if map_type is not None and map_type not in ("atomic", "granular"):
        found.append(gorender.not_supported(f"{path}.x-kubernetes-map-type", map_type, ("atomic", "granular")))
    list_type = schema.get("x-kubernetes-list-type")
    items = schema.get("items")
    item = items if isinstance(items, Mapping) else None
    if list_type is not None and t != "array":
        detail = "must be array if x-kubernetes-list-type is specified"
        found.append(
            gorender.required(f"{path}.type", detail) if not t else gorender.invalid(f"{path}.type", t, detail)
        )
    elif list_type == "set" and item is not None:
        detail = "must be atomic as item of a list with x-kubernetes-list-type=set"
        item_list_type = item.get("x-kubernetes-list-type")
        if item.get("type") == "array" and item_list_type is not None and item_list_type != "atomic":
            found.append(gorender.invalid(f"{path}.items.x-kubernetes-list-type", item_list_type, detail))
        elif item.get("type") == "object" and item.get("x-kubernetes-map-type") != "atomic":
            found.append(gorender.invalid(f"{path}.items.x-kubernetes-map-type", item_list_type, detail))
    if list_type is not None and list_type not in ("atomic", "set", "map"):
        found.append(gorender.not_supported(f"{path}.x-kubernetes-list-type", list_type, ("atomic", "set", "map")))
    keys = schema.get("x-kubernetes-list-map-keys") or []
    if keys:
        detail = "must be map if x-kubernetes-list-map-keys is non-empty"
        if list_type is None:
            found.append(gorender.required(f"{path}.x-kubernetes-list-type", detail))
        elif list_type != "map":
            found.append(gorender.invalid(f"{path}.x-kubernetes-list-type", list_type, detail))
    if list_type == "map":
        _map_list_checks(schema, path, list(keys), items, found)
    if list_type in ("set", "map") and item is not None:
        _set_map_item_checks(item, path, list_type, list(keys), found)


def _map_list_checks(schema: Schema, path: str, keys: list[Any], items: Any, found: list[errors.FieldError]) -> None:
    if not keys:
        found.append(
            gorender.required(
                f"{path}.x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"
            )
        )
    if items is None:
        found.append(gorender.required(f"{path}.items", "must have a schema if x-kubernetes-list-type is map"))
        return
    if not isinstance(items, Mapping):
        found.append(
            gorender.invalid(f"{path}.items", items, "must only have a single schema if x-kubernetes-list-type is map")
        )
        return
    item_type = items.get("type") if isinstance(items.get("type"), str) else ""
    if item_type != "object":
        found.append(
            gorender.invalid(
                f"{path}.items.type", item_type, "must be object if parent array's x-kubernetes-list-type is map"
            )
        )
        return
    item_props = _props(items)
    seen: set[Any] = set()
    for key in keys:
        prop = item_props.get(key) if isinstance(key, str) else None
        if isinstance(prop, Mapping):
            if prop.get("type") in ("array", "object"):
                found.append(
                    gorender.invalid(
                        f"{path}.items.properties[{key}].type",
                        item_type,
                        "must be a scalar type if parent array's x-kubernetes-list-type is map",
                    )
                )
        else:
            found.append(
                gorender.invalid(
                    f"{path}.x-kubernetes-list-map-keys", keys, "entries must all be names of item properties"
                )
            )
        if key in seen:
            found.append(
                gorender.invalid(f"{path}.x-kubernetes-list-map-keys", keys, "must not contain duplicate entries")
            )
        seen.add(key)


def _set_map_item_checks(
    item: Schema, path: str, list_type: str, keys: list[Any], found: list[errors.FieldError]
) -> None:
    if item.get("nullable"):
        found.append(
            gorender.forbidden(
                f"{path}.items.nullable", f"cannot be nullable when x-kubernetes-list-type is {list_type}"
            )
        )
    if list_type != "map":
        return
    required = set(item.get("required") or ())
    item_props = _props(item)
    for key in keys:
        prop = item_props.get(key) if isinstance(key, str) else None
        if not isinstance(prop, Mapping):
            continue
        if key not in required and prop.get("default") is None:
            found.append(
                gorender.required(
                    f"{path}.items.properties[{key}].default",
                    "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required "
                    "property",
                )
            )
        if prop.get("nullable"):
            found.append(
                gorender.forbidden(
                    f"{path}.items.properties[{key}].nullable",
                    "this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
                )
            )


def check_openapi_schema(
    schema: Schema, path: str, *, is_root: bool = True, ctx: _Context | None = None
) -> list[errors.FieldError]:
    """Every apiextensions node error of ``schema`` and the nodes below it."""
    ctx = ctx or _Context()
    found: list[errors.FieldError] = []
    _node_checks(schema, path, ctx, found)
    if schema.get("uniqueItems") is True:
        found.append(
            gorender.forbidden(
                f"{path}.uniqueItems",
                "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
            )
        )
    props = _props(schema)
    if "additionalProperties" in schema and schema["additionalProperties"] is not None:
        extra = schema["additionalProperties"]
        if props and extra is not True:
            found.append(
                gorender.forbidden(
                    f"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive"
                )
            )
        if isinstance(extra, Mapping):
            sub_ctx = ctx
            if ctx.inside_resource_meta:
                sub_ctx = replace(
                    ctx,
                    allow_defaults=False,
                    forbidden_defaults_reason="inside additionalProperties applying to object metadata",
                )
            found.extend(check_openapi_schema(extra, f"{path}.additionalProperties", is_root=False, ctx=sub_ctx))
    for name, sub in props.items():
        if not isinstance(sub, Mapping):
            continue
        sub_ctx = ctx
        if (is_root or schema.get("x-kubernetes-embedded-resource")) and name in _META_FIELDS:
            sub_ctx = replace(sub_ctx, inside_resource_meta=True)
            if is_root:
                sub_ctx = replace(sub_ctx, allow_defaults=False, forbidden_defaults_reason=f"in top-level {name}")
        found.extend(check_openapi_schema(sub, f"{path}.properties[{name}]", is_root=False, ctx=sub_ctx))
    not_schema = schema.get("not")
    if isinstance(not_schema, Mapping):
        found.extend(check_openapi_schema(not_schema, f"{path}.not", is_root=False, ctx=ctx))
    for key in ("allOf", "oneOf", "anyOf"):
        for i, sub in enumerate(schema.get(key) or ()):
            if isinstance(sub, Mapping):
                found.extend(check_openapi_schema(sub, f"{path}.{key}[{i}]", is_root=False, ctx=ctx))
    for key in ("definitions", "dependencies"):
        subs = schema.get(key)
        if isinstance(subs, Mapping):
            for name, sub in subs.items():
                if isinstance(sub, Mapping):
                    found.extend(check_openapi_schema(sub, f"{path}.{key}[{name}]", is_root=False, ctx=ctx))
    items = schema.get("items")
    if isinstance(items, Mapping):
        found.extend(check_openapi_schema(items, f"{path}.items", is_root=False, ctx=ctx))
    elif isinstance(items, list):
        for i, sub in enumerate(items):
            if isinstance(sub, Mapping):
                found.extend(check_openapi_schema(sub, f"{path}.items[{i}]", is_root=False, ctx=ctx))
    _extension_checks(schema, path, found)
    return found
