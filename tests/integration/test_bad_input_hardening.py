"""Input that used to end in a 500, be silently ignored or be served oddly now gets kube's answer (or a 400
naming the problem), nothing is stored, and the server keeps serving.

Bodies: lone surrogates, YAML tags and huge numbers, non-UTF-8 protobuf envelopes, deep nesting. Parameters:
integers beyond int64, resourceVersions that are not revisions. Headers: warnings bounded as kube bounds them,
impersonation refused, the first of two Authorization headers. Paths: kube cleans none (``//api`` and
``/./`` segments match no route; ``..`` is no name).
"""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest
from kubernetes import client
from kubernetes.dynamic import DynamicClient

from tests.integration.conftest import Kubectl
from tests.integration.rawclient import RawClient, Reply
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
YAML = "application/yaml"
SURROGATE_YAML = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {a: "\\ud800"}\n'


@pytest.fixture(scope="module")
def raw(server: ServerProcess) -> RawClient:
    return RawClient(server.url, server.data_dir)


def status(reply: Reply, code: int) -> str:
    """The message of the Status the reply must be."""
    body = reply.json()
    assert (reply.status, body["kind"], body["code"]) == (code, "Status", code), reply.body[:500]
    return str(body["message"])


def create(raw: RawClient, name: str) -> None:
    assert raw.request("POST", CONFIGMAPS, json.dumps({"metadata": {"name": name}})).status == 201


# -- bodies ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "content_type"), [
    pytest.param("POST", CONFIGMAPS, YAML, id="create"),
    pytest.param("POST", CONFIGMAPS + "?dryRun=All", YAML, id="dry-run"),
    pytest.param("PUT", CONFIGMAPS + "/surrogate", YAML, id="update"),
    pytest.param("PATCH", CONFIGMAPS + "/surrogate?fieldManager=t", "application/apply-patch+yaml", id="apply"),
])
def test_a_yaml_surrogate_escape_is_400_on_every_write(raw: RawClient, method: str, path: str,
                                                      content_type: str) -> None:
    """go-yaml refuses ``"\\ud800"``; so does the server, on every verb that reads a body, storing nothing."""
    if method != "POST":
        create(raw, "surrogate")
    reply = raw.request(method, path, SURROGATE_YAML % "surrogate", content_type)
    assert status(reply, 400) == ("error converting YAML to JSON: yaml: line 4: found invalid Unicode character "
                                  "escape code")
    stored = raw.request("GET", CONFIGMAPS + "/surrogate")
    assert stored.status == 404 or stored.json().get("data") is None
    raw.request("DELETE", CONFIGMAPS + "/surrogate")


def test_a_json_surrogate_escape_is_stored_as_the_replacement_character(raw: RawClient) -> None:
    """Go's JSON decoder reads a lone ``\\ud800`` as U+FFFD, and so is it stored."""
    body = '{"metadata": {"name": "json-surrogate"}, "data": {"a": "x\\ud800y"}}'
    assert raw.request("POST", CONFIGMAPS, body).status == 201
    assert raw.request("GET", CONFIGMAPS + "/json-surrogate").json()["data"] == {"a": "x\ufffdy"}


def test_an_unknown_yaml_tag_keeps_its_text(raw: RawClient) -> None:
    """go-yaml resolves a tag it does not know (``!foo``) to the scalar's text."""
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tagged}\ndata: {a: !foo x, b: !!str 12}\n"
    assert raw.request("POST", CONFIGMAPS, body, YAML).status == 201
    assert raw.request("GET", CONFIGMAPS + "/tagged").json()["data"] == {"a": "x", "b": "12"}


def test_a_yaml_integer_of_thousands_of_digits_is_its_text_as_in_go(raw: RawClient) -> None:
    """No 64-bit integer or float holds it, so go-yaml keeps the text: a string where a string belongs, a type
    error where an integer does."""
    digits = "9" * 5000
    body = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: digits}}\ndata: {{a: {digits}}}\n"
    assert raw.request("POST", CONFIGMAPS, body, YAML).status == 201
    assert raw.request("GET", CONFIGMAPS + "/digits").json()["data"] == {"a": digits}
    lease = (f"apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {{name: digits}}\n"
             f"spec: {{leaseDurationSeconds: {digits}}}\n")
    reply = raw.request("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease, YAML)
    assert "json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type " \
           "int32" in status(reply, 400)


def test_a_protobuf_envelope_whose_api_version_is_not_utf8_is_400(raw: RawClient) -> None:
    """The bad bytes read as U+FFFD, and no kind is registered for that version."""
    envelope = b"k8s\x00" + b"\x0a\x0f\x0a\x02\xff\xfe\x12\x09ConfigMap"
    reply = raw.request("POST", CONFIGMAPS, envelope, "application/vnd.kubernetes.protobuf")
    assert status(reply, 400).startswith('no kind "ConfigMap" is registered for version "\ufffd\ufffd"')


def test_a_body_nested_hundreds_of_levels_deep_is_400(raw: RawClient) -> None:
    """Refused when parsed, before a patch or the store recurses into it."""
    create(raw, "deep")
    patch = '{"data": ' + '{"a": ' * 500 + "1" + "}" * 501
    reply = raw.request("PATCH", CONFIGMAPS + "/deep", patch, "application/merge-patch+json")
    assert status(reply, 400) == "the request body nests more than 100 levels deep"


# -- parameters -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    pytest.param("limit=9223372036854775808", id="limit"),
    pytest.param("watch=true&timeoutSeconds=9223372036854775808", id="timeout"),
])
def test_integer_parameters_beyond_int64_are_400(raw: RawClient, query: str) -> None:
    """Go's strconv.ParseInt refuses them; so does the server, naming the parameter."""
    name = query.rsplit("&", 1)[-1].split("=", maxsplit=1)[0]
    assert status(raw.request("GET", f"{CONFIGMAPS}?{query}"), 400) == \
        f'invalid value for {name}: "9223372036854775808" is out of range'


@pytest.mark.parametrize("path", [
    pytest.param(CONFIGMAPS + "?resourceVersion=abc", id="list"),
    pytest.param(CONFIGMAPS + "?watch=true&resourceVersion=abc", id="watch"),
    pytest.param(CONFIGMAPS + "/any?resourceVersion=abc", id="get"),
])
def test_a_resource_version_that_is_not_a_revision_is_400(raw: RawClient, path: str) -> None:
    """The same status and message for list, watch (not a 200 with an ERROR event) and get: kube's etcd
    store's 400."""
    assert status(raw.request("GET", path), 400) == ('invalid resource version: resourceVersion: Invalid value: '
                                                     '"abc": strconv.ParseUint: parsing "abc": invalid syntax')


# -- headers --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def configmaps(api_client: client.ApiClient) -> Any:
    """The kubernetes client's dynamic ConfigMap resource (its typed API refuses unknown fields itself)."""
    return DynamicClient(api_client).resources.get(api_version="v1", kind="ConfigMap")


def test_thousands_of_long_unknown_fields_still_give_the_python_client_its_answer(configmaps: Any,
                                                                                 raw: RawClient) -> None:
    """Warnings are cut as kube cuts them (4096 characters in all, 256 each once over), so the header lines
    stay short and the kubernetes client reads the response of a create that succeeded."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "unknowns"}, "data": {"a": "b"},
            **{f"field{i:04d}{'x' * 200}": i for i in range(3000)}}
    created = configmaps.create(body=body, namespace="default")
    assert created.metadata.name == "unknowns" and dict(created.data) == {"a": "b"}
    reply = raw.request("POST", CONFIGMAPS, json.dumps({**body, "metadata": {"name": "unknowns-raw"}}))
    warnings = reply.headers.get_all("Warning") or []
    texts = [w[len('299 - "'):-1] for w in warnings]
    assert reply.status == 201 and texts
    assert sum(len(t) for t in texts) <= 4096 + 256  # kube's total; the text that passes it is the last
    assert all(len(t) <= 256 + 2 for t in texts)


def test_hundreds_of_short_unknown_fields_still_give_the_python_client_its_answer(configmaps: Any) -> None:
    """At most 50 Warning headers: Python's http.client refuses a response of more than 100 header lines."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "short-unknowns"},
            **{f"f{i}": i for i in range(500)}}
    assert configmaps.create(body=body, namespace="default").metadata.name == "short-unknowns"


def test_impersonation_headers_are_acted_on_not_ignored(raw: RawClient) -> None:
    """A request that asks for impersonation runs as the impersonated user (with that user's rights, here none),
    never with the caller's; groups, uid or extras without a user are refused as kube refuses them."""
    message = status(raw.request("GET", CONFIGMAPS, headers={"Impersonate-User": "alice"}), 403)
    assert message.startswith('configmaps is forbidden: User "alice" cannot list resource "configmaps"'), message
    for header in ("Impersonate-Group", "Impersonate-Uid", "Impersonate-Extra-Scopes"):
        message = status(raw.request("GET", CONFIGMAPS, headers={header: "alice"}), 500)
        assert message.startswith("requested [{") and message.endswith("without impersonating a user"), message


def test_kubectl_as_another_user_is_judged_as_that_user(kubectl: Kubectl) -> None:
    """``kubectl --as=alice`` acts as alice, who may not list ConfigMaps, instead of acting as the admin."""
    kubectl.run("get", "configmaps")  # fills the discovery cache
    result = kubectl.run("--as=alice", "get", "configmaps", check=False)
    assert result.returncode != 0
    assert 'User "alice" cannot list resource "configmaps"' in result.stderr, result.stderr


def test_of_two_authorization_headers_the_first_wins(server: ServerProcess) -> None:
    """Go's Header.Get reads the first value; a second header cannot swap the caller."""
    with (server.data_dir / "tokens.csv").open(newline="") as f:
        token = next(row[0] for row in csv.reader(f) if row and not row[0].startswith("#"))
    anonymous = RawClient(server.url, server.data_dir, certificate=False)
    good, bad = ("Authorization", f"Bearer {token}"), ("Authorization", "Bearer not-a-token")
    assert anonymous.request("GET", CONFIGMAPS, repeated=[good, bad]).status == 200
    assert status(anonymous.request("GET", CONFIGMAPS, repeated=[bad, good]), 401) == "Unauthorized"


# -- paths ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    pytest.param("//api/v1/namespaces/default/configmaps", id="double-slash-resource"),
    pytest.param("/clusters/root//api/v1/namespaces/default/configmaps", id="double-slash-after-cluster"),
    pytest.param("//api", id="double-slash-discovery"),
    pytest.param("/api//v1", id="empty-segment-discovery"),
    pytest.param("/api/v1/./namespaces", id="dot-segment"),
    pytest.param("/api/v1/namespaces/../x", id="dot-dot-segment"),
])
def test_non_canonical_paths_match_no_route(raw: RawClient, path: str) -> None:
    """kube-apiserver cleans no path and redirects none (its handler is no ServeMux): such paths reach no
    API group and get kube's 404 Status."""
    assert status(raw.request("GET", path), 404) == "the server could not find the requested resource"


@pytest.mark.parametrize(("name", "problem"), [
    pytest.param("..", "may not be '..'", id="dot-dot"),
    pytest.param(".", "may not be '.'", id="dot"),
    pytest.param("a%25b", "may not contain '%'", id="percent"),
])
def test_a_name_that_cannot_be_a_path_segment_is_400(raw: RawClient, name: str, problem: str) -> None:
    """kube's storage key functions refuse it before reading."""
    shown = name.replace("%25", "%")
    assert status(raw.request("GET", f"{CONFIGMAPS}/{name}"), 400) == \
        f'Name parameter invalid: "{shown}": {problem}'
    assert raw.request("GET", CONFIGMAPS).status == 200
