"""The protobuf form of /openapi/v2 holds what kubectl 1.27 and 1.28 read from gnostic's Document message."""

from __future__ import annotations

import struct
from typing import Any

import orjson
import pytest

from gitplane.api.builtin_types import BUILTIN_TYPES
from gitplane.server import openapi, openapi_v2_proto

DOCS = openapi.openapi_docs(BUILTIN_TYPES)
Fields = dict[int, list[Any]]


def read(message: bytes) -> Fields:
    """A protobuf message's fields by number: varints as ints, length-delimited fields as bytes."""
    fields: Fields = {}
    at = 0

    def varint() -> int:
        nonlocal at
        value, shift = 0, 0
        while True:
            byte = message[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while at < len(message):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value: Any = varint()
        elif wire == 1:
            value = struct.unpack("<d", message[at:at + 8])[0]
            at += 8
        else:
            assert wire == 2
            size = varint()
            value = message[at:at + size]
            at += size
        fields.setdefault(number, []).append(value)
    return fields


def named(container: bytes, number: int) -> dict[str, bytes]:
    """gnostic's repeated ``Named*`` entries of ``container``'s field ``number``: name -> value message."""
    out = {}
    for entry in read(container).get(number, []):
        fields = read(entry)
        out[fields[1][0].decode()] = fields.get(2, [b""])[0]
    return out


def extensions(message: bytes, number: int) -> dict[str, Any]:
    """Vendor extensions (``NamedAny`` with YAML text, here JSON) of a message."""
    return {name: orjson.loads(read(value)[2][0]) for name, value in named(message, number).items()}


DOCUMENT = DOCS.v2_protobuf()
TOP = read(DOCUMENT)
PATHS = named(TOP[8][0], 2)
DEFINITIONS = named(TOP[9][0], 1)


def test_the_document_names_swagger_2_and_kubernetes() -> None:
    """Field 1 is the Swagger version, field 2 the info of the JSON document."""
    assert TOP[1] == [b"2.0"]
    info = read(TOP[2][0])
    assert (info[1], info[2]) == ([b"Kubernetes"], [b"v1.30.0"])


def test_every_path_and_definition_of_the_json_document_is_encoded() -> None:
    """Nothing is lost between the JSON and the protobuf forms, path or definition."""
    document = orjson.loads(DOCS.v2())
    assert sorted(PATHS) == sorted(document["paths"])
    assert sorted(DEFINITIONS) == sorted(document["definitions"])


def test_kinds_carry_gvk_description_and_properties_for_explain() -> None:
    """A kind's Schema holds its description, properties and x-kubernetes-group-version-kind."""
    configmap = DEFINITIONS["io.k8s.api.core.v1.ConfigMap"]
    fields = read(configmap)
    assert fields[4][0].decode().startswith("ConfigMap holds configuration data")
    assert read(fields[22][0])[1] == [b"object"]
    properties = named(fields[25][0], 1)
    assert read(properties["metadata"])[1] == [b"#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
    values = read(read(read(properties["data"])[21][0])[1][0])
    assert read(values[22][0])[1] == [b"string"]
    assert extensions(configmap, 31)["x-kubernetes-group-version-kind"] == [
        {"group": "", "kind": "ConfigMap", "version": "v1"}]


def patch_query_parameters(path: str) -> tuple[dict[str, Any], set[str]]:
    """The gvk extension and query parameter names of a path's PATCH, found as kubectl's v2 verifier does."""
    operation = read(PATHS[path])[8][0]
    names = set()
    for item in read(operation)[8]:
        parameter = read(read(item)[1][0])
        if 2 in parameter:
            non_body = read(parameter[2][0])
            if 3 in non_body:
                names.add(read(non_body[3][0])[4][0].decode())
    return extensions(operation, 13)["x-kubernetes-group-version-kind"], names


@pytest.mark.parametrize(("path", "gvk"), [
    pytest.param("/api/v1/namespaces/{namespace}/configmaps/{name}",
                 {"group": "", "kind": "ConfigMap", "version": "v1"}, id="configmaps"),
    pytest.param("/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}",
                 {"group": "coordination.k8s.io", "kind": "Lease", "version": "v1"}, id="leases"),
    pytest.param("/api/v1/namespaces/{name}", {"group": "", "kind": "Namespace", "version": "v1"},
                 id="namespaces"),
])
def test_patch_operations_advertise_field_validation_to_kubectl(path: str, gvk: dict[str, str]) -> None:
    """kubectl 1.27/1.28 look for fieldValidation among the query parameters of the kind's PATCH."""
    found_gvk, names = patch_query_parameters(path)
    assert found_gvk == gvk
    assert {"fieldValidation", "fieldManager", "dryRun", "force"} <= names


def test_path_parameters_and_body_parameters_are_encoded_by_location() -> None:
    """Path parameters are path sub-schemas (required); the patch body is a body parameter with a schema."""
    item = read(PATHS["/api/v1/namespaces/{namespace}/configmaps/{name}"])
    path_parameters = [read(read(read(read(p)[1][0])[2][0])[4][0]) for p in item[9]
                       if 4 in read(read(read(p)[1][0])[2][0])]
    assert sorted(p[4][0].decode() for p in path_parameters) == ["name", "namespace"]
    assert all(p[1] == [1] for p in path_parameters)
    patch = read(item[8][0])
    [body] = [read(read(p)[1][0])[1][0] for p in patch[8] if 1 in read(read(p)[1][0])]
    body_fields = read(body)
    assert (body_fields[2], body_fields[3], body_fields[4]) == ([b"body"], [b"body"], [1])
    assert read(body_fields[5][0])[1] == [b"#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"]


def test_responses_reference_their_schemas() -> None:
    """A GET answers 200 with a schema reference and 401 without one."""
    get = read(read(PATHS["/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"])[2][0])
    responses = named(get[9][0], 1)
    ok = read(read(responses["200"])[1][0])
    assert ok[1] == [b"OK"]
    assert read(read(ok[2][0])[1][0])[1] == [b"#/definitions/io.k8s.api.coordination.v1.Lease"]
    assert 2 not in read(read(responses["401"])[1][0])


def test_schema_keywords_use_gnostic_field_numbers() -> None:
    """Numbers, booleans, lists and nested schemas land in gnostic's Schema fields."""
    encoded = read(openapi_v2_proto.schema({
        "type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 5.5}, "maxItems": 3,
        "uniqueItems": True, "required": ["a", "b"], "enum": [["x"]], "additionalProperties": False}))
    assert read(encoded[22][0])[1] == [b"array"]
    item = read(read(encoded[23][0])[1][0])
    assert (item[9], item[7]) == ([1.0], [5.5])
    assert (encoded[14], encoded[16], encoded[19]) == ([3], [1], [b"a", b"b"])
    assert orjson.loads(read(encoded[20][0])[2][0]) == ["x"]
    assert read(encoded[21][0]) == {2: [0]}
    assert openapi_v2_proto.schema({"additionalProperties": True}) == bytes([0xAA, 0x01, 2, 2 << 3, 1])


def test_the_encoding_is_built_once() -> None:
    """The protobuf document is encoded on first request and kept."""
    assert DOCS.v2_protobuf() is DOCUMENT
