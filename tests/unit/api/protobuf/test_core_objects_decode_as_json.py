"""ConfigMaps, Secrets, Namespaces and ServiceAccounts built as client-go would send them decode to the JSON
object of the same Go struct: maps as objects, ``bytes`` as base64, pointer fields kept even when zero."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api.protobuf import envelope
from tests.unit.api.protobuf.protobuf_bodies import CORE, GO_EMPTY_META, body, message, wrap


def _meta(**fields: Any) -> dict[str, Any]:
    return {**GO_EMPTY_META, "namespace": "team-a", **fields}


@pytest.mark.parametrize(("kind", "fields", "expected"), [
    pytest.param("ConfigMap", {"metadata": _meta(name="cm"), "data": {"a": "1", "empty": ""},
                               "binaryData": {"bin": "AAH/"}, "immutable": True},
                 {"metadata": {"name": "cm", "namespace": "team-a"}, "data": {"a": "1", "empty": ""},
                  "binaryData": {"bin": "AAH/"}, "immutable": True}, id="configmap"),
    pytest.param("ConfigMap", {"metadata": _meta(name="cm"), "immutable": False},
                 {"metadata": {"name": "cm", "namespace": "team-a"}, "immutable": False},
                 id="configmap-immutable-false-is-a-pointer"),
    pytest.param("Secret", {"metadata": _meta(name="s"), "data": {"password": "aHVudGVyMg==", "none": ""},
                            "stringData": {"user": "admin"}, "type": "kubernetes.io/basic-auth"},
                 {"metadata": {"name": "s", "namespace": "team-a"}, "data": {"password": "aHVudGVyMg==", "none": ""},
                  "stringData": {"user": "admin"}, "type": "kubernetes.io/basic-auth"}, id="secret"),
    pytest.param("Secret", {"metadata": _meta(name="s"), "type": "", "immutable": False},
                 {"metadata": {"name": "s", "namespace": "team-a"}, "immutable": False}, id="secret-empty-type"),
    pytest.param("Namespace", {"metadata": {**GO_EMPTY_META, "name": "ns", "namespace": ""},
                               "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": ""}},
                 {"metadata": {"name": "ns"}, "spec": {"finalizers": ["kubernetes"]}, "status": {}}, id="namespace"),
    pytest.param("ServiceAccount", {"metadata": _meta(name="sa"), "secrets": [{"name": "token"}],
                                    "imagePullSecrets": [{"name": "registry"}],
                                    "automountServiceAccountToken": False},
                 {"metadata": {"name": "sa", "namespace": "team-a"}, "secrets": [{"name": "token"}],
                  "imagePullSecrets": [{"name": "registry"}], "automountServiceAccountToken": False},
                 id="serviceaccount"),
])
def test_core_object_decodes_to_its_json(kind: str, fields: dict[str, Any], expected: dict[str, Any]) -> None:
    """The decoded object has the JSON shape of the Go struct and the envelope's apiVersion and kind."""
    assert envelope.decode(body("v1", kind, f"{CORE}.{kind}", fields)) == {"apiVersion": "v1", "kind": kind,
                                                                         **expected}


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


@given(data=st.dictionaries(_TEXT, _TEXT, max_size=5),
       binary=st.dictionaries(_TEXT, st.binary(max_size=12), max_size=5),
       labels=st.dictionaries(_TEXT, _TEXT, max_size=3))
def test_any_configmap_content_round_trips(data: dict[str, str], binary: dict[str, bytes],
                                           labels: dict[str, str]) -> None:
    """Whatever strings and bytes a ConfigMap holds come back as sent, bytes in standard base64."""
    encoded = {key: base64.b64encode(value).decode() for key, value in binary.items()}
    fields = {"metadata": {**_meta(name="cm"), "labels": labels}, "data": data, "binaryData": encoded}
    decoded = envelope.decode(body("v1", "ConfigMap", f"{CORE}.ConfigMap", fields))
    assert decoded.get("data", {}) == data
    assert decoded.get("binaryData", {}) == encoded
    assert decoded["metadata"].get("labels", {}) == labels


def test_map_keys_come_out_sorted_as_go_writes_them() -> None:
    """Map entries come out in key order, whatever their order on the wire."""
    first = message(f"{CORE}.ConfigMap", {"data": {"zeta": "1"}}).SerializeToString()
    second = message(f"{CORE}.ConfigMap", {"data": {"alpha": "2"}}).SerializeToString()
    assert list(envelope.decode(wrap("v1", "ConfigMap", first + second))["data"]) == ["alpha", "zeta"]


def test_resource_quota_quantities_stay_strings() -> None:
    """``resource.Quantity`` values are their strings, and scopes stay a list."""
    fields = {"metadata": _meta(name="q"), "spec": {"hard": {"cpu": {"string": "1500m"}, "pods": {"string": "10"}},
                                                    "scopes": ["NotBestEffort"]}}
    assert envelope.decode(body("v1", "ResourceQuota", f"{CORE}.ResourceQuota", fields))["spec"] == {
        "hard": {"cpu": "1500m", "pods": "10"}, "scopes": ["NotBestEffort"]}


def test_limit_range_quantities_convert_per_map_value() -> None:
    """Each quantity of a LimitRange item converts alone; an unset Quantity is Go's zero, "0"."""
    fields = {"metadata": _meta(name="l"), "spec": {"limits": [
        {"type": "Container", "max": {"memory": {"string": "1Gi"}}, "default": {"cpu": {}}}]}}
    assert envelope.decode(body("v1", "LimitRange", f"{CORE}.LimitRange", fields))["spec"] == {
        "limits": [{"type": "Container", "max": {"memory": "1Gi"}, "default": {"cpu": "0"}}]}


def test_invalid_utf8_in_strings_becomes_replacement_characters() -> None:
    """Bytes that are not UTF-8 in a string field read as U+FFFD, as Go's JSON encoder writes them."""
    # RawExtension.raw and ObjectMeta.name are both field 1, length-delimited: the same bytes on the wire.
    name_only = message("k8s.io.apimachinery.pkg.runtime.RawExtension", {"raw": "Yf9i"}).SerializeToString()
    configmap = message(f"{CORE}.ConfigMap")
    configmap.metadata.MergeFromString(name_only)
    assert envelope.decode(wrap("v1", "ConfigMap", configmap.SerializeToString()))["metadata"] == {
        "name": "a\ufffdb"}
