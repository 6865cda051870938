"""The isolation matrix: users by workspaces by verbs, in process. Only a workspace's owner (its creator, bound to
cluster-admin there through workspace-admin) may do anything in it; everyone else gets the same 403 as for a
workspace that does not exist, whatever the verb and whatever URL form names the workspace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gitplane.server.peer import PeerCertificate
from tests.unit.server.asgi_client import WAIT_SECONDS, AsgiClient, running

CONTROLLERS = ("rbac-index", "logical-cluster-index", "custom-resource-catalogs", "validating-admission-policy-index",
               "workspace", "logicalcluster")
WORKSPACES = "/apis/tenancy.kcp.io/v1alpha1/workspaces"
USERS = ("alice", "bob", "carol")
"""alice owns root:org-alice and its team-a, bob root:org-bob and team-b, carol nothing."""


def as_user(app: Any, name: str) -> AsgiClient:
    return AsgiClient(app, peer=PeerCertificate(name, ("system:authenticated",)))


async def until(check: Any, what: str) -> Any:
    """The first true answer of ``check`` (the controllers work in the background; a guard against hangs)."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        result = await check()
        if result:
            return result
        assert asyncio.get_running_loop().time() < deadline, f"timed out: {what}"
        await asyncio.sleep(0.005)


async def ready_workspace(client: AsgiClient, parent: str, name: str, type_name: str) -> dict[str, Any]:
    body = {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace", "metadata": {"name": name},
            "spec": {"type": {"name": type_name}}}

    async def created() -> bool:
        return (await client.request("POST", f"/clusters/{parent}{WORKSPACES}", body)).status in (201, 409)

    await until(created, f"{name} created")

    async def ready() -> dict[str, Any] | None:
        reply = await client.get(f"/clusters/{parent}{WORKSPACES}/{name}")
        ws: dict[str, Any] = reply.json()
        return ws if reply.status == 200 and (ws.get("status") or {}).get("phase") == "Ready" else None

    ready_ws: dict[str, Any] = await until(ready, f"{name} Ready")
    return ready_ws


@pytest.fixture
async def tree() -> AsyncIterator[tuple[Any, dict[str, str]]]:
    async with running(*CONTROLLERS) as assembled:
        admin = AsgiClient(assembled.app)
        rbac = "/clusters/root/apis/rbac.authorization.k8s.io/v1"
        await admin.create(f"{rbac}/clusterroles", {"metadata": {"name": "ws-creator"}, "rules": [
            {"apiGroups": ["tenancy.kcp.io"], "resources": ["workspaces"], "verbs": ["create", "get"]}]})
        await admin.create(f"{rbac}/clusterrolebindings", {
            "metadata": {"name": "ws-creators"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "ws-creator"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": u} for u in USERS]})
        names: dict[str, str] = {}
        for owner, team in (("alice", "team-a"), ("bob", "team-b")):
            client = as_user(assembled.app, owner)
            await ready_workspace(client, "root", f"org-{owner}", "organization")

            async def entered(client: AsgiClient = client, owner: str = owner) -> bool:
                return (await client.get(f"/clusters/root:org-{owner}{WORKSPACES}")).status == 200

            await until(entered, f"{owner} enters her organization")
            made = await ready_workspace(client, f"root:org-{owner}", team, "team")
            names[f"root:org-{owner}:{team}"] = made["spec"]["cluster"]
            path = f"/clusters/root:org-{owner}:{team}/api/v1/namespaces/default/configmaps"

            async def wrote(client: AsgiClient = client, path: str = path, owner: str = owner) -> bool:
                reply = await client.request("POST", path, {"metadata": {"name": "private"},
                                                            "data": {"owner": owner}})
                return reply.status in (201, 409)

            await until(wrote, f"{owner} writes in her team")
        yield assembled.app, names


REQUESTS = (
    ("GET", "/api/v1/namespaces/default/configmaps/private", None),
    ("GET", "/api/v1/namespaces/default/configmaps", None),
    ("GET", "/api/v1/configmaps", None),
    ("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1", None),
    ("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "intruder"}}),
    ("PUT", "/api/v1/namespaces/default/configmaps/private", {"metadata": {"name": "private"}, "data": {}}),
    ("DELETE", "/api/v1/namespaces/default/configmaps/private", None),
    ("GET", "/apis/tenancy.kcp.io/v1alpha1/workspaces", None),
    ("GET", "/api", None),
)


async def test_only_owners_get_in_and_everyone_else_gets_one_answer(tree: tuple[Any, dict[str, str]]) -> None:
    app, names = tree
    owned = {"alice": {"root:org-alice", "root:org-alice:team-a"}, "bob": {"root:org-bob", "root:org-bob:team-b"},
             "carol": set()}
    targets = ["root:org-alice", "root:org-alice:team-a", "root:org-bob", "root:org-bob:team-b"]
    for user in USERS:
        client = as_user(app, user)
        for method, path, body in REQUESTS:
            nowhere = await client.request(method, f"/clusters/root:nowhere{path}", body)
            assert nowhere.status == 403
            for target in targets:
                forms = [target] + ([names[target]] if target in names else [])
                for form in forms:
                    reply = await client.request(method, f"/clusters/{form}{path}", body)
                    if target in owned[user]:
                        assert reply.status < 400 or (method, reply.status) in (("POST", 409), ("DELETE", 404),
                                                                                ("PUT", 404), ("GET", 404)), \
                            (user, method, form, path, reply.status, reply.body)
                    else:
                        assert reply.status == 403, (user, method, form, path, reply.body)
                        assert reply.body.replace(form.encode(), b"W") == \
                            nowhere.body.replace(b"root:nowhere", b"W"), (user, method, form, path)


async def test_names_do_not_collide_and_objects_carry_their_cluster(tree: tuple[Any, dict[str, str]]) -> None:
    app, names = tree
    for owner, path in (("alice", "root:org-alice:team-a"), ("bob", "root:org-bob:team-b")):
        reply = await as_user(app, owner).get(f"/clusters/{path}/api/v1/namespaces/default/configmaps/private")
        obj = reply.json()
        assert obj["data"] == {"owner": owner}
        assert obj["metadata"]["annotations"]["kcp.io/cluster"] == names[path]


async def test_only_system_masters_list_across_every_cluster(tree: tuple[Any, dict[str, str]]) -> None:
    app, names = tree
    everywhere = await AsgiClient(app).get("/clusters/*/api/v1/configmaps")
    owners = sorted(item["data"]["owner"] for item in everywhere.json()["items"]
                    if item["metadata"]["name"] == "private")
    assert owners == ["alice", "bob"]
    assert {item["metadata"]["annotations"]["kcp.io/cluster"] for item in everywhere.json()["items"]} >= \
        set(names.values())
    for user in USERS:
        assert (await as_user(app, user).get("/clusters/*/api/v1/configmaps")).status == 403
    assert (await AsgiClient(app).get("/clusters/*/api/v1/namespaces/default/configmaps/private")).status == 403
