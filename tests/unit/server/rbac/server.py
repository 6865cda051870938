"""The assembled server with its RBAC controllers running, test users by bearer token, and a way to wait
until the RBAC index has seen a write (the index follows the store asynchronously, as kube's informers do)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from gitplane.server.assembly import Assembly, assemble
from gitplane.server.health import Health
from gitplane.server.metrics import ServerMetrics
from gitplane.server.rbac.authorizer import RBACAuthorizer
from gitplane.server.rbac.index import PolicyIndex
from gitplane.server.request import UserInfo
from gitplane.server.stages.authz import Authorization
from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import CATALOG, WAIT_SECONDS, AsgiClient, Reply, bootstrap

RBAC = "/apis/rbac.authorization.k8s.io/v1"
USERS = {
    "alice": UserInfo("alice", ("devs",)),
    "bob": UserInfo("bob", ()),
    "carol": UserInfo("carol", ()),
    "dave": UserInfo("dave", ()),
    "robot": UserInfo("system:serviceaccount:a:robot", ("system:serviceaccounts", "system:serviceaccounts:a")),
}
CONTROLLERS = ("rbac-index", "clusterrole-aggregation", "rbac-bootstrap-policy")


def index_of(assembly: Assembly) -> PolicyIndex:
    """The RBAC index behind the assembled authorization stage."""
    for stage in assembly.app._stages:  # the assembly does not hand its stages out; tests look inside
        if isinstance(stage, Authorization):
            for authorizer in stage.authorizers:
                if isinstance(authorizer, RBACAuthorizer):
                    return authorizer.index
    raise AssertionError("no RBAC authorizer in the chain")


@dataclass
class Server:
    assembly: Assembly
    admin: AsgiClient
    index: PolicyIndex
    _fences: int = 0

    def client(self, user: str | None) -> AsgiClient:
        """``user`` by bearer token (None: anonymous)."""
        return AsgiClient(self.assembly.app, peer=None, token=None if user is None else f"{user}-token")

    async def seen(self, reply_or_object: Reply | dict[str, Any]) -> None:
        """Wait until the index reflects the write that returned this object."""
        obj = reply_or_object.json() if isinstance(reply_or_object, Reply) else reply_or_object
        async with asyncio.timeout(WAIT_SECONDS):
            await self.index.wait_for(int(obj["metadata"]["resourceVersion"]))

    async def fence(self) -> None:
        """Wait until the index has seen every ClusterRoleBinding change so far (a delete returns no revision:
        a later write of the same type, seen, means the delete was seen before it)."""
        self._fences += 1
        await self.write(f"{RBAC}/clusterrolebindings",
                         binding(f"fence-{self._fences}", "ClusterRole", "view", [user("nobody")]))

    async def write(self, path: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Create as admin and wait until RBAC has seen it."""
        created = await self.admin.create(path, obj)
        await self.seen(created)
        return created


@contextlib.asynccontextmanager
async def running(controllers: tuple[str, ...] = CONTROLLERS) -> AsyncIterator[Server]:
    store = MemoryStore()
    assembly = assemble(store, tokens={f"{name}-token": user for name, user in USERS.items()}, health=Health(),
                        server_address="127.0.0.1:6443", metrics=ServerMetrics(CATALOG, strict=True))
    admin = AsgiClient(assembly.app)
    await bootstrap(admin)
    tasks = [asyncio.create_task(run(), name=name) for name, run in assembly.controllers if name in controllers]
    try:
        yield Server(assembly, admin, index_of(assembly))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await store.close()


def role(name: str, rules: list[dict[str, Any]], namespace: str = "") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role" if namespace else "ClusterRole",
            "metadata": meta, "rules": rules}


def binding(name: str, role_kind: str, role_name: str, subjects: list[dict[str, Any]],
            namespace: str = "") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding" if namespace else "ClusterRoleBinding", "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
            "subjects": subjects}


def user(name: str) -> dict[str, Any]:
    return {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name}


def group(name: str) -> dict[str, Any]:
    return {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": name}
