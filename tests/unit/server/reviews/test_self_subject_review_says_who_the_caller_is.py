"""SelfSubjectReview (kubectl auth whoami) at authentication.k8s.io v1 and v1beta1: the caller's user name, uid,
groups and extra as the server authenticated them; a ServiceAccount token's extras included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.unit.server.asgi_client import AsgiClient
from tests.unit.server.rbac.server import Server, running


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        yield started


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
async def test_a_token_user_sees_its_name_and_groups(server: Server, version: str) -> None:
    reply = await server.client("alice").request(
        "POST", f"/apis/authentication.k8s.io/{version}/selfsubjectreviews",
        {"apiVersion": f"authentication.k8s.io/{version}", "kind": "SelfSubjectReview"})
    assert reply.status == 201, reply.body
    body = reply.json()
    assert (body["apiVersion"], body["kind"]) == (f"authentication.k8s.io/{version}", "SelfSubjectReview")
    assert body["metadata"]["creationTimestamp"].endswith("Z")
    assert body["status"] == {"userInfo": {"username": "alice", "groups": ["devs", "system:authenticated"]}}


async def test_a_client_certificate_user_sees_its_organizations(server: Server) -> None:
    reply = await server.admin.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {})
    assert reply.json()["status"]["userInfo"] == {"username": "unit-admin",
                                                  "groups": ["system:masters", "system:authenticated"]}


async def test_a_service_account_sees_its_uid_and_extras(server: Server) -> None:
    await server.admin.create("/api/v1/namespaces", {"metadata": {"name": "a"}})
    account = await server.admin.create("/api/v1/namespaces/a/serviceaccounts", {"metadata": {"name": "robot"}})
    reply = await server.admin.request("POST", "/api/v1/namespaces/a/serviceaccounts/robot/token",
                                       {"spec": {"expirationSeconds": 3600}})
    token = reply.json()["status"]["token"]
    robot = AsgiClient(server.assembly.app, peer=None, token=token)
    info = (await robot.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {})).json()[
        "status"]["userInfo"]
    assert info["username"] == "system:serviceaccount:a:robot"
    assert info["uid"] == account["metadata"]["uid"]
    assert info["groups"] == ["system:serviceaccounts", "system:serviceaccounts:a", "system:authenticated"]
    assert info["extra"]["authentication.kcp.io/cluster-name"] == ["root"]
    assert info["extra"]["authentication.kubernetes.io/credential-id"][0].startswith("JTI=")
