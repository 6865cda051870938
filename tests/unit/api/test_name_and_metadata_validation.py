"""Names and metadata are validated with kube's rules and kube's exact messages."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import errors
from gitplane.api.validation import names, objectmeta

SUBDOMAIN_RULE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_RULE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
NAME_PART_RULE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
CONFIG_KEY_RULE = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
    "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")


@pytest.mark.parametrize(("value", "problems"), [
    pytest.param("example.com", [], id="valid"),
    pytest.param("Bad_Name", [SUBDOMAIN_RULE], id="upper-and-underscore"),
    pytest.param("a" * 254, ["must be no more than 253 characters"], id="too-long"),
    pytest.param("-a", [SUBDOMAIN_RULE], id="leading-dash"),
])
def test_dns_subdomains(value: str, problems: list[str]) -> None:
    """DNS-1123 subdomains, as IsDNS1123Subdomain."""
    assert names.is_dns1123_subdomain(value) == problems


@pytest.mark.parametrize(("value", "problems"), [
    pytest.param("team-a", [], id="valid"),
    pytest.param("a.b", ["must not contain dots"], id="dots"),
    pytest.param("A", [LABEL_RULE], id="upper"),
    pytest.param("a" * 64, ["must be no more than 63 characters"], id="too-long"),
])
def test_dns_labels(value: str, problems: list[str]) -> None:
    """DNS-1123 labels, with kube's special message for a valid subdomain."""
    assert names.is_dns1123_label(value) == problems


@pytest.mark.parametrize(("value", "problems"), [
    pytest.param("example.com/MyName", [], id="prefixed"),
    pytest.param("/a", ["prefix part must be non-empty"], id="empty-prefix"),
    pytest.param("a/", ["name part must be non-empty", NAME_PART_RULE], id="empty-name"),
    pytest.param("Example.com/a", ["prefix part " + SUBDOMAIN_RULE], id="bad-prefix"),
    pytest.param("a" * 64, ["name part must be no more than 63 characters"], id="too-long"),
    pytest.param("a/b/c", ["a qualified name " + NAME_PART_RULE.removeprefix("name part ")
                           + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"],
                 id="two-slashes"),
])
def test_qualified_names(value: str, problems: list[str]) -> None:
    """Qualified names (label keys, annotation keys, finalizers), as IsQualifiedName."""
    assert names.is_qualified_name(value) == problems


@pytest.mark.parametrize(("value", "problems"), [
    pytest.param("key.name", [], id="valid"),
    pytest.param("a/b", [CONFIG_KEY_RULE], id="slash"),
    pytest.param(".", ["must not be '.'"], id="dot"),
    pytest.param("..", ["must not be '..'"], id="dot-dot"),
    pytest.param("..a", ["must not start with '..'"], id="dot-dot-prefix"),
])
def test_config_map_keys(value: str, problems: list[str]) -> None:
    """ConfigMap and Secret keys, as IsConfigMapKey."""
    assert names.is_config_map_key(value) == problems


@pytest.mark.parametrize(("name", "prefix", "problems"), [
    pytest.param("web-", True, [], id="generate-name-may-end-in-dash"),
    pytest.param("web-", False, [SUBDOMAIN_RULE], id="name-may-not"),
    pytest.param("a/b", False, ["may not contain '/'"], id="path-segment-slash"),
    pytest.param("..", False, ["may not be '..'"], id="path-segment-dots"),
])
def test_name_rules(name: str, prefix: bool, problems: list[str]) -> None:
    """Name rules accept a trailing dash in generateName prefixes."""
    rule = names.path_segment_name if "/" in name or name == ".." else names.name_is_dns_subdomain
    assert rule(name, prefix) == problems


def _messages(found: list[errors.FieldError]) -> list[str]:
    return [str(error) for error in found]


def test_bad_name_reads_as_kube_422() -> None:
    """A ConfigMap with a bad name fails with kube's message."""
    found = objectmeta.validate_object_meta({"name": "Bad_Name", "namespace": "default"}, namespaced=True,
                                            name_rule=names.name_is_dns_subdomain)
    assert errors.invalid("ConfigMap", "Bad_Name", found).message == (
        f'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": {SUBDOMAIN_RULE}')


@pytest.mark.parametrize(("meta", "namespaced", "messages"), [
    pytest.param({}, True, ["metadata.name: Required value: name or generateName is required",
                            "metadata.namespace: Required value"], id="nothing"),
    pytest.param({"generateName": "Web-", "namespace": "default"}, True,
                 [f'metadata.generateName: Invalid value: "Web-": {SUBDOMAIN_RULE}',
                  "metadata.name: Required value: name or generateName is required"], id="bad-generate-name"),
    pytest.param({"name": "a", "namespace": "default"}, False,
                 ["metadata.namespace: Forbidden: not allowed on this type"], id="namespace-on-cluster-type"),
    pytest.param({"name": "a", "namespace": "Bad"}, True, [f'metadata.namespace: Invalid value: "Bad": '
                                                           f'{LABEL_RULE}'],
                 id="bad-namespace"),
    pytest.param({"name": "a", "namespace": "n", "generation": -1}, True,
                 ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"],
                 id="generation"),
    pytest.param({"name": "a", "namespace": "n", "labels": {"-x": "y z"}}, True,
                 [f'metadata.labels: Invalid value: "-x": {NAME_PART_RULE}',
                  'metadata.labels: Invalid value: "y z": a valid label must be an empty string or consist '
                  'of '
                  "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                  "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"], id="labels"),
    pytest.param({"name": "a", "namespace": "n", "annotations": {"Example.COM/Key": "v", "a b": ""}}, True,
                 [f'metadata.annotations: Invalid value: "a b": {NAME_PART_RULE}'],
                 id="annotation-keys-ignore-case"),
    pytest.param({"name": "a", "namespace": "n", "annotations": {"k": "v" * (256 * 1024)}}, True,
                 ["metadata.annotations: Too long: may not be more than 262144 bytes"],
                 id="annotations-size"),
    pytest.param({"name": "a", "namespace": "n", "finalizers": ["orphan", "foregroundDeletion", "a b"]}, True,
                 [f'metadata.finalizers: Invalid value: "a b": {NAME_PART_RULE}',
                  'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion", "a b"}: '
                  "finalizer orphan and foregroundDeletion cannot be both set"], id="finalizers"),
    pytest.param({"name": "a", "namespace": "n", "managedFields": [
        {"manager": "m\x07", "operation": "Patch", "fieldsType": "FieldsV2"}]}, True,
                 ['metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`',
                  'metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
                  'metadata.managedFields[0].manager: Invalid value: "m\\u0007": '
                  "invalid character U+0007 (at position 1)"], id="managed-fields"),
])
def test_object_meta_on_create(meta: dict[str, Any], namespaced: bool, messages: list[str]) -> None:
    """ValidateObjectMeta's rules and messages."""
    found = objectmeta.validate_object_meta(meta, namespaced=namespaced,
                                            name_rule=names.name_is_dns_subdomain)
    assert _messages(found) == messages


def test_owner_references() -> None:
    """Owner references need every field; events may not own; only one controller."""
    found = objectmeta.validate_owner_references([
        {"apiVersion": "apps/", "kind": "", "name": "", "uid": ""},
        {"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "u", "controller": True},
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "c", "uid": "v", "controller": True},
    ], "metadata.ownerReferences")
    assert _messages(found)[:5] == [
        'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
        'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
        'metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", '
        'UID:"u", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(nil)}: '
        "/v1, Kind=Event is disallowed from being an owner",
    ]
    assert str(found[5]).endswith(
        'Only one reference can have Controller set to true. Found "true" in references for Event/e and '
        "ConfigMap/c")


def test_core_finalizer_names() -> None:
    """The core group rejects unprefixed finalizers that are not kube's own."""
    meta = {"name": "a", "namespace": "n", "finalizers": ["kubernetes", "mine"]}
    found = objectmeta.validate_object_meta(meta, namespaced=True, name_rule=names.name_is_dns_subdomain,
                                            core_finalizer_names=True)
    assert _messages(found) == ['metadata.finalizers[1]: Invalid value: "mine": '
                                "name is neither a standard finalizer name nor is it fully qualified"]


OLD = {"name": "a", "namespace": "n", "uid": "u1", "resourceVersion": "5", "generation": 2,
       "creationTimestamp": "2024-01-02T03:04:05Z"}


@pytest.mark.parametrize(("changes", "messages"), [
    pytest.param({}, [], id="unchanged"),
    pytest.param({"resourceVersion": ""}, ['metadata.resourceVersion: Invalid value: "": must be specified '
                                           'for an '
                                           "update"], id="no-resource-version"),
    pytest.param({"generation": 1}, ["metadata.generation: Invalid value: 1: must not be decremented"],
                 id="generation-decremented"),
    pytest.param({"name": "b", "uid": "u2"}, ['metadata.name: Invalid value: "b": field is immutable',
                                              'metadata.uid: Invalid value: "u2": field is immutable'],
                 id="identity"),
    pytest.param({"creationTimestamp": "2024-01-02T03:04:06Z"},
                 ["metadata.creationTimestamp: Invalid value: 2024-01-02 03:04:06 +0000 UTC: field is "
                  "immutable"],
                 id="creation-time"),
    pytest.param({"creationTimestamp": "2024-01-02T05:04:05+02:00"}, [], id="same-instant"),
    pytest.param({"deletionTimestamp": "2024-01-03T00:00:00Z"},
                 ["metadata.deletionTimestamp: Invalid value: 2024-01-03 00:00:00 +0000 UTC: field is "
                  "immutable"],
                 id="deletion-time"),
    pytest.param({"deletionGracePeriodSeconds": 30},
                 ["metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable"], id="grace"),
])
def test_object_meta_on_update(changes: dict[str, Any], messages: list[str]) -> None:
    """ValidateObjectMetaUpdate's rules and messages."""
    assert _messages(objectmeta.validate_object_meta_update({**OLD, **changes}, OLD)) == messages


def test_no_new_finalizers_while_deleting() -> None:
    """An object being deleted may lose finalizers but not gain them."""
    old = {**OLD, "deletionTimestamp": "2024-01-03T00:00:00Z", "finalizers": ["a/x"]}
    assert objectmeta.validate_object_meta_update({**old, "finalizers": []}, old) == []
    found = objectmeta.validate_object_meta_update({**old, "finalizers": ["a/x", "b/y", "a/w"]}, old)
    assert _messages(found) == ['metadata.finalizers: Forbidden: no new finalizers can be added if the '
                                'object is '
                                'being deleted, found new finalizers []string{"a/w", "b/y"}']


def test_common_checks_use_path_segment_names() -> None:
    """The generic registry's checks accept any name usable in a URL path."""
    assert objectmeta.validate_common({"name": "Any_Name", "namespace": "n"}, namespaced=True) == []
    assert _messages(objectmeta.validate_common({"name": "a%b"}, namespaced=False)) == [
        "metadata.name: Invalid value: \"a%b\": may not contain '%'"]
