"""Fields that parse their own strings (base64 bytes, times, quantities, int-or-string) fail as their Go
types do."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import builtin_schemas, decoding
from gitplane.api.schema import Schema
from tests.unit.api.decoding.decoding_helpers import Decode, DecodeError

RFC3339 = '"2006-01-02T15:04:05Z07:00"'
RFC3339_MICRO = '"2006-01-02T15:04:05.000000Z07:00"'
QUANTITY_FORMAT = ("quantities must match the regular expression "
                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.mark.parametrize(("obj", "kind"), [
    pytest.param({"data": {"a": "aGVsbG8=", "b": "", "c": "aGk=\n"}}, "Secret", id="secret-data"),
    pytest.param({"binaryData": {"a": "AAEC"}}, "ConfigMap", id="configmap-binary-data"),
    pytest.param({"metadata": {"creationTimestamp": "2024-02-29T23:59:59Z"}}, "ConfigMap", id="time"),
    pytest.param({"metadata": {"deletionTimestamp": "2024-01-01T10:00:00.5+02:00"}}, "ConfigMap",
                 id="time-with-fraction-and-offset"),
    pytest.param({"eventTime": "2024-01-01T00:00:00.123456Z"}, "EventsV1Event", id="micro-time"),
    pytest.param({"spec": {"renewTime": "2024-01-01T00:00:00.000001+00:00"}}, "Lease", id="lease-micro-time"),
    pytest.param({"spec": {"hard": {"cpu": "1.5", "memory": "1Gi", "pods": 10, "x": "1e3", "y": "100m"}}},
                 "ResourceQuota", id="quantities"),
])
def test_valid_formats_are_accepted_unchanged(decode: Decode, obj: dict[str, Any], kind: str) -> None:
    """Well-formed values pass and stay as they were sent."""
    expected = repr(obj)
    assert decode(obj, kind) == []
    assert repr(obj) == expected


@pytest.mark.parametrize(("obj", "kind", "cause"), [
    pytest.param({"data": {"a": "aGk"}}, "Secret", "illegal base64 data at input byte 0",
                 id="missing-padding"),
    pytest.param({"data": {"a": "aGVs!G8="}}, "Secret", "illegal base64 data at input byte 4",
                 id="bad-character"),
    pytest.param({"data": {"a": "aGk=aGk="}}, "Secret", "illegal base64 data at input byte 4",
                 id="data-after-padding"),
    pytest.param({"binaryData": {"a": 5}}, "ConfigMap",
                 "json: cannot unmarshal number into Go struct field ConfigMap.binaryData of type []uint8",
                 id="number-as-bytes"),
    pytest.param({"metadata": {"creationTimestamp": "yesterday"}}, "ConfigMap",
                 f'parsing time "yesterday" as {RFC3339}: cannot parse "yesterday" as "2006"',
                 id="not-a-time"),
    pytest.param({"metadata": {"creationTimestamp": "2024-01-01 00:00:00Z"}}, "ConfigMap",
                 f'parsing time "2024-01-01 00:00:00Z" as {RFC3339}: cannot parse " 00:00:00Z" as "T"',
                 id="space-for-T"),
    pytest.param({"metadata": {"creationTimestamp": "2024-02-30T00:00:00Z"}}, "ConfigMap",
                 'parsing time "2024-02-30T00:00:00Z": day out of range', id="day-out-of-range"),
    pytest.param({"metadata": {"creationTimestamp": 1700000000}}, "ConfigMap",
                 "json: cannot unmarshal number into Go value of type string", id="number-as-time"),
    pytest.param({"eventTime": "2024-01-01T00:00:00Z"}, "EventsV1Event",
                 f'parsing time "2024-01-01T00:00:00Z" as {RFC3339_MICRO}: cannot parse "Z" as ".000000"',
                 id="micro-time-needs-six-digits"),
    pytest.param({"spec": {"hard": {"pods": "ten"}}}, "ResourceQuota", QUANTITY_FORMAT, id="quantity-format"),
    pytest.param({"spec": {"hard": {"pods": "1kk"}}}, "ResourceQuota", "unable to parse quantity's suffix",
                 id="quantity-suffix"),
    pytest.param({"spec": {"hard": {"pods": True}}}, "ResourceQuota", QUANTITY_FORMAT, id="bool-as-quantity"),
])
def test_malformed_formats_fail_with_gos_message(decode_error: DecodeError, obj: dict[str, Any], kind: str,
                                                 cause: str) -> None:
    """Each format fails with the error text of the Go type that parses it."""
    assert decode_error(obj, kind).cause == cause


_SERVICE = Schema.named("io.k8s.api.core.v1.Service", builtin_schemas.builtin_definitions())


@pytest.mark.parametrize(("target_port", "cause"), [
    pytest.param(8080, None, id="int"),
    pytest.param("http", None, id="name"),
    pytest.param(2**31, "json: cannot unmarshal number 2147483648 into Go value of type int32", id="too-big"),
    pytest.param(1.5, "json: cannot unmarshal number 1.5 into Go value of type int32", id="fraction"),
    pytest.param(True, "json: cannot unmarshal bool into Go value of type int32", id="bool"),
    pytest.param({"a": 1}, "json: cannot unmarshal object into Go value of type int32", id="object"),
])
def test_int_or_string_takes_a_string_or_an_int32(target_port: object, cause: str | None) -> None:
    """``IntOrString`` decodes a string or an int32 and fails as its UnmarshalJSON does otherwise."""
    obj = {"spec": {"ports": [{"port": 80, "targetPort": target_port}]}}
    if cause is None:
        assert decoding.decode_typed(obj, _SERVICE, mode="Strict") == []
        return
    with pytest.raises(decoding.TypedDecodeError) as caught:
        decoding.decode_typed(obj, _SERVICE, mode="Strict")
    assert caught.value.cause == cause
    assert caught.value.message.startswith('Service in version "v1" cannot be handled as a Service: ')
