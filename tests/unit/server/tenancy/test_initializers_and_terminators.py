"""A WorkspaceType's initializer holds its workspaces Initializing until it removes itself; its terminator holds
a deleted workspace Terminating (content still served) until it removes itself; a workspace's own admin can
skip neither."""

from __future__ import annotations

from typing import Any

from gitplane.server.peer import PeerCertificate
from tests.unit.server.asgi_client import AsgiClient, running
from tests.unit.server.tenancy.test_isolation_matrix import CONTROLLERS, WORKSPACES, until

RBAC = "/clusters/root/apis/rbac.authorization.k8s.io/v1"


async def test_an_initializer_and_a_terminator_hold_their_phase_until_they_remove_themselves() -> None:
    async with running(*CONTROLLERS) as assembled:
        admin = AsgiClient(assembled.app)
        alice = AsgiClient(assembled.app, peer=PeerCertificate("alice", ("system:authenticated",)))
        await admin.create("/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspacetypes", {
            "apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "WorkspaceType", "metadata": {"name": "gated"},
            "spec": {"initializer": True, "terminator": True, "extend": {"with": [{"name": "universal",
                                                                                  "path": "root"}]}}})
        await admin.create(f"{RBAC}/clusterroles", {"metadata": {"name": "gated-user"}, "rules": [
            {"apiGroups": ["tenancy.kcp.io"], "resources": ["workspacetypes"], "resourceNames": ["gated"],
             "verbs": ["use"]},
            {"apiGroups": ["tenancy.kcp.io"], "resources": ["workspaces"], "verbs": ["create", "get", "delete"]}]})
        await admin.create(f"{RBAC}/clusterrolebindings", {
            "metadata": {"name": "alice-gated"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "gated-user"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]})

        async def created() -> bool:
            reply = await alice.request("POST", f"/clusters/root{WORKSPACES}", {
                "apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace", "metadata": {"name": "held"},
                "spec": {"type": {"name": "gated"}}})
            return reply.status in (201, 409)

        await until(created, "alice creates a gated workspace")

        async def workspace() -> dict[str, Any]:
            ws: dict[str, Any] = (await admin.get(f"/clusters/root{WORKSPACES}/held")).json()
            return ws

        async def universal_done() -> dict[str, Any] | None:
            ws = await workspace()
            status = ws.get("status") or {}
            return ws if status.get("phase") == "Initializing" and status.get("initializers") == ["root:gated"] \
                else None

        ws = await until(universal_done, "root:universal initialized, root:gated left")
        assert {c["type"]: (c["status"], c.get("reason")) for c in ws["status"]["conditions"]}[
            "WorkspaceInitialized"] == ("False", "InitializerExists")
        cluster = f"/clusters/{ws['spec']['cluster']}/apis/core.kcp.io/v1alpha1/logicalclusters/cluster"

        async def alice_inside() -> bool:  # her workspace-admin binding is made while Initializing
            return (await alice.get(cluster)).status == 200

        await until(alice_inside, "alice enters her initializing workspace")
        logical = (await alice.get(cluster)).json()
        logical["status"]["initializers"] = []
        refused = await alice.request("PUT", cluster + "/status", logical)
        assert (refused.status, refused.json()["message"]) == (
            403, 'logicalclusters.core.kcp.io "cluster" is forbidden: status.initializers is changed by the system '
                 "only")
        assert (await admin.request("PUT", cluster + "/status", logical)).status == 200  # the initializer

        async def ready() -> bool:
            return ((await workspace()).get("status") or {}).get("phase") == "Ready"

        await until(ready, "Ready once the initializer removed itself")

        assert (await alice.request("DELETE", f"/clusters/root{WORKSPACES}/held")).status == 200

        async def terminating() -> dict[str, Any] | None:
            ws = await workspace()
            status = ws.get("status") or {}
            return ws if status.get("phase") == "Terminating" and status.get("terminators") == ["root:gated"] \
                else None

        await until(terminating, "Terminating while root:gated remains")
        namespaces = f"/clusters/{ws['spec']['cluster']}/api/v1/namespaces"
        assert {n["metadata"]["name"] for n in (await alice.get(namespaces)).json()["items"]} == {
            "default", "kube-system"}  # content is still served
        logical = (await admin.get(cluster)).json()
        logical["status"]["terminators"] = []
        assert (await admin.request("PUT", cluster + "/status", logical)).status == 200  # the terminator

        async def gone() -> bool:
            return (await admin.get(f"/clusters/root{WORKSPACES}/held")).status == 404

        await until(gone, "the workspace goes once the terminator removed itself")
        assert (await admin.get(cluster)).status == 404
