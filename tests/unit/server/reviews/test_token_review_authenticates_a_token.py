"""TokenReview on the assembled server: a static token or a ServiceAccount token is authenticated with its user
and audiences; an unknown, forged, expired, revoked or other-audience token is not, and the error says why."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gitplane.server.serviceaccounts import tokens
from gitplane.server.serviceaccounts.signing import Signer, ephemeral_signer
from tests.unit.server.rbac.server import Server, running

PATH = "/apis/authentication.k8s.io/v1/tokenreviews"
API_AUDIENCE = "https://kubernetes.default.svc.cluster.local"


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        await started.admin.create("/api/v1/namespaces", {"metadata": {"name": "a"}})
        await started.admin.create("/api/v1/namespaces/a/serviceaccounts", {"metadata": {"name": "robot"}})
        yield started


async def review(server: Server, token: str, audiences: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"token": token}
    if audiences is not None:
        spec["audiences"] = audiences
    reply = await server.admin.request("POST", PATH, {"apiVersion": "authentication.k8s.io/v1",
                                                      "kind": "TokenReview", "spec": spec})
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.json()
    assert body["spec"] == spec
    return body["status"]


async def service_account_token(server: Server, audiences: list[str] | None = None) -> str:
    spec: dict[str, Any] = {"expirationSeconds": 3600}
    if audiences:
        spec["audiences"] = audiences
    reply = await server.admin.request("POST", "/api/v1/namespaces/a/serviceaccounts/robot/token", {"spec": spec})
    token: str = reply.json()["status"]["token"]
    return token


async def test_a_static_token_is_its_user_for_the_servers_audiences(server: Server) -> None:
    status = await review(server, "alice-token")
    assert status == {"authenticated": True, "audiences": [API_AUDIENCE],
                      "user": {"username": "alice", "groups": ["devs", "system:authenticated"]}}
    refused = await review(server, "alice-token", ["vault"])
    assert refused == {"error": "invalid bearer token"}


async def test_an_unknown_token_is_not_authenticated(server: Server) -> None:
    assert await review(server, "who-knows") == {"error": "invalid bearer token"}


async def test_a_service_account_token_is_the_account(server: Server) -> None:
    status = await review(server, await service_account_token(server))
    assert status["authenticated"] is True and status["audiences"] == [API_AUDIENCE]
    assert status["user"]["username"] == "system:serviceaccount:a:robot"
    assert status["user"]["groups"] == ["system:serviceaccounts", "system:serviceaccounts:a",
                                        "system:authenticated"]


async def test_audiences_must_meet(server: Server) -> None:
    token = await service_account_token(server, ["vault", "other"])
    assert (await review(server, token, ["vault"]))["audiences"] == ["vault"]
    assert await review(server, token) == {
        "error": f'token audiences ["vault" "other"] is invalid for the target audiences ["{API_AUDIENCE}"]'}


async def test_an_expired_token_is_not_authenticated(server: Server) -> None:
    account = (await server.admin.get("/api/v1/namespaces/a/serviceaccounts/robot")).json()
    signer = ephemeral_signer()  # the signer the assembly uses when given none
    claims = tokens.claims(signer=signer, cluster="root", namespace="a", name="robot",
                           uid=account["metadata"]["uid"], audiences=[API_AUDIENCE], expiration_seconds=600,
                           now=time.time() - 3600)
    assert await review(server, signer.sign(claims)) == {"error": "service account token has expired"}


async def test_a_forged_token_is_not_authenticated(server: Server) -> None:
    forger = Signer(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    claims = tokens.claims(signer=forger, cluster="root", namespace="a", name="robot", uid="x",
                           audiences=[API_AUDIENCE], expiration_seconds=600, now=time.time())
    assert await review(server, forger.sign(claims)) == {"error": "invalid bearer token"}


async def test_a_token_of_a_deleted_account_is_revoked(server: Server) -> None:
    token = await service_account_token(server)
    await server.admin.request("DELETE", "/api/v1/namespaces/a/serviceaccounts/robot")
    assert await review(server, token) == {"error": "token has been invalidated"}


async def test_a_review_needs_a_token_and_the_right_to_review(server: Server) -> None:
    reply = await server.admin.request("POST", PATH, {"spec": {}})
    assert (reply.status, reply.json()["message"]) == (400, "token is required for TokenReview in authentication")
    reply = await server.client("alice").request("POST", PATH, {"spec": {"token": "bob-token"}})
    assert reply.status == 403
