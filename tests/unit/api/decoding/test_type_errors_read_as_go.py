"""Values of the wrong JSON type fail as Go's typed decoding fails, with its wording; nulls become zero
values."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import decoding
from gitplane.api.schema import Schema
from tests.unit.api.decoding.decoding_helpers import Decode, DecodeError


def unmarshal(what: str, field: str, go_type: str) -> str:
    """Go's type error text for ``what`` (``number``, ``string 1.5``...) in struct field ``field``."""
    return f"json: cannot unmarshal {what} into Go struct field {field} of type {go_type}"


@pytest.mark.parametrize(("obj", "kind", "cause"), [
    pytest.param({"data": {"a": 1}}, "ConfigMap", unmarshal("number", "ConfigMap.data", "string"),
                 id="number-as-map-value"),
    pytest.param({"data": "x"}, "ConfigMap", unmarshal("string", "ConfigMap.data", "map[string]string"),
                 id="string-as-map"),
    pytest.param({"metadata": "x"}, "ConfigMap", unmarshal("string", "ConfigMap.metadata", "v1.ObjectMeta"),
                 id="string-as-struct"),
    pytest.param({"metadata": {"name": 5}}, "ConfigMap",
                 unmarshal("number", "ObjectMeta.metadata.name", "string"),
                 id="innermost-struct-and-full-field-path"),
    pytest.param({"metadata": {"labels": {"a": True}}}, "ConfigMap",
                 unmarshal("bool", "ObjectMeta.metadata.labels", "string"),
                 id="map-keys-are-not-part-of-the-path"),
    pytest.param({"metadata": {"finalizers": ["a", {"b": 1}]}}, "Namespace",
                 unmarshal("object", "ObjectMeta.metadata.finalizers", "string"),
                 id="list-indexes-are-not-part-of-the-path"),
    pytest.param({"metadata": {"finalizers": "a"}}, "Namespace",
                 unmarshal("string", "ObjectMeta.metadata.finalizers", "[]string"), id="string-as-list"),
    pytest.param({"metadata": {"generation": "1"}}, "ConfigMap",
                 unmarshal("string", "ObjectMeta.metadata.generation", "int64"), id="string-as-integer"),
    pytest.param({"metadata": {"generation": 1.5}}, "ConfigMap",
                 unmarshal("number 1.5", "ObjectMeta.metadata.generation", "int64"),
                 id="fraction-as-integer"),
    pytest.param({"spec": {"leaseDurationSeconds": 2**31}}, "Lease",
                 unmarshal("number 2147483648", "LeaseSpec.spec.leaseDurationSeconds", "int32"),
                 id="int32-overflow"),
    pytest.param({"spec": {"leaseDurationSeconds": -(2**31)}, "metadata": {"generation": -(2**63) - 1}},
                 "Lease", unmarshal("number -9223372036854775809", "ObjectMeta.metadata.generation", "int64"),
                 id="int64-overflow"),
    pytest.param({"immutable": "true"}, "ConfigMap", unmarshal("string", "ConfigMap.immutable", "bool"),
                 id="string-as-bool"),
    pytest.param({"count": True}, "Event", unmarshal("bool", "Event.count", "int32"), id="bool-as-integer"),
    pytest.param({"metadata": {"uid": 1}}, "ConfigMap",
                 unmarshal("number", "ObjectMeta.metadata.uid", "types.UID"), id="named-string-type"),
    pytest.param({"type": ["Opaque"]}, "Secret", unmarshal("array", "Secret.type", "v1.SecretType"),
                 id="array-as-named-string"),
])
def test_wrong_json_types_fail_with_gos_message(decode_error: DecodeError, obj: dict[str, Any], kind: str,
                                                cause: str) -> None:
    """The cause is Go's ``json: cannot unmarshal ...`` text for the first wrong value."""
    assert decode_error(obj, kind).cause == cause


def test_decode_error_message_names_kind_and_version(decode_error: DecodeError) -> None:
    """The 400's message is kube's transformDecodeError wording."""
    error = decode_error({"data": {"a": 1}})
    assert error.message == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: '
                             + unmarshal("number", "ConfigMap.data", "string"))
    assert error.status()["reason"] == "BadRequest"


def test_only_the_first_type_error_is_reported(decode_error: DecodeError) -> None:
    """Go keeps the first type error in document order."""
    error = decode_error({"immutable": 1, "data": {"a": 1}})
    assert error.cause == unmarshal("number", "ConfigMap.immutable", "bool")


def test_self_parsing_field_error_wins_over_an_earlier_type_error(decode_error: DecodeError) -> None:
    """An Unmarshaler's error (a timestamp) stops decoding and is reported even after a type error."""
    error = decode_error({"data": {"a": 1}, "metadata": {"creationTimestamp": "soon"}})
    assert error.cause.startswith('parsing time "soon"')


@pytest.mark.parametrize(("obj", "kind", "expected"), [
    pytest.param({"metadata": {"name": "a", "creationTimestamp": None}, "data": None}, "ConfigMap",
                 {"metadata": {"name": "a"}}, id="null-fields-are-dropped"),
    pytest.param({"data": {"a": None, "b": "x"}}, "ConfigMap", {"data": {"a": "", "b": "x"}},
                 id="null-map-value-is-empty-string"),
    pytest.param({"metadata": {"finalizers": ["a", None]}}, "Namespace",
                 {"metadata": {"finalizers": ["a", ""]}}, id="null-list-item-is-zero"),
    pytest.param({"metadata": {"ownerReferences": [None]}}, "ConfigMap",
                 {"metadata": {"ownerReferences": [{}]}}, id="null-struct-item-is-empty-object"),
    pytest.param({"spec": {"hard": {"pods": None}}}, "ResourceQuota", {"spec": {"hard": {"pods": "0"}}},
                 id="null-quantity-is-zero"),
])
def test_nulls_become_what_go_decodes_them_to(decode: Decode, obj: dict[str, Any], kind: str,
                                              expected: dict[str, Any]) -> None:
    """A null struct field is dropped; null map values and list items become the element's zero value."""
    assert decode(obj, kind) == []
    assert obj == expected


_NUMBERS = Schema.of({"type": "object", "properties": {"ratio": {"type": "number", "format": "double"}},
                      "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Gauge"}]})


@pytest.mark.parametrize(("value", "cause"), [
    pytest.param(1.5, None, id="fraction"),
    pytest.param(-3, None, id="integer"),
    pytest.param("1", unmarshal("string", ".ratio", "float64"), id="string"),
    pytest.param(False, unmarshal("bool", ".ratio", "float64"), id="bool"),
])
def test_number_fields_take_any_json_number(value: object, cause: str | None) -> None:
    """A ``number`` field takes integers and fractions; an inline (unnamed) struct has no Go type name."""
    obj = {"ratio": value}
    if cause is None:
        assert decoding.decode_typed(obj, _NUMBERS, mode="Strict") == []
        return
    with pytest.raises(decoding.TypedDecodeError) as caught:
        decoding.decode_typed(obj, _NUMBERS, mode="Strict")
    assert caught.value.cause == cause
    assert caught.value.message == f'Gauge in version "v1" cannot be handled as a Gauge: {cause}'
