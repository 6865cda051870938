"""kube's bootstrap policy is written at start, and aggregated ClusterRoles follow the roles their selectors
pick: admin ⊇ edit ⊇ view, each gaining what a labelled ClusterRole adds and losing it when the role goes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gitplane.server.rbac import bootstrap, policy
from gitplane.server.rbac.rules import Rule, covers
from tests.unit.server.asgi_client import WAIT_SECONDS
from tests.unit.server.rbac.server import RBAC, Server, binding, role, running, user

CRONTABS = {"apiGroups": ["stable.example.com"], "resources": ["crontabs"], "verbs": ["get", "list", "watch"]}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        yield started


async def until(server: Server, path: str, check: Any) -> dict[str, Any]:
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            reply = await server.admin.get(path)
            if reply.status == 200 and check(reply.json()):
                return reply.json()
            await asyncio.sleep(0.005)


async def test_the_bootstrap_roles_and_bindings_are_created(server: Server) -> None:
    for name in ("cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user",
                 "system:public-info-viewer", "system:monitoring"):
        found = await until(server, f"{RBAC}/clusterroles/{name}", lambda _: True)
        assert found["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
    masters = await until(server, f"{RBAC}/clusterrolebindings/cluster-admin", lambda _: True)
    assert masters["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                    "name": "system:masters"}]
    public = await until(server, f"{RBAC}/clusterrolebindings/system:public-info-viewer", lambda _: True)
    assert [s["name"] for s in public["subjects"]] == ["system:authenticated", "system:unauthenticated"]


async def test_admin_edit_and_view_are_aggregated_as_kube_ships_them(server: Server) -> None:
    expected = {r["metadata"]["name"]: r["rules"] for r in bootstrap.aggregated_cluster_roles()}
    for name in ("view", "edit", "admin"):
        await until(server, f"{RBAC}/clusterroles/{name}", lambda r, n=name: r.get("rules") == expected[n])
    view_rules = expected["view"]
    assert not any("secrets" in r.get("resources", []) for r in view_rules)
    assert all(rule in expected["edit"] for rule in view_rules)
    assert all(rule in expected["admin"] for rule in expected["edit"])


async def test_a_labelled_clusterrole_joins_view_edit_and_admin_and_leaves_them(server: Server) -> None:
    added = role("crontab-viewer", [CRONTABS])
    added["metadata"]["labels"] = {"rbac.authorization.k8s.io/aggregate-to-view": "true"}
    await until(server, f"{RBAC}/clusterroles/admin", lambda r: bool(r.get("rules")))
    await server.write(f"{RBAC}/clusterroles", added)
    for name in ("view", "edit", "admin"):
        await until(server, f"{RBAC}/clusterroles/{name}", lambda r: CRONTABS in (r.get("rules") or []))
    assert (await server.admin.request("DELETE", f"{RBAC}/clusterroles/crontab-viewer")).status == 200
    for name in ("view", "edit", "admin"):
        await until(server, f"{RBAC}/clusterroles/{name}", lambda r: CRONTABS not in (r.get("rules") or []))


async def test_a_binding_to_the_aggregated_view_role_grants_reading(server: Server) -> None:
    await until(server, f"{RBAC}/clusterroles/view", lambda r: bool(r.get("rules")))
    await server.admin.create("/api/v1/namespaces", {"metadata": {"name": "a"}})
    await server.write(f"{RBAC}/namespaces/a/rolebindings", binding("alice-view", "ClusterRole", "view",
                                                                   [user("alice")], "a"))
    alice = server.client("alice")
    assert (await alice.get("/api/v1/namespaces/a/configmaps")).status == 200
    assert (await alice.get("/api/v1/namespaces/a/secrets")).status == 403
    assert (await alice.request("POST", "/api/v1/namespaces/a/configmaps",
                                {"metadata": {"name": "x"}})).status == 403


async def test_a_restart_gives_back_what_the_bootstrap_policy_lost_unless_told_not_to(server: Server) -> None:
    """As kube's bootstrap-roles hook: lost rules and subjects come back; ``autoupdate: "false"`` keeps edits."""
    # the last object the start-up pass writes: once it exists, that pass is over
    await until(server, f"{RBAC}/clusterrolebindings/system:monitoring", lambda _: True)
    discovery = await until(server, f"{RBAC}/clusterroles/system:discovery", lambda _: True)
    public = await until(server, f"{RBAC}/clusterrolebindings/system:public-info-viewer", lambda _: True)
    discovery["rules"] = [{"nonResourceURLs": ["/api"], "verbs": ["get"]}]
    assert (await server.admin.request("PUT", f"{RBAC}/clusterroles/system:discovery", discovery)).status == 200
    public["subjects"] = public["subjects"][:1]
    public["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"] = "false"
    path = f"{RBAC}/clusterrolebindings/system:public-info-viewer"
    assert (await server.admin.request("PUT", path, public)).status == 200

    assert await policy.ensure(server.assembly.api, "root") == 1
    restored = (await server.admin.get(f"{RBAC}/clusterroles/system:discovery")).json()
    shipped = next(r for r in bootstrap.cluster_roles() if r["metadata"]["name"] == "system:discovery")
    held = [Rule.from_dict(r) for r in restored["rules"]]
    assert covers(held, [Rule.from_dict(r) for r in shipped["rules"]])[0]
    kept = (await server.admin.get(path)).json()
    assert [s["name"] for s in kept["subjects"]] == ["system:authenticated"]
    assert await policy.ensure(server.assembly.api, "root") == 0
