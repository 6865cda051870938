"""A TokenRequest issues a JWT that authenticates as the ServiceAccount (kube's user, groups and claims) until
it expires or its ServiceAccount (or the Secret it is bound to) is deleted; a token signed by another key, for
another audience, or expired is 401; the issuer's JWKS verifies the token; bad requests are refused in kube's
words."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
import pytest

from gitplane.server.app import App
from gitplane.server.serviceaccounts import tokens
from gitplane.server.serviceaccounts.signing import Signer, ephemeral_signer
from tests.unit.server.asgi_client import AsgiClient

ACCOUNTS = "/api/v1/namespaces/unit/serviceaccounts"
CONFIGMAPS = "/api/v1/namespaces/unit/configmaps"


def token_request(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}


async def issue(admin: AsgiClient, name: str = "robot", **spec: Any) -> str:
    reply = await admin.request("POST", f"{ACCOUNTS}/{name}/token", token_request(**spec))
    assert reply.status == 201, reply.body
    token: str = reply.json()["status"]["token"]
    return token


async def caller(app: App, token: str) -> tuple[int, str]:
    """The status of a GET of ConfigMaps with ``token``, and the user the refusal names (authenticated callers
    without RBAC rights are refused with 403, naming who they are)."""
    reply = await AsgiClient(app, peer=None, token=token).get(CONFIGMAPS)
    return reply.status, reply.json().get("message", "")


@pytest.fixture
async def robot(admin: AsgiClient, namespace: str) -> dict[str, Any]:
    return await admin.create(ACCOUNTS, {"metadata": {"name": "robot"}})


async def test_a_requested_token_authenticates_as_the_service_account(app: App, admin: AsgiClient,
                                                                      robot: dict[str, Any]) -> None:
    reply = await admin.request("POST", f"{ACCOUNTS}/robot/token", token_request(expirationSeconds=1200))
    answer = reply.json()
    assert (reply.status, answer["kind"], answer["spec"]["expirationSeconds"]) == (201, "TokenRequest", 1200)
    claims = jwt.decode(answer["status"]["token"], options={"verify_signature": False})
    assert claims["sub"] == "system:serviceaccount:unit:robot"
    assert claims["kubernetes.io"] == {"namespace": "unit",
                                       "serviceaccount": {"name": "robot", "uid": robot["metadata"]["uid"]}}
    assert claims["exp"] - claims["iat"] == 1200 and claims["aud"] == list(ephemeral_signer().audiences)
    status, message = await caller(app, answer["status"]["token"])
    assert status == 403 and 'User "system:serviceaccount:unit:robot" cannot list resource "configmaps"' in message
    discovery = await AsgiClient(app, peer=None, token=answer["status"]["token"]).get("/api")
    assert discovery.status == 200  # system:authenticated


async def test_deleting_the_service_account_revokes_its_tokens(app: App, admin: AsgiClient,
                                                               robot: dict[str, Any]) -> None:
    token = await issue(admin)
    assert (await caller(app, token))[0] == 403
    assert (await admin.request("DELETE", f"{ACCOUNTS}/robot")).status == 200
    assert (await caller(app, token))[0] == 401
    await admin.create(ACCOUNTS, {"metadata": {"name": "robot"}})  # same name, another uid
    assert (await caller(app, token))[0] == 401


async def test_a_token_bound_to_a_secret_dies_with_it(app: App, admin: AsgiClient, robot: dict[str, Any]) -> None:
    secret = await admin.create("/api/v1/namespaces/unit/secrets", {"metadata": {"name": "s"}})
    token = await issue(admin, boundObjectRef={"kind": "Secret", "apiVersion": "v1", "name": "s",
                                               "uid": secret["metadata"]["uid"]})
    assert (await caller(app, token))[0] == 403
    await admin.request("DELETE", "/api/v1/namespaces/unit/secrets/s")
    assert (await caller(app, token))[0] == 401


@pytest.mark.parametrize("forge", ["other-key", "expired", "other-audience", "garbage"])
async def test_forged_and_expired_tokens_are_401(app: App, robot: dict[str, Any], forge: str) -> None:
    signer = ephemeral_signer()
    now = time.time()
    claims = tokens.claims(signer=signer, cluster="root", namespace="unit", name="robot",
                           uid=robot["metadata"]["uid"], audiences=list(signer.audiences), expiration_seconds=600,
                           now=now)
    if forge == "other-key":
        from cryptography.hazmat.primitives.asymmetric import rsa
        token = Signer(rsa.generate_private_key(public_exponent=65537, key_size=2048)).sign(claims)
    elif forge == "expired":
        token = signer.sign({**claims, "iat": now - 4000, "nbf": now - 4000, "exp": now - 400})
    elif forge == "other-audience":
        token = signer.sign({**claims, "aud": ["https://elsewhere.example"]})
    else:
        token = "eyJ" + base64.urlsafe_b64encode(b"not json").decode() + ".x.y"
    reply = await AsgiClient(app, peer=None, token=token).get(CONFIGMAPS)
    assert (reply.status, reply.json()["message"]) == (401, "Unauthorized")


async def test_the_issuer_documents_verify_a_token(app: App, admin: AsgiClient, robot: dict[str, Any]) -> None:
    token = await issue(admin)
    jwks = (await admin.get("/openid/v1/jwks")).json()
    config = (await admin.get("/.well-known/openid-configuration")).json()
    key = jwt.PyJWK(jwks["keys"][0])
    assert jwt.get_unverified_header(token)["kid"] == jwks["keys"][0]["kid"]
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=config["issuer"], issuer=config["issuer"])
    assert claims["sub"] == "system:serviceaccount:unit:robot"


@pytest.mark.parametrize(("spec", "status", "message"), [
    ({"expirationSeconds": 60}, 422, "spec.expirationSeconds: Invalid value: 60: may not specify a duration less "
                                     "than 10 minutes"),
    ({"boundObjectRef": {"kind": "Deployment", "name": "d"}}, 422,
     'spec.boundObjectRef.kind: Unsupported value: "Deployment": supported values: "Pod", "Secret", "Node"'),
    ({"boundObjectRef": {"kind": "Secret", "name": "absent"}}, 404, 'secrets "absent" not found'),
])
async def test_bad_token_requests_are_refused(admin: AsgiClient, robot: dict[str, Any], spec: dict[str, Any],
                                              status: int, message: str) -> None:
    reply = await admin.request("POST", f"{ACCOUNTS}/robot/token", token_request(**spec))
    assert reply.status == status and message in reply.json()["message"]


async def test_a_token_for_an_absent_service_account_is_404(admin: AsgiClient, namespace: str) -> None:
    reply = await admin.request("POST", f"{ACCOUNTS}/ghost/token", token_request())
    assert (reply.status, reply.json()["message"]) == (404, 'serviceaccounts "ghost" not found')
