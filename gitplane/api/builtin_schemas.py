"""The OpenAPI schemas of the built-in Kubernetes types, read from the installed ``kubernetes_validate`` data.

Every schema-driven part of the server (typed decoding, strategic merge patch, server-side apply, OpenAPI
documents, ``kubectl explain``) needs kube's ``components.schemas`` table. Rather than ship a copy, we read
the JSON-schema rendition that ``kubernetes_validate`` installs (one ``_definitions.json`` per Kubernetes
version) and convert it back to the form kube-apiserver serves:

    kubernetes_validate/kubernetes-json-schema/v1.30.0-local/_definitions.json   ($defs, JSON schema)
      -> builtin_definitions()   OpenAPI v3 ``components.schemas`` (refs ``#/components/schemas/X``)
      -> to_swagger_v2(defs)     Swagger 2.0 ``definitions`` (refs ``#/definitions/X``)

The conversion undoes what the JSON-schema rendition added: ``["string", "null"]`` types become ``"string"``,
refs with siblings are wrapped as kube's v3 does (``allOf: [{$ref}]`` beside ``description``), IntOrString
becomes kube's int-or-string schema, and the ``enum`` pinned on every kind's ``apiVersion`` and ``kind`` is
dropped. The version directory is chosen by distance to :data:`KUBERNETES_VERSION`, so the package may add or
drop versions freely. The table is loaded once, on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, Final

import orjson

KUBERNETES_VERSION: Final = "1.30"
"""The ``major.minor`` Kubernetes version the server reports and whose schemas it serves."""

_PACKAGE = "kubernetes_validate"
_SCHEMA_FOLDER = "kubernetes-json-schema"
_DEFINITIONS_FILE = "_definitions.json"
_VERSION_FOLDER = re.compile(r"v(\d+)\.(\d+)\.(\d+)-local")

_JSON_SCHEMA_REF = "#/$defs/"
V3_REF_PREFIX: Final = "#/components/schemas/"
V2_REF_PREFIX: Final = "#/definitions/"

_INT_OR_STRING_TYPES = frozenset({"integer", "string"})
_TYPE_META_PROPERTIES = ("apiVersion", "kind")

Definitions = Mapping[str, Mapping[str, Any]]


def closest_version_folder(folders: Iterable[str], wanted: str = KUBERNETES_VERSION) -> str:
    """The ``vX.Y.Z-local`` folder whose minor version is closest to ``wanted`` (the older one on a tie).

    Raises:
        LookupError: no folder of the wanted major version is present.
    """
    major, minor = (int(part) for part in wanted.split(".")[:2])
    candidates: list[tuple[int, int, str]] = []
    for folder in folders:
        match = _VERSION_FOLDER.fullmatch(folder)
        if match is None or int(match.group(1)) != major:
            continue
        found = int(match.group(2))
        candidates.append((abs(found - minor), found, folder))
    if not candidates:
        raise LookupError(f"{_PACKAGE} ships no schemas for Kubernetes {major}.x")
    return min(candidates)[2]


@functools.cache
def builtin_definitions() -> Definitions:
    """kube's OpenAPI v3 ``components.schemas`` for the built-in types, keyed by Go package path.

    Loaded and converted on first call (a few tens of milliseconds), then shared by every caller; treat the
    result as read-only.
    """
    root = resources.files(_PACKAGE).joinpath(_SCHEMA_FOLDER)
    folder = closest_version_folder(entry.name for entry in root.iterdir() if entry.is_dir())
    raw = orjson.loads(root.joinpath(folder, _DEFINITIONS_FILE).read_bytes())
    return {name: _definition_v3(node) for name, node in raw["$defs"].items()}


def _definition_v3(node: Mapping[str, Any]) -> dict[str, Any]:
    out = _schema_v3(node)
    properties = out.get("properties")
    if isinstance(properties, dict):
        for name in _TYPE_META_PROPERTIES:
            prop = properties.get(name)
            if isinstance(prop, dict):
                prop.pop("enum", None)
    return out


def _schema_v3(node: Mapping[str, Any]) -> dict[str, Any]:
    """One JSON-schema node in kube's OpenAPI v3 form (recursively)."""
    out: dict[str, Any] = {}
    ref = ""
    for key, value in node.items():
        if key == "$ref":
            ref = V3_REF_PREFIX + value.removeprefix(_JSON_SCHEMA_REF)
        elif key == "type":
            out["type"] = _without_null(value)
        elif key == "properties":
            out["properties"] = {name: _schema_v3(child) for name, child in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = _schema_v3(value)
        elif key in ("oneOf", "anyOf", "allOf"):
            out[key] = [_schema_v3(child) for child in value]
        else:
            out[key] = value
    if ref:
        return {"allOf": [{"$ref": ref}], **out} if out else {"$ref": ref}
    alternatives = out.get("oneOf")
    if isinstance(alternatives, list) and {alt.get("type") for alt in alternatives} == _INT_OR_STRING_TYPES:
        out["oneOf"] = [{"type": "integer"}, {"type": "string"}]
        out["format"] = "int-or-string"
        out["x-kubernetes-int-or-string"] = True
    return out


def _without_null(schema_type: Any) -> Any:
    if not isinstance(schema_type, list):
        return schema_type
    kept = [t for t in schema_type if t != "null"]
    return kept[0] if len(kept) == 1 else kept


def to_swagger_v2(definitions: Definitions) -> dict[str, dict[str, Any]]:
    """The Swagger 2.0 ``definitions`` for v3 ``definitions``: ``#/definitions/`` refs with their siblings
    beside them, and one-of types (IntOrString, Quantity) as the strings kube's v2 document declares."""
    return {name: _schema_v2(node) for name, node in definitions.items()}


def _schema_v2(node: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "allOf" and len(value) == 1 and "$ref" in value[0]:
            out["$ref"] = _ref_v2(value[0]["$ref"])
        elif key == "$ref":
            out["$ref"] = _ref_v2(value)
        elif key == "properties":
            out["properties"] = {name: _schema_v2(child) for name, child in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = _schema_v2(value)
        elif key in ("oneOf", "anyOf", "allOf"):
            out["type"] = "string"
        elif key not in ("nullable", "x-kubernetes-int-or-string"):
            out[key] = value
    return out


def _ref_v2(ref: str) -> str:
    return V2_REF_PREFIX + ref.removeprefix(V3_REF_PREFIX)
