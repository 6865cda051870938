"""Home workspaces: ``workspaces/~`` in root makes the caller's private workspace on first access (429 with
Retry-After until it is Ready), the caller is its cluster-admin, nobody else gets in."""

from __future__ import annotations

from gitplane.server.peer import PeerCertificate
from gitplane.server.tenancy.home import home_cluster_name
from tests.unit.server.asgi_client import AsgiClient, running
from tests.unit.server.tenancy.test_isolation_matrix import CONTROLLERS, until

HOME = "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~"


def user(app: object, name: str) -> AsgiClient:
    return AsgiClient(app, peer=PeerCertificate(name, ("system:authenticated",)))  # type: ignore[arg-type]


async def test_a_users_home_is_made_on_first_access_and_is_theirs_alone() -> None:
    async with running(*CONTROLLERS) as assembled:
        alice, bob = user(assembled.app, "alice"), user(assembled.app, "bob")

        async def authorized() -> bool:  # the RBAC index has listed the store
            return (await alice.get(HOME)).status != 403

        await until(authorized, "alice may ask for her home")
        first = await alice.get(HOME)
        assert first.status in (200, 429)
        if first.status == 429:
            assert first.header("retry-after") == "1"
            assert first.json()["message"] == "Creating the home workspace"

        async def ready() -> dict | None:  # type: ignore[type-arg]
            reply = await alice.get(HOME)
            return reply.json() if reply.status == 200 else None

        home = await until(ready, "alice's home is Ready")
        assert home["kind"] == "Workspace" and home["metadata"]["name"] == "~"
        assert home["spec"]["URL"] == "https://127.0.0.1:6443/clusters/user:alice"
        assert home["spec"]["cluster"] == home_cluster_name("alice")
        assert home["spec"]["type"] == {"name": "home", "path": "root"}
        assert home["status"]["phase"] == "Ready"

        configmaps = "/clusters/user:alice/api/v1/namespaces/default/configmaps"

        async def writes() -> bool:  # her workspace-admin binding is seen
            return (await alice.request("POST", configmaps, {"metadata": {"name": "mine"}})).status in (201, 409)

        await until(writes, "alice writes in her home")
        assert (await bob.get(configmaps)).status == 403
        by_name = f"/clusters/{home_cluster_name('alice')}/api/v1/namespaces/default/configmaps"
        assert (await bob.get(by_name)).status == 403
        assert (await alice.get(by_name)).status == 200
        bobs = await until(lambda: _home_of(bob), "bob's own home")
        assert bobs["spec"]["URL"].endswith("/clusters/user:bob")
        assert home_cluster_name("alice") != home_cluster_name("bob")


async def _home_of(client: AsgiClient) -> dict | None:  # type: ignore[type-arg]
    reply = await client.get(HOME)
    return reply.json() if reply.status == 200 else None


async def test_a_user_whose_name_is_no_workspace_name_has_no_home() -> None:
    async with running(*CONTROLLERS) as assembled:
        robot = user(assembled.app, "system:serviceaccount:default:robot")
        reply = await robot.get(HOME)
        assert reply.status == 403
        assert "workspace access not permitted" in reply.json()["message"]


async def test_nobody_but_the_system_chooses_a_workspaces_cluster() -> None:
    """A user cannot point a new Workspace at a cluster of their choosing, such as someone's future home."""
    async with running(*CONTROLLERS) as assembled:
        admin, mallory = AsgiClient(assembled.app), user(assembled.app, "mallory")
        rbac = "/clusters/root/apis/rbac.authorization.k8s.io/v1"
        await admin.create(f"{rbac}/clusterrolebindings", {
            "metadata": {"name": "mallory-admin"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "mallory"}]})
        body = {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace",
                "metadata": {"name": "trap", "annotations": {
                    "internal.tenancy.kcp.io/cluster": home_cluster_name("bob")}},
                "spec": {"type": {"name": "organization"}}}

        async def created() -> dict | None:  # type: ignore[type-arg]
            reply = await mallory.request("POST", "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces", body)
            return reply.json() if reply.status == 201 else None

        ws = await until(created, "mallory creates a workspace")
        assert ws["metadata"]["annotations"]["internal.tenancy.kcp.io/cluster"] != home_cluster_name("bob")
        bob = user(assembled.app, "bob")
        home = await until(lambda: _home_of(bob), "bob still gets his own home")
        assert home["spec"]["URL"].endswith("/clusters/user:bob")
