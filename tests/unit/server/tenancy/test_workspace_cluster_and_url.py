"""A Workspace's ``spec.cluster`` and ``spec.URL`` are the system's: filled in at create from the logical
cluster's chosen name and the workspace's path, refused from users, never changed; the phase starts
``Scheduling`` and reaches ``Ready`` with both conditions."""

from __future__ import annotations

from typing import Any

from gitplane.server.peer import PeerCertificate
from tests.unit.server.asgi_client import AsgiClient, running
from tests.unit.server.tenancy.test_isolation_matrix import CONTROLLERS, WORKSPACES, until

RBAC = "/clusters/root/apis/rbac.authorization.k8s.io/v1"
ORG = {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace", "metadata": {"name": "org-a"},
       "spec": {"type": {"name": "organization", "path": "root"}}}


async def grant_workspace_create(admin: AsgiClient, user: str) -> None:
    await admin.create(f"{RBAC}/clusterroles", {"metadata": {"name": "workspace-maker"}, "rules": [
        {"apiGroups": ["tenancy.kcp.io"], "resources": ["workspaces"], "verbs": ["create", "get"]}]})
    await admin.create(f"{RBAC}/clusterrolebindings", {
        "metadata": {"name": f"{user}-makes-workspaces"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "workspace-maker"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]})


async def test_the_cluster_and_url_are_set_at_create_and_the_phases_follow() -> None:
    async with running(*CONTROLLERS) as assembled:
        admin = AsgiClient(assembled.app)
        created = await admin.request("POST", f"/clusters/root{WORKSPACES}", ORG)
        assert created.status == 201, created.body
        ws = created.json()
        name = ws["metadata"]["annotations"]["internal.tenancy.kcp.io/cluster"]
        assert ws["spec"]["cluster"] == name and len(name) == 16
        assert ws["spec"]["URL"] == "https://127.0.0.1:6443/clusters/root:org-a"
        assert ws["status"] == {"phase": "Scheduling"}
        assert ws["metadata"]["labels"]["tenancy.kcp.io/phase"] == "Scheduling"

        async def ready() -> dict[str, Any] | None:
            got: dict[str, Any] = (await admin.get(f"/clusters/root{WORKSPACES}/org-a")).json()
            return got if (got.get("status") or {}).get("phase") == "Ready" else None

        ws = await until(ready, "org-a Ready")
        assert {c["type"]: c["status"] for c in ws["status"]["conditions"]} == {
            "WorkspaceScheduled": "True", "WorkspaceInitialized": "True"}
        assert ws["metadata"]["labels"]["tenancy.kcp.io/phase"] == "Ready"
        logical = (await admin.get(f"/clusters/{name}/apis/core.kcp.io/v1alpha1/logicalclusters/cluster")).json()
        assert logical["status"] == {"phase": "Ready"}
        assert logical["metadata"]["annotations"]["kcp.io/path"] == "root:org-a"

        ws["spec"]["cluster"] = "somewhereelse000"
        moved = await admin.request("PUT", f"/clusters/root{WORKSPACES}/org-a", ws)
        assert moved.status == 422 and "cluster is immutable" in moved.json()["message"]


async def test_a_user_may_not_send_a_cluster_or_url() -> None:
    async with running(*CONTROLLERS) as assembled:
        admin = AsgiClient(assembled.app)
        alice = AsgiClient(assembled.app, peer=PeerCertificate("alice", ("system:authenticated",)))
        await grant_workspace_create(admin, "alice")
        for field, value in (("cluster", "bobshome00000000"), ("URL", "https://elsewhere/clusters/root:x")):
            body = {**ORG, "spec": {**ORG["spec"], field: value}}  # type: ignore[dict-item]

            async def refused(body: dict[str, Any] = body) -> Any:
                reply = await alice.request("POST", f"/clusters/root{WORKSPACES}", body)
                return None if "cannot create resource" in reply.body.decode() else reply

            reply = await until(refused, "alice's binding is in force")
            assert (reply.status, reply.json()["message"]) == (
                403, f'workspaces.tenancy.kcp.io "org-a" is forbidden: spec.{field} can only be set by system '
                     "privileged users")
        made = await until(lambda: _created(alice), "alice creates org-a without them")
        assert made["spec"]["URL"] == "https://127.0.0.1:6443/clusters/root:org-a"


async def _created(client: AsgiClient) -> dict[str, Any] | None:
    reply = await client.request("POST", f"/clusters/root{WORKSPACES}", ORG)
    made: dict[str, Any] | None = reply.json() if reply.status == 201 else None
    return made
