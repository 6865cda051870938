"""ConfigMaps and Secrets are validated, decoded and normalized as kube does."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from gitplane.api import builtin_types, errors
from gitplane.api.validation import builtin, configmap, secret

META = {"name": "c", "namespace": "default", "resourceVersion": "1"}
CONFIG_KEY_RULE = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
    "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _messages(found: list[errors.FieldError]) -> list[str]:
    return [str(error) for error in found]


@pytest.mark.parametrize(("body", "messages"), [
    pytest.param({"data": {"a": "1"}, "binaryData": {"b": _b64(b"\0")}}, [], id="valid"),
    pytest.param({"data": {"a/b": "1"}}, [f'data[a/b]: Invalid value: "a/b": {CONFIG_KEY_RULE}'],
                 id="bad-key"),
    pytest.param({"data": {"x": "1"}, "binaryData": {"x": _b64(b"1")}},
                 ['data[x]: Invalid value: "x": duplicate of key present in binaryData'], id="key-in-both"),
    pytest.param({"data": {"a": "x" * (1024 * 1024)}, "binaryData": {"b": _b64(b"y")}},
                 ["[]: Too long: may not be more than 1048576 bytes"], id="too-large"),
    pytest.param({"binaryData": {"..": ""}}, ["binaryData[..]: Invalid value: \"..\": must not be '..'"],
                 id="dot-dot-key"),
])
def test_configmap_rules(body: dict[str, Any], messages: list[str]) -> None:
    """ConfigMap keys, overlap and total size."""
    assert _messages(configmap.validate({"metadata": META, **body})) == messages


def test_immutable_configmap_keeps_its_data() -> None:
    """An immutable ConfigMap can change neither its data nor its immutability."""
    old = {"metadata": META, "immutable": True, "data": {"a": "1"}, "binaryData": {"b": _b64(b"1")}}
    assert configmap.validate_update({**old}, old) == []
    new = {"metadata": META, "immutable": False, "data": {"a": "2"}, "binaryData": {"b": _b64(b"2")}}
    assert _messages(configmap.validate_update(new, old)) == [
        "immutable: Forbidden: field is immutable when `immutable` is set",
        "data: Forbidden: field is immutable when `immutable` is set",
        "binaryData: Forbidden: field is immutable when `immutable` is set",
    ]


def test_mutable_configmap_may_become_immutable() -> None:
    """Setting immutable on a mutable ConfigMap is an ordinary update."""
    old = {"metadata": META, "data": {"a": "1"}}
    assert configmap.validate_update({**old, "immutable": True, "data": {"a": "2"}}, old) == []


@pytest.mark.parametrize(("resource_type", "body", "message"), [
    pytest.param(builtin_types.SECRETS, {"data": {"a": "YWJj", "b": "Y!"}},
                 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 1',
                 id="secret-data"),
    pytest.param(builtin_types.CONFIGMAPS, {"binaryData": {"a": "YWJ"}},
                 'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input '
                 'byte 0',
                 id="configmap-binary-data"),
])
def test_bad_base64_is_a_decoding_400(resource_type: Any, body: dict[str, Any], message: str) -> None:
    """A value that is not base64 fails decoding with kube's 400."""
    with pytest.raises(errors.APIError) as caught:
        builtin.check_decodable(resource_type, {"metadata": META, **body})
    assert (caught.value.code, caught.value.message) == (400, message)


def test_good_base64_decodes() -> None:
    """Valid base64 (line breaks allowed) passes decoding."""
    builtin.check_decodable(builtin_types.SECRETS, {"data": {"a": "YWJj\nZA==", "b": None}})


def test_string_data_folds_into_data_and_type_defaults() -> None:
    """stringData wins over data, is encoded into it and dropped; the type defaults to Opaque."""
    normalized = secret.normalize({"metadata": META, "data": {"a": _b64(b"old"), "b": _b64(b"keep")},
                                   "stringData": {"a": "new"}})
    assert normalized == {"metadata": META, "type": "Opaque",
                          "data": {"a": _b64(b"new"), "b": _b64(b"keep")}}


@pytest.mark.parametrize(("body", "messages"), [
    pytest.param({"type": "Opaque", "data": {"a": _b64(b"x")}}, [], id="opaque"),
    pytest.param({"type": "Opaque", "data": {"a b": ""}}, [f'data[a b]: Invalid value: "a b": '
                                                           f'{CONFIG_KEY_RULE}'],
                 id="bad-key"),
    pytest.param({"type": "Opaque", "data": {"a": _b64(b"x" * (1024 * 1024 + 1))}},
                 ["data: Too long: may not be more than 1048576 bytes"], id="too-large"),
    pytest.param({"type": "kubernetes.io/service-account-token"},
                 ["metadata.annotations[kubernetes.io/service-account.name]: Required value"], id="sa-token"),
    pytest.param({"type": "kubernetes.io/dockerconfigjson"}, ["data[.dockerconfigjson]: Required value"],
                 id="docker-config-json-missing"),
    pytest.param({"type": "kubernetes.io/dockerconfigjson",
                  "data": {".dockerconfigjson": _b64(b'{"auths":{}}')}},
                 [], id="docker-config-json"),
    pytest.param({"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": _b64(b"[1]")}},
                 ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot '
                  'unmarshal '
                  "array into Go value of type map[string]interface {}"], id="docker-config-json-array"),
    pytest.param({"type": "kubernetes.io/dockercfg", "data": {".dockercfg": _b64(b"{")}},
                 ['data[.dockercfg]: Invalid value: "<secret contents redacted>": unexpected end of JSON '
                  'input'],
                 id="dockercfg-truncated"),
    pytest.param({"type": "kubernetes.io/dockercfg", "data": {".dockercfg": _b64(b"x")}},
                 ['data[.dockercfg]: Invalid value: "<secret contents redacted>": '
                  "invalid character 'x' looking for beginning of value"], id="dockercfg-garbage"),
    pytest.param({"type": "kubernetes.io/dockercfg", "data": {".dockercfg": _b64(b"{} x")}},
                 ['data[.dockercfg]: Invalid value: "<secret contents redacted>": '
                  "invalid character 'x' after top-level value"], id="dockercfg-trailing"),
    pytest.param({"type": "kubernetes.io/basic-auth"}, ["data[username]: Required value",
                                                        "data[password]: Required value"], id="basic-auth"),
    pytest.param({"type": "kubernetes.io/basic-auth", "data": {"password": ""}}, [], id="basic-auth-one-key"),
    pytest.param({"type": "kubernetes.io/ssh-auth", "data": {"ssh-privatekey": ""}},
                 ["data[ssh-privatekey]: Required value"], id="ssh-auth-empty"),
    pytest.param({"type": "kubernetes.io/tls", "data": {"tls.crt": ""}}, ["data[tls.key]: Required value"],
                 id="tls"),
    pytest.param({"type": "example.com/custom"}, [], id="custom-type"),
])
def test_secret_rules(body: dict[str, Any], messages: list[str]) -> None:
    """Secret keys, size and each well-known type's required keys."""
    assert _messages(secret.validate({"metadata": META, **body})) == messages


def test_secret_type_and_immutability_on_update() -> None:
    """The type is immutable; an immutable Secret keeps its data and its immutability."""
    old = {"metadata": META, "type": "Opaque", "immutable": True, "data": {"a": _b64(b"1")}}
    new = {"metadata": META, "type": "kubernetes.io/basic-auth", "data": {"username": _b64(b"u")}}
    assert _messages(secret.validate_update(new, old)) == [
        'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
        "immutable: Forbidden: field is immutable when `immutable` is set",
        "data: Forbidden: field is immutable when `immutable` is set",
    ]


def test_builtin_registry_dispatches_by_type() -> None:
    """The registry applies each type's rules and none for other types."""
    assert builtin.has_rules(builtin_types.SECRETS)
    assert _messages(builtin.validate_create(builtin_types.SECRETS, {"metadata": META,
                                                                     "type": "kubernetes.io/tls"})) == [
        "data[tls.crt]: Required value", "data[tls.key]: Required value"]
    assert builtin.validate_update(builtin_types.CONFIGMAPS, {"metadata": META}, {"metadata": META}) == []
