"""Bad input gets a clear Status error, and the server keeps serving after each."""

from __future__ import annotations

import json

import pytest

from tests.integration.rawclient import RawClient
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


@pytest.fixture(scope="module")
def raw(server: ServerProcess) -> RawClient:
    return RawClient(server.url, server.data_dir)


def assert_still_serving(raw: RawClient) -> None:
    assert raw.request("GET", CONFIGMAPS).status == 200


def test_malformed_json_is_400_with_a_status(raw: RawClient) -> None:
    """A body that is not JSON gets 400 BadRequest as a Status object."""
    reply = raw.request("POST", CONFIGMAPS, '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {')
    assert reply.status == 400
    status = reply.json()
    assert status["kind"] == "Status" and status["reason"] == "BadRequest" and status["code"] == 400
    assert_still_serving(raw)


def test_malformed_yaml_is_400_naming_the_line(raw: RawClient) -> None:
    """A YAML body that does not parse gets 400, naming where."""
    reply = raw.request("POST", CONFIGMAPS, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
                        content_type="application/yaml")
    assert reply.status == 400
    assert "line" in reply.json()["message"]
    assert_still_serving(raw)


def test_invalid_name_is_422_with_the_field_in_causes(raw: RawClient) -> None:
    """An invalid name gets 422 Invalid; causes name metadata.name."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}
    reply = raw.request("POST", CONFIGMAPS, json.dumps(body))
    assert reply.status == 422
    status = reply.json()
    assert status["reason"] == "Invalid"
    assert status["message"].startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"')
    assert [c["field"] for c in status["details"]["causes"]] == ["metadata.name"]
    assert_still_serving(raw)


def test_unknown_field_with_strict_validation_names_the_field(raw: RawClient) -> None:
    """fieldValidation=Strict rejects an unknown field and names it; Warn accepts it with a Warning header."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "strict"}, "spec": {"foo": 1}}
    reply = raw.request("POST", CONFIGMAPS + "?fieldValidation=Strict", json.dumps(body))
    assert reply.status == 400
    assert 'unknown field "spec"' in reply.json()["message"]
    warned = raw.request("POST", CONFIGMAPS + "?fieldValidation=Warn", json.dumps(body))
    assert warned.status == 201
    assert 'unknown field \\"spec\\"' in warned.headers.get("Warning", "")
    assert "spec" not in warned.json()
    assert_still_serving(raw)


def test_body_of_the_wrong_kind_is_rejected(raw: RawClient) -> None:
    """A Secret posted to the configmaps collection is refused with 400."""
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "wrong"}, "stringData": {"a": "b"}}
    reply = raw.request("POST", CONFIGMAPS, json.dumps(body))
    assert reply.status == 400
    assert "Secret" in reply.json()["message"] and "ConfigMap" in reply.json()["message"]
    assert raw.request("GET", CONFIGMAPS + "/wrong").status == 404
    assert_still_serving(raw)


def test_wrong_type_of_value_is_400_naming_the_field(raw: RawClient) -> None:
    """A number where a string belongs is a 400 that names the field, as Go's decoder words it."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "typed"}, "data": {"k": 1}}
    reply = raw.request("POST", CONFIGMAPS, json.dumps(body))
    assert reply.status == 400
    assert "ConfigMap.data" in reply.json()["message"]
    assert_still_serving(raw)


def test_unknown_resource_and_method_are_404_and_405(raw: RawClient) -> None:
    """Unknown resources are 404 and unsupported methods 405, both as Status objects."""
    missing = raw.request("GET", "/api/v1/namespaces/default/widgets")
    assert missing.status == 404 and missing.json()["kind"] == "Status"
    assert raw.request("POST", "/api/v1/configmaps", "{}").status == 405
    assert_still_serving(raw)
