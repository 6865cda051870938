"""The API server assembled in process with the ResourceQuota plugin, and helpers for the quota tests.

:func:`build` wires the pipeline as ``gitplane/server/service.py`` does (same stages and admission chain) on a
store the test owns; :class:`Server` bundles it with an admin :class:`InProcessClient`, the plugin, and a quota
controller that a test starts when it needs one. :func:`until` waits for a stored object to satisfy a
condition by watching the store (with a guard against hangs, never a timing).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from gitplane.api.builtin_types import BUILTIN_TYPES
from gitplane.server import admission
from gitplane.server.admission.namespace_lifecycle import NamespaceLifecycle
from gitplane.server.admission.resource_quota import ResourceQuotaAdmission
from gitplane.server.admission.resource_quota_charges import Charges
from gitplane.server.app import App
from gitplane.server.catalog import Catalog
from gitplane.server.controllers.quota.controller import QuotaController
from gitplane.server.health import Health
from gitplane.server.inprocess import InProcessClient, Reply
from gitplane.server.nonresource import NonResourceRoutes
from gitplane.server.rbac.authorizer import RBACAuthorizer
from gitplane.server.rbac.index import PolicyIndex
from gitplane.server.registry import strategies
from gitplane.server.rest.router import ResourceRouter
from gitplane.server.serviceaccounts.signing import ephemeral_signer
from gitplane.server.stages.authn import Authenticator
from gitplane.server.stages.authz import Authorization, SystemMasters
from gitplane.server.stages.cluster import ClusterResolver
from gitplane.server.stages.info import parse_request_info
from gitplane.server.tenancy.index import LogicalClusterIndex
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore

WAIT_SECONDS = 10.0
"""How long a test waits for a condition that must come true (a guard against hangs, never a timing)."""
CLUSTER = "root"
NAMESPACE = "unit"
CATALOG = Catalog(BUILTIN_TYPES)
QUOTAS_PATH = f"/clusters/{CLUSTER}/api/v1/namespaces/{NAMESPACE}/resourcequotas"
CONFIGMAPS_PATH = f"/clusters/{CLUSTER}/api/v1/namespaces/{NAMESPACE}/configmaps"


def catalog_for(_cluster: str) -> Catalog:
    return CATALOG


def build(store: storage.Store, plugin: ResourceQuotaAdmission) -> App:
    """The server's ASGI app over ``store`` with ``plugin`` in the admission chain, as the service builds it."""
    router = ResourceRouter(store=store, catalog_for=catalog_for, strategy_for=strategies.for_type,
                            chain=admission.Chain([NamespaceLifecycle(), plugin]),
                            bookmark_seconds=30.0, signer=ephemeral_signer())
    return App(
        stages=[parse_request_info, Authenticator({}), ClusterResolver(LogicalClusterIndex()),
                Authorization([SystemMasters(), RBACAuthorizer(PolicyIndex())])],
        resources=router,
        non_resources=NonResourceRoutes(catalog_for=catalog_for, health=Health(),
                                        server_address="127.0.0.1:6443"),
    )


@dataclass
class Server:
    """One test's server: its store, the plugin in its admission chain, and an admin client."""

    store: storage.Store
    plugin: ResourceQuotaAdmission
    api: InProcessClient

    @classmethod
    async def start(cls, store: storage.Store, charges: Charges | None = None) -> Server:
        plugin = ResourceQuotaAdmission(charges)
        api = InProcessClient(build(store, plugin), user="unit-admin", groups=("system:masters",),
                              user_agent="quota-tests")
        for name in ("default", NAMESPACE):
            reply = await api.request("POST", f"/clusters/{CLUSTER}/api/v1/namespaces",
                                      body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
            reply.raise_for_status()
        return cls(store, plugin, api)

    def controller(self, *, resync_seconds: float = 3600.0) -> QuotaController:
        return QuotaController(store=self.store, api=self.api, catalog_for=catalog_for,
                               charges=self.plugin.charges, resync_seconds=resync_seconds)

    @contextlib.asynccontextmanager
    async def running_controller(self) -> AsyncIterator[QuotaController]:
        """The quota controller, running until the block ends."""
        controller = self.controller()
        task = asyncio.create_task(controller.run(), name="quota-controller-under-test")
        try:
            yield controller
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @contextlib.asynccontextmanager
    async def following_quotas(self) -> AsyncIterator[None]:
        """The plugin's quota cache, listed and following the store until the block ends."""
        task = asyncio.create_task(self.plugin.follow_quotas(self.store), name="quota-cache-under-test")
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                await self.plugin.cache.listed.wait()
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def create_quota(self, name: str, hard: Mapping[str, str], *, status: Mapping[str, Any] | None = None,
                           spec: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Create a quota; with ``status``, also write it through ``/status`` (standing in for the controller)."""
        body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name},
                "spec": {"hard": dict(hard), **(spec or {})}}
        reply = await self.api.request("POST", QUOTAS_PATH, body=body)
        reply.raise_for_status()
        quota: dict[str, Any] = reply.json()
        if status is not None:
            reply = await self.api.request("PUT", f"{QUOTAS_PATH}/{name}/status",
                                           body={**quota, "status": dict(status)})
            reply.raise_for_status()
            quota = reply.json()
        return quota

    async def quota(self, name: str) -> dict[str, Any]:
        record = await self.store.get(storage.Key("", "resourcequotas", "", CLUSTER, NAMESPACE, name))
        quota: dict[str, Any] = orjson.loads(record.value)
        return quota

    async def used(self, name: str) -> dict[str, str]:
        used: dict[str, str] = ((await self.quota(name)).get("status") or {}).get("used") or {}
        return used

    async def create_configmap(self, name: str, *, query: str = "") -> Reply:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
        return await self.api.request("POST", CONFIGMAPS_PATH + query, body=body)

    async def configmaps(self) -> list[str]:
        page = await self.store.list(storage.Prefix("", "configmaps", "", CLUSTER, NAMESPACE))
        return [record.key.name for record in page.records]


async def until(store: storage.Store, key: storage.Key,
                condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The stored object at ``key`` once ``condition`` holds for it, watching the store for changes."""
    async with asyncio.timeout(WAIT_SECONDS):
        try:
            record = await store.get(key)
        except storage.NotFound:
            since = store.current_revision()
        else:
            obj: dict[str, Any] = orjson.loads(record.value)
            if condition(obj):
                return obj
            since = record.revision
        prefix = storage.Prefix(key.group, key.resource, key.identity, key.cluster, key.namespace)
        watch = store.watch(prefix, since=since)
        try:
            async for event in watch:
                if event.record.key == key and event.type is not storage.EventType.DELETED:
                    obj = orjson.loads(event.record.value)
                    if condition(obj):
                        return obj
        finally:
            watch.close()
    raise AssertionError(f"the watch of {key.encode()} ended before the condition held")


def quota_key(name: str) -> storage.Key:
    return storage.Key("", "resourcequotas", "", CLUSTER, NAMESPACE, name)


def used_is(expected: Mapping[str, str]) -> Callable[[dict[str, Any]], bool]:
    """A condition: the quota's ``status.used`` is ``expected``."""
    def holds(quota: dict[str, Any]) -> bool:
        return bool(((quota.get("status") or {}).get("used") or {}) == dict(expected))
    return holds


class InterleavingStore(MemoryStore):
    """A memory store whose reads and writes give way to other tasks first, ``pauses`` times each, so that
    concurrent requests interleave at every storage call (a plain MemoryStore call never suspends)."""

    def __init__(self, pauses: Callable[[], int] = lambda: 1) -> None:
        super().__init__()
        self._pauses = pauses

    async def _give_way(self) -> None:
        for _ in range(self._pauses()):
            await asyncio.sleep(0)

    async def get(self, key: storage.Key) -> storage.Record:
        await self._give_way()
        return await super().get(key)

    async def list(self, prefix: storage.Prefix, *, limit: int = 0, start_after: str | None = None,
                   revision: storage.Revision | None = None) -> storage.Page:
        await self._give_way()
        return await super().list(prefix, limit=limit, start_after=start_after, revision=revision)

    async def create(self, key: storage.Key, value: bytes) -> storage.Record:
        await self._give_way()
        return await super().create(key, value)

    async def update(self, key: storage.Key, value: bytes, *, expect: storage.Revision) -> storage.Record:
        await self._give_way()
        return await super().update(key, value, expect=expect)

    async def delete(self, key: storage.Key, *, expect: storage.Revision | None = None) -> storage.Record:
        await self._give_way()
        return await super().delete(key, expect=expect)
