"""kcp's required groups: ``authorization.kcp.io/required-groups`` on a LogicalCluster (``a,b;c``) keeps out every
user not in all groups of one set, whatever RBAC grants, and a child workspace inherits its parent's."""

from __future__ import annotations

from typing import Any

from gitplane.server.peer import PeerCertificate
from tests.unit.server.asgi_client import AsgiClient, running
from tests.unit.server.tenancy.test_isolation_matrix import CONTROLLERS, WORKSPACES, ready_workspace, until

ANNOTATION = "authorization.kcp.io/required-groups"


async def test_only_users_in_the_required_groups_enter_and_children_inherit_them() -> None:
    async with running(*CONTROLLERS) as assembled:
        admin = AsgiClient(assembled.app)
        alice = AsgiClient(assembled.app, peer=PeerCertificate("alice", ("system:authenticated",)))
        bob = AsgiClient(assembled.app, peer=PeerCertificate("bob", ("system:authenticated", "team-x", "ops")))
        carol = AsgiClient(assembled.app, peer=PeerCertificate("carol", ("system:authenticated", "auditors")))
        await admin.create(f"/clusters/root{WORKSPACES}", {
            "apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace",
            "metadata": {"name": "guarded", "annotations": {ANNOTATION: "team-x,ops;auditors"}},
            "spec": {"type": {"name": "organization"}}})
        guarded = await ready_workspace(admin, "root", "guarded", "organization")
        logical = (await admin.get("/clusters/root:guarded/apis/core.kcp.io/v1alpha1/logicalclusters/cluster")).json()
        assert logical["metadata"]["annotations"][ANNOTATION] == "team-x,ops;auditors"
        child = await ready_workspace(admin, "root:guarded", "inner", "universal")
        for path in ("root:guarded", "root:guarded:inner"):
            await admin.create(f"/clusters/{path}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
                "metadata": {"name": "everyone-admin"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                              "name": "system:authenticated"}]})
        for path in ("root:guarded", "root:guarded:inner"):
            namespaces = f"/clusters/{path}/api/v1/namespaces"

            async def bob_in(namespaces: str = namespaces) -> bool:
                return (await bob.get(namespaces)).status == 200

            await until(bob_in, f"bob (team-x and ops) enters {path}")
            assert (await carol.get(namespaces)).status == 200  # auditors: the other set
            refused = await alice.get(namespaces)
            assert refused.status == 403 and "workspace access not permitted" in refused.json()["message"]
        assert guarded["spec"]["cluster"] != child["spec"]["cluster"]


async def test_a_workspace_admin_cannot_lift_the_required_groups() -> None:
    async with running(*CONTROLLERS) as assembled:
        admin = AsgiClient(assembled.app)
        bob = AsgiClient(assembled.app, peer=PeerCertificate("bob", ("system:authenticated", "team-x")))
        await admin.create(f"/clusters/root{WORKSPACES}", {
            "apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace",
            "metadata": {"name": "kept", "annotations": {ANNOTATION: "team-x"}},
            "spec": {"type": {"name": "organization"}}})
        await ready_workspace(admin, "root", "kept", "organization")
        await admin.create("/clusters/root:kept/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
            "metadata": {"name": "bob-admin"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "bob"}]})
        path = "/clusters/root:kept/apis/core.kcp.io/v1alpha1/logicalclusters/cluster"

        async def bob_reads() -> dict[str, Any] | None:
            reply = await bob.get(path)
            return reply.json() if reply.status == 200 else None

        logical = await until(bob_reads, "bob reads the LogicalCluster")
        logical["metadata"]["annotations"].pop(ANNOTATION)
        refused = await bob.request("PUT", path, logical)
        assert refused.status == 403
        assert "authorization.kcp.io/required-groups is set by the system only" in refused.json()["message"]
