"""The Swagger 2.0 document in the protobuf encoding kubectl 1.27 and 1.28 require.

client-go's ``OpenAPISchema()`` asks ``/openapi/v2`` for
``application/com.github.proto-openapi.spec.v2@v1.0+protobuf`` and decodes the answer as gnostic's
``openapi.v2.Document`` message, whatever the answer's content type: without this encoding those kubectl
versions cannot ``explain``, ``create`` or ``apply`` at all (1.29 and later read ``/openapi/v3`` instead). kube
produces it by parsing its JSON document with gnostic; we encode our JSON document directly into the same
messages (field numbers from gnostic-models' ``OpenAPIv2.proto``):

    v2 JSON dict -> Document{swagger, info, paths{PathItem{Operation, parameters}}, definitions{Schema}, security}

Vendor extensions (``x-kubernetes-group-version-kind``...) travel as gnostic ``Any`` messages holding YAML
text; JSON text is YAML, so each extension value is written as JSON. Schema keywords Swagger 2.0 cannot hold
(``oneOf``, ``nullable``...) are not encoded, as gnostic would not keep them either.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import orjson

ACCEPTED_MEDIA_TYPES: Final = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
                               "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
"""What clients ask for (kubectl sends the first)."""
CONTENT_TYPE: Final = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
"""What kube-apiserver answers with."""

_METHODS = {"get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8}


# -- protobuf wire format ------------------------------------------------------------------------------------

def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _message(number: int, payload: bytes) -> bytes:
    """A length-delimited field: an embedded message, a string or bytes."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _string(number: int, value: Any) -> bytes:
    return _message(number, str(value).encode()) if value not in (None, "") else b""


def _strings(number: int, values: Any) -> bytes:
    items = values if isinstance(values, list) else [values]
    return b"".join(_message(number, str(v).encode()) for v in items)


def _bool(number: int, value: Any) -> bytes:
    return _varint(number << 3) + b"\x01" if value is True else b""


def _oneof_bool(number: int, value: Any) -> bytes:
    """A boolean member of a oneof: written even when false, since a oneof records which member is set."""
    return _varint(number << 3) + (b"\x01" if value is True else b"\x00")


def _int(number: int, value: Any) -> bytes:
    return _varint(number << 3) + _varint(value) if isinstance(value, int) and value > 0 else b""


def _double(number: int, value: Any) -> bytes:
    return _varint(number << 3 | 1) + struct.pack("<d", float(value))


def _any(number: int, value: Any) -> bytes:
    """gnostic ``Any``: the value as YAML text (field 2); JSON is YAML."""
    return _message(number, _message(2, orjson.dumps(value)))


def _named(number: int, name: str, value: bytes) -> bytes:
    """gnostic's ``Named*`` messages: ``name`` (1) and ``value`` (2)."""
    return _message(number, _string(1, name) + _message(2, value))


def _extensions(number: int, node: Mapping[str, Any]) -> bytes:
    return b"".join(_message(number, _string(1, key) + _any(2, value))
                    for key, value in node.items() if key.startswith("x-"))


# -- Schema ---------------------------------------------------------------------------------------------------

_SCHEMA_FIELDS: dict[str, Callable[[Any], bytes]] = {
    "$ref": lambda v: _string(1, v),
    "format": lambda v: _string(2, v),
    "title": lambda v: _string(3, v),
    "description": lambda v: _string(4, v),
    "default": lambda v: _any(5, v),
    "multipleOf": lambda v: _double(6, v),
    "maximum": lambda v: _double(7, v),
    "exclusiveMaximum": lambda v: _bool(8, v),
    "minimum": lambda v: _double(9, v),
    "exclusiveMinimum": lambda v: _bool(10, v),
    "maxLength": lambda v: _int(11, v),
    "minLength": lambda v: _int(12, v),
    "pattern": lambda v: _string(13, v),
    "maxItems": lambda v: _int(14, v),
    "minItems": lambda v: _int(15, v),
    "uniqueItems": lambda v: _bool(16, v),
    "maxProperties": lambda v: _int(17, v),
    "minProperties": lambda v: _int(18, v),
    "required": lambda v: _strings(19, v),
    "enum": lambda v: b"".join(_any(20, item) for item in v),
    "additionalProperties": lambda v: _message(21, _message(1, schema(v)) if isinstance(v, Mapping)
                                               else _oneof_bool(2, v)),
    "type": lambda v: _message(22, _strings(1, v)),
    "items": lambda v: _message(23, b"".join(_message(1, schema(i)) for i in (v if isinstance(v, list) else [v]))),
    "allOf": lambda v: b"".join(_message(24, schema(item)) for item in v),
    "properties": lambda v: _message(25, b"".join(_named(1, name, schema(child)) for name, child in v.items())),
    "discriminator": lambda v: _string(26, v),
    "readOnly": lambda v: _bool(27, v),
    "example": lambda v: _any(30, v),
}


def schema(node: Mapping[str, Any]) -> bytes:
    """An ``openapi.v2.Schema`` message."""
    fields = b"".join(_SCHEMA_FIELDS[key](value) for key, value in node.items() if key in _SCHEMA_FIELDS)
    return fields + _extensions(31, node)


# -- paths ----------------------------------------------------------------------------------------------------

# Where each parameter location's sub-schema sits in NonBodyParameter, and its type, format, uniqueItems and
# vendor extension field numbers (the query and form sub-schemas have allowEmptyValue before type).
_NON_BODY = {"header": (1, 5, 6, 19, 22), "formData": (2, 6, 7, 20, 23), "query": (3, 6, 7, 20, 23),
             "path": (4, 5, 6, 19, 22)}


def _parameter(param: Mapping[str, Any]) -> bytes:
    """A ``ParametersItem``: a body parameter, a query/path/header/form parameter, or a reference."""
    if "$ref" in param:
        return _message(2, _string(1, param["$ref"]))
    location = param.get("in", "")
    if location == "body":
        body = (_string(1, param.get("description")) + _string(2, param.get("name")) + _string(3, "body")
                + _bool(4, param.get("required")) + _message(5, schema(param.get("schema", {}))))
        return _message(1, _message(1, body))
    kind, type_field, format_field, unique_field, extension_field = _NON_BODY[location]
    sub = (_bool(1, param.get("required")) + _string(2, location) + _string(3, param.get("description"))
           + _string(4, param.get("name")) + _string(type_field, param.get("type"))
           + _string(format_field, param.get("format")) + _bool(unique_field, param.get("uniqueItems"))
           + _extensions(extension_field, param))
    return _message(1, _message(2, _message(kind, sub)))


def _responses(responses: Mapping[str, Any]) -> bytes:
    out = b""
    for code, response in responses.items():
        body = _string(1, response.get("description"))
        if "schema" in response:
            body += _message(2, _message(1, schema(response["schema"])))
        out += _named(1, code, _message(1, body + _extensions(5, response)))
    return out


def _operation(op: Mapping[str, Any]) -> bytes:
    return (_strings(1, op.get("tags", [])) + _string(2, op.get("summary")) + _string(3, op.get("description"))
            + _string(5, op.get("operationId")) + _strings(6, op.get("produces", []))
            + _strings(7, op.get("consumes", []))
            + b"".join(_message(8, _parameter(p)) for p in op.get("parameters", []))
            + _message(9, _responses(op.get("responses", {}))) + _strings(10, op.get("schemes", []))
            + _bool(11, op.get("deprecated")) + _extensions(13, op))


def _path_item(item: Mapping[str, Any]) -> bytes:
    out = b"".join(_message(number, _operation(item[method])) for method, number in _METHODS.items()
                   if method in item)
    out += b"".join(_message(9, _parameter(p)) for p in item.get("parameters", []))
    return out + _extensions(10, item)


# -- document -------------------------------------------------------------------------------------------------

def _security(requirements: Sequence[Mapping[str, Sequence[str]]]) -> bytes:
    return b"".join(_message(12, b"".join(_named(1, name, _strings(1, list(scopes)))
                                          for name, scopes in requirement.items()))
                    for requirement in requirements)


def _security_definitions(definitions: Mapping[str, Mapping[str, Any]]) -> bytes:
    items = b""
    for name, scheme in definitions.items():
        api_key = (_string(1, scheme.get("type")) + _string(2, scheme.get("name")) + _string(3, scheme.get("in"))
                   + _string(4, scheme.get("description")))
        items += _named(1, name, _message(2, api_key))
    return _message(13, items)


def document(doc: Mapping[str, Any]) -> bytes:
    """The ``openapi.v2.Document`` message of a Swagger 2.0 document."""
    info = doc.get("info", {})
    return (_string(1, doc.get("swagger"))
            + _message(2, _string(1, info.get("title")) + _string(2, info.get("version"))
                       + _string(3, info.get("description")))
            + _message(8, b"".join(_named(2, path, _path_item(item)) for path, item in doc.get("paths", {}).items()))
            + _message(9, b"".join(_named(1, name, schema(node))
                                   for name, node in doc.get("definitions", {}).items()))
            + _security(doc.get("security", []))
            + _security_definitions(doc.get("securityDefinitions", {}))
            + _extensions(16, doc))
