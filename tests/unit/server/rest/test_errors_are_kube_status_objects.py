"""Every refusal is a ``Status`` object with kube's code, reason, message and details, so kubectl prints
``Error from server (<reason>): <message>`` exactly as it would against kube-apiserver."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.server.asgi_client import AsgiClient

ROUTE_NOT_FOUND = {"causes": [{"reason": "UnexpectedServerResponse", "message": "404 page not found"}]}
METHOD_NOT_ALLOWED = "the server does not allow this method on the requested resource"


def failure(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": message, "reason": reason, "code": code}
    if details is not None:
        status["details"] = details
    return status


@pytest.mark.parametrize(("method", "path", "expected"), [
    pytest.param("GET", "/api/v1/namespaces/default/configmaps/nope",
                 failure(404, "NotFound", 'configmaps "nope" not found', {"name": "nope", "kind": "configmaps"}),
                 id="missing-object"),
    pytest.param("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/nope",
                 failure(404, "NotFound", 'leases.coordination.k8s.io "nope" not found',
                         {"name": "nope", "group": "coordination.k8s.io", "kind": "leases"}),
                 id="missing-object-of-a-group"),
    pytest.param("GET", "/api/v1/namespaces/default/widgets",
                 failure(404, "NotFound", "the server could not find the requested resource", ROUTE_NOT_FOUND),
                 id="unknown-resource"),
    pytest.param("GET", "/apis/example.com/v1/widgets",
                 failure(404, "NotFound", "the server could not find the requested resource", ROUTE_NOT_FOUND),
                 id="unknown-group"),
    pytest.param("GET", "/api/v1/namespaces/default/configmaps/c1/scale",
                 failure(404, "NotFound", "the server could not find the requested resource", ROUTE_NOT_FOUND),
                 id="unknown-subresource"),
    pytest.param("GET", "/api/v1/namespaces/default/limitranges/l1/status",
                 failure(404, "NotFound", "the server could not find the requested resource", ROUTE_NOT_FOUND),
                 id="status-of-a-type-without-one"),
    pytest.param("POST", "/api/v1/configmaps", failure(405, "MethodNotAllowed", METHOD_NOT_ALLOWED),
                 id="create-without-a-namespace"),
    pytest.param("DELETE", "/api/v1/namespaces", failure(405, "MethodNotAllowed", METHOD_NOT_ALLOWED),
                 id="verb-the-type-does-not-serve"),
    pytest.param("POST", "/api/v1/namespaces/default/configmaps/c1",
                 failure(405, "MethodNotAllowed", METHOD_NOT_ALLOWED), id="create-on-a-name"),
    pytest.param("DELETE", "/api/v1/namespaces/default/resourcequotas/q/status",
                 failure(405, "MethodNotAllowed", METHOD_NOT_ALLOWED), id="delete-a-status"),
])
async def test_routing_refusals(admin: AsgiClient, method: str, path: str, expected: dict[str, Any]) -> None:
    """Unknown routes are 404 with kube's route-not-found details; unserved verbs are 405."""
    reply = await admin.request(method, path, {"metadata": {"name": "c1"}})
    assert reply.status == expected["code"]
    assert reply.json() == expected


async def test_namespaces_are_not_served_inside_a_namespace(admin: AsgiClient) -> None:
    """``/api/v1/namespaces/<ns>/namespaces`` is not a route."""
    reply = await admin.get("/api/v1/namespaces/default/namespaces")
    assert reply.json() == failure(404, "NotFound", "the server could not find the requested resource",
                                   ROUTE_NOT_FOUND)


async def test_creating_an_existing_object_is_already_exists(admin: AsgiClient, namespace: str) -> None:
    """409 AlreadyExists naming resource and name."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    await admin.create(path, {"metadata": {"name": "c1"}})
    reply = await admin.request("POST", path, {"metadata": {"name": "c1"}})
    assert reply.json() == failure(409, "AlreadyExists", 'configmaps "c1" already exists',
                                   {"name": "c1", "kind": "configmaps"})


async def test_an_invalid_object_lists_every_failing_field(admin: AsgiClient, namespace: str) -> None:
    """422 Invalid with the Kind, every field error in the message, and one cause each."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                {"metadata": {"name": "c1"}, "data": {"bad key": "v", "ok": "v"},
                                 "binaryData": {"ok": "dg=="}})
    assert reply.status == 422
    body = reply.json()
    assert (body["reason"], body["details"]["kind"], body["details"]["name"]) == ("Invalid", "ConfigMap", "c1")
    assert body["message"].startswith('ConfigMap "c1" is invalid: [')
    assert [c["field"] for c in body["details"]["causes"]] == ["data[bad key]", "data[ok]"]


async def test_an_invalid_name_is_reported_in_kubes_words(admin: AsgiClient, namespace: str) -> None:
    """The RFC 1123 subdomain message kube gives for a bad name."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                {"metadata": {"name": "Bad_Name"}})
    assert reply.status == 422
    cause = reply.json()["details"]["causes"][0]
    assert (cause["reason"], cause["field"]) == ("FieldValueInvalid", "metadata.name")
    assert "a lowercase RFC 1123 subdomain must consist of" in cause["message"]


async def test_a_body_that_is_not_an_object_is_400(admin: AsgiClient, namespace: str) -> None:
    """Malformed JSON and non-object bodies are BadRequest."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    assert (await admin.request("POST", path, b"{not json")).status == 400
    listed = await admin.request("POST", path, [1, 2])
    assert (listed.status, listed.json()["reason"]) == (400, "BadRequest")


async def test_an_unknown_body_type_is_415(admin: AsgiClient, namespace: str) -> None:
    """Bodies must be JSON, YAML or Kubernetes protobuf."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", b"name=c1",
                                content_type="application/x-www-form-urlencoded")
    assert reply.json() == failure(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                   "accepted media types include: application/json, application/yaml, "
                                   "application/vnd.kubernetes.protobuf")


async def test_yaml_bodies_are_accepted(admin: AsgiClient, namespace: str) -> None:
    """``Content-Type: application/yaml`` creates like JSON."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                "metadata:\n  name: c1\ndata:\n  k: v\n", content_type="application/yaml")
    assert (reply.status, reply.json()["data"]) == (201, {"k": "v"})


async def test_a_representation_nobody_can_produce_is_406(admin: AsgiClient, namespace: str) -> None:
    """A protobuf-only Accept header is NotAcceptable."""
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps",
                            headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert reply.json() == failure(406, "NotAcceptable",
                                   "only the following media types are accepted: application/json, application/yaml")


async def test_a_body_over_three_mebibytes_is_413(admin: AsgiClient, namespace: str) -> None:
    """kube-apiserver's request body limit."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                b'{"metadata":{"name":"big"},"data":{"k":"' + b"x" * (3 * 1024 * 1024) + b'"}}')
    assert (reply.status, reply.json()["reason"]) == (413, "RequestEntityTooLarge")


async def test_anonymous_requests_for_resources_are_forbidden(admin: AsgiClient) -> None:
    """Without credentials a resource request is 403: system:anonymous may not even enter the root workspace
    (kcp's ``access``, which root grants to system:authenticated), in kube's wording for a path."""
    anonymous = AsgiClient(admin.app, peer=None)
    reply = await anonymous.get("/api/v1/namespaces/default/configmaps")
    assert reply.json() == failure(
        403, "Forbidden", 'forbidden: User "system:anonymous" cannot list path "/api/v1/namespaces/default/configmaps"'
                          ": workspace access not permitted")


async def test_an_unknown_bearer_token_is_401(admin: AsgiClient) -> None:
    """A token that matches nothing is Unauthorized, before any authorization."""
    stranger = AsgiClient(admin.app, peer=None, token="who-knows")
    reply = await stranger.get("/version")
    assert reply.json() == failure(401, "Unauthorized", "Unauthorized")
