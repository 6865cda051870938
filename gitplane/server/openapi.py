"""OpenAPI documents for a set of served resource types: ``/openapi/v2`` and ``/openapi/v3``, as bytes.

kubectl reads these for ``explain``, for its field-validation check (it sends ``fieldValidation=Strict`` only
when a resource's PATCH operation lists that parameter) and, lacking that, for client-side validation; client
generators read them for operation ids. The documents are rendered from the operations of
:mod:`gitplane.server.openapi_paths` and the schema definitions (the built-in ones by default):

    types -> operations -> /openapi/v2          Swagger 2.0: every path, ``definitions``; as JSON, or as
                                                 gnostic protobuf for kubectl 1.27/1.28 (openapi_v2_proto)
                        -> /openapi/v3/<gv>     OpenAPI 3.0 per group version (``api/v1``, ``apis/g/v``): its
                                                 paths, ``components.schemas`` reachable from them
                        -> /openapi/v3          index of the group versions, ``?hash=`` per document

The hash is kube's: upper-case hex SHA-512 of the document's bytes, so a client may cache a hashed URL forever
(``Cache-Control: public, immutable``) and a changed document gets a new URL. Keys are sorted, so a document's
bytes (and hash) depend only on its content. Each document is rendered on first request and kept;
:func:`openapi_docs` shares one :class:`OpenAPIDocs` per list of types.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from gitplane.api import builtin_schemas
from gitplane.api.resources import ResourceType
from gitplane.server import openapi_paths, openapi_v2_proto
from gitplane.server.openapi_paths import META, Operation, Parameter

Definitions = Mapping[str, Mapping[str, Any]]

# Types every client may meet whatever it asks for (watch events, errors, discovery).
_V2_META_DEFINITIONS = tuple(META + name for name in (
    "APIGroup", "APIGroupList", "APIResourceList", "APIVersions", "DeleteOptions", "Patch", "Status",
    "WatchEvent"))
_SECURITY_SCHEME = {"BearerToken": {"description": "Bearer Token authentication", "in": "header",
                                    "name": "authorization", "type": "apiKey"}}


def _dumps(document: Any) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def api_path(group: str, version: str) -> str:
    """The key of a group version in ``/openapi/v3``: ``api/v1`` or ``apis/<group>/<version>``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def reachable_definitions(roots: Iterable[str], definitions: Definitions) -> list[str]:
    """The names of ``roots`` and of every definition they reference, transitively, sorted.

    Raises:
        KeyError: a referenced definition is missing.
    """
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        if name not in definitions:
            raise KeyError(f"schema definition {name!r} is missing")
        seen.add(name)
        pending.extend(_references(definitions[name]))
    return sorted(seen)


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[-1]
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _schemas_of(operations: Iterable[Operation]) -> set[str]:
    names: set[str] = set()
    for op in operations:
        names.update(r.schema for r in op.responses if r.schema)
        if op.body:
            names.add(op.body)
    return names


def _by_path(operations: Iterable[Operation]) -> dict[str, list[Operation]]:
    paths: dict[str, list[Operation]] = {}
    for op in operations:
        paths.setdefault(op.path, []).append(op)
    return paths


def _split_parameters(operations: list[Operation]) -> tuple[list[Parameter], list[list[Parameter]]]:
    """kube's builder moves a parameter every operation of a path shares to the path; each list sorted by
    name, then location."""
    shared = set(operations[0].parameters).intersection(*(op.parameters for op in operations[1:]))
    own = [sorted((p for p in op.parameters if p not in shared), key=_parameter_order) for op in operations]
    return sorted(shared, key=_parameter_order), own


def _parameter_order(parameter: Parameter) -> tuple[str, str]:
    return parameter.name, parameter.location


def _gvk(op: Operation) -> dict[str, Any]:
    if op.gvk is None:
        return {}
    group, version, kind = op.gvk
    return {"x-kubernetes-action": op.action,
            "x-kubernetes-group-version-kind": {"group": group, "kind": kind, "version": version}}


class OpenAPIDocs:
    """The OpenAPI documents of one list of resource types; every document is rendered once, when first
    asked for."""

    def __init__(self, types: Iterable[ResourceType], definitions: Definitions | None = None) -> None:
        self.types: tuple[ResourceType, ...] = tuple(types)
        self.definitions = builtin_schemas.builtin_definitions() if definitions is None else definitions
        self._operations: dict[str, list[Operation]] = {}
        for t in self.types:
            key = api_path(t.group, t.version)
            if key not in self._operations:
                self._operations[key] = [openapi_paths.discovery_operation(t.group, t.version)]
            self._operations[key].extend(openapi_paths.resource_operations(t))
        self._v3: dict[str, bytes] = {}
        version = f"v{builtin_schemas.KUBERNETES_VERSION}.0"
        self._info = {"title": "Kubernetes", "version": version}

    # -- OpenAPI 3.0 --------------------------------------------------------------------------------------
    def group_versions(self) -> list[str]:
        """The keys of the group-version documents (``api/v1``, ``apis/coordination.k8s.io/v1``)."""
        return sorted(self._operations)

    def v3(self, group_version: str) -> bytes | None:
        """The OpenAPI 3.0 document of ``group_version`` (a key of :meth:`group_versions`), or None."""
        cached = self._v3.get(group_version)
        if cached is None:
            operations = self._operations.get(group_version)
            if operations is None:
                return None
            cached = self._v3[group_version] = _dumps(self._v3_document(operations))
        return cached

    def v3_hash(self, group_version: str) -> str | None:
        """kube's ``hash`` of the group-version document: upper-case hex SHA-512 of its bytes."""
        return self._hashes.get(group_version)

    @functools.cached_property
    def _hashes(self) -> dict[str, str]:
        return {gv: hashlib.sha512(self.v3(gv) or b"").hexdigest().upper() for gv in self.group_versions()}

    @functools.cached_property
    def _index(self) -> bytes:
        return _dumps({"paths": {gv: {"serverRelativeURL": f"/openapi/v3/{gv}?hash={self._hashes[gv]}"}
                                 for gv in self.group_versions()}})

    def v3_index(self) -> bytes:
        """``/openapi/v3``: each group version with the hashed URL of its document."""
        return self._index

    def _v3_document(self, operations: list[Operation]) -> dict[str, Any]:
        names = reachable_definitions(_schemas_of(operations), self.definitions)
        return {
            "openapi": "3.0.0",
            "info": self._info,
            "paths": {path: _v3_path(ops) for path, ops in _by_path(operations).items()},
            "components": {"schemas": {name: self.definitions[name] for name in names},
                           "securitySchemes": _SECURITY_SCHEME},
            "security": [{"BearerToken": []}],
        }

    # -- Swagger 2.0 --------------------------------------------------------------------------------------
    @functools.cached_property
    def _v2_document(self) -> dict[str, Any]:
        operations = [op for gv in self.group_versions() for op in self._operations[gv]]
        names = reachable_definitions({*_schemas_of(operations), *_V2_META_DEFINITIONS}, self.definitions)
        return {
            "swagger": "2.0",
            "info": self._info,
            "paths": {path: _v2_path(ops) for path, ops in _by_path(operations).items()},
            "definitions": builtin_schemas.to_swagger_v2({name: self.definitions[name] for name in names}),
            "securityDefinitions": _SECURITY_SCHEME,
            "security": [{"BearerToken": []}],
        }

    @functools.cached_property
    def _v2(self) -> bytes:
        return _dumps(self._v2_document)

    def v2(self) -> bytes:
        """``/openapi/v2``: one Swagger 2.0 document of every path and definition, as JSON."""
        return self._v2

    @functools.cached_property
    def _v2_protobuf(self) -> bytes:
        return openapi_v2_proto.document(self._v2_document)

    def v2_protobuf(self) -> bytes:
        """``/openapi/v2`` in gnostic's protobuf encoding (:data:`openapi_v2_proto.CONTENT_TYPE`), which
        kubectl 1.27 and 1.28 require."""
        return self._v2_protobuf


def _v3_parameter(p: Parameter) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "in": p.location, "description": p.description,
                           "schema": {"type": p.type, "uniqueItems": True}}
    if p.required:
        out["required"] = True
    return out


def _v3_ref(schema: str) -> dict[str, str]:
    return {"$ref": builtin_schemas.V3_REF_PREFIX + schema}


def _v3_path(operations: list[Operation]) -> dict[str, Any]:
    shared, own = _split_parameters(operations)
    item: dict[str, Any] = {"parameters": [_v3_parameter(p) for p in shared]} if shared else {}
    for op, parameters in zip(operations, own, strict=True):
        body: dict[str, Any] = {"description": op.description, "operationId": op.operation_id,
                                "tags": [op.tag], "responses": {}, **_gvk(op)}
        if parameters:
            body["parameters"] = [_v3_parameter(p) for p in parameters]
        if op.body:
            body["requestBody"] = {"content": {t: {"schema": _v3_ref(op.body)} for t in op.consumes},
                                   "required": op.body_required}
        for r in op.responses:
            answer: dict[str, Any] = {"description": r.description}
            if r.schema:
                answer["content"] = {t: {"schema": _v3_ref(r.schema)} for t in op.produces}
            body["responses"][r.code] = answer
        item[op.method] = body
    return item


def _v2_parameter(p: Parameter) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "in": p.location, "description": p.description, "type": p.type,
                           "uniqueItems": True}
    if p.required:
        out["required"] = True
    return out


def _v2_ref(schema: str) -> dict[str, str]:
    return {"$ref": builtin_schemas.V2_REF_PREFIX + schema}


def _v2_path(operations: list[Operation]) -> dict[str, Any]:
    shared, own = _split_parameters(operations)
    item: dict[str, Any] = {"parameters": [_v2_parameter(p) for p in shared]} if shared else {}
    for op, parameters in zip(operations, own, strict=True):
        params = [_v2_parameter(p) for p in parameters]
        if op.body:
            body_param = {"name": "body", "in": "body", "schema": _v2_ref(op.body)}
            params.insert(0, {**body_param, "required": True} if op.body_required else body_param)
        body: dict[str, Any] = {
            "description": op.description, "operationId": op.operation_id, "tags": [op.tag],
            "consumes": list(op.consumes), "produces": list(op.produces), "schemes": ["https"],
            "responses": {r.code: {"description": r.description, **({"schema": _v2_ref(r.schema)} if r.schema
                                                                   else {})} for r in op.responses},
            **_gvk(op),
        }
        if params:
            body["parameters"] = params
        item[op.method] = body
    return item


@functools.lru_cache(maxsize=64)
def openapi_docs(types: tuple[ResourceType, ...]) -> OpenAPIDocs:
    """The (shared, cached) OpenAPI documents of a list of built-in resource types."""
    return OpenAPIDocs(types)
