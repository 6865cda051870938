"""The review types in discovery and OpenAPI as kube-apiserver 1.30 lists them: create only, their scope, and
the v1beta1 SelfSubjectReview kubectl 1.27 asks for; and the bootstrap policy that lets everyone ask."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.unit.server.asgi_client import AsgiClient
from tests.unit.server.rbac.server import Server, running


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        yield started


@pytest.mark.parametrize(("group_version", "expected"), [
    ("authorization.k8s.io/v1", {"localsubjectaccessreviews": True, "selfsubjectaccessreviews": False,
                                 "selfsubjectrulesreviews": False, "subjectaccessreviews": False}),
    ("authentication.k8s.io/v1", {"selfsubjectreviews": False, "tokenreviews": False}),
    ("authentication.k8s.io/v1beta1", {"selfsubjectreviews": False}),
])
async def test_each_review_is_create_only(server: Server, group_version: str, expected: dict[str, bool]) -> None:
    resources = (await server.admin.get(f"/apis/{group_version}")).json()["resources"]
    assert {r["name"]: r["namespaced"] for r in resources} == expected
    assert all(r["verbs"] == ["create"] for r in resources)
    assert not any("storageVersionHash" in r for r in resources)  # never stored


async def test_v1_is_the_preferred_authentication_version(server: Server) -> None:
    groups = (await server.admin.get("/apis")).json()["groups"]
    authentication = next(g for g in groups if g["name"] == "authentication.k8s.io")
    assert authentication["preferredVersion"]["version"] == "v1"
    assert [v["version"] for v in authentication["versions"]] == ["v1", "v1beta1"]


async def test_openapi_offers_only_post(server: Server) -> None:
    paths = (await server.admin.get("/openapi/v3/apis/authorization.k8s.io/v1")).json()["paths"]
    assert set(paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]) >= {"post"}
    assert not {"get", "put", "patch", "delete"} & set(paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"])
    assert "/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews" in paths


async def test_every_authenticated_user_may_ask_about_itself(server: Server) -> None:
    for path in ("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                 "/apis/authentication.k8s.io/v1/selfsubjectreviews"):
        body = {"spec": {"nonResourceAttributes": {"path": "/x", "verb": "get"}}}
        assert (await server.client("bob").request("POST", path, body)).status == 201
    anonymous = await server.client(None).request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {})
    assert anonymous.status == 403


async def test_service_accounts_may_read_the_issuer_discovery_documents(server: Server) -> None:
    """kube's system:service-account-issuer-discovery, bound to system:serviceaccounts."""
    await server.admin.create("/api/v1/namespaces", {"metadata": {"name": "a"}})
    await server.admin.create("/api/v1/namespaces/a/serviceaccounts", {"metadata": {"name": "robot"}})
    reply = await server.admin.request("POST", "/api/v1/namespaces/a/serviceaccounts/robot/token", {"spec": {}})
    robot = AsgiClient(server.assembly.app, peer=None, token=reply.json()["status"]["token"])
    for path in ("/.well-known/openid-configuration", "/openid/v1/jwks"):
        assert (await robot.get(path)).status == 200, path
    assert (await server.client("bob").get("/openid/v1/jwks")).status == 403
    role = (await server.admin.get(
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:service-account-issuer-discovery")).json()
    assert role["rules"] == [{"nonResourceURLs": ["/.well-known/openid-configuration",
                                                  "/.well-known/openid-configuration/", "/openid/v1/jwks",
                                                  "/openid/v1/jwks/"], "verbs": ["get"]}]
