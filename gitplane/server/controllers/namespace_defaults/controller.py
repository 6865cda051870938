"""What the namespace-defaults controller watches, its queue and its workers.

Three watches, each over every logical cluster (no task per workspace): namespaces (a new or changed one is
checked), ServiceAccounts and ConfigMaps (a deleted ``default`` account, or a ``kube-root-ca.crt`` deleted or
changed away from the CA it must hold, brings its namespace back to the queue; the controller's own writes do
not, and every other object is one name comparison). Keys
are ``(cluster, namespace)``; a reconcile reads the namespace and skips a terminating one.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from gitplane.runtime.queue import WorkQueue
from gitplane.runtime.source import list_and_watch
from gitplane.runtime.workers import run_controller
from gitplane.server.controllers.namespace_defaults import reconcile_defaults
from gitplane.server.inprocess import InProcessClient
from gitplane.storage import interface as storage

CONTROLLER_NAME = "namespace-defaults"
NAMESPACES = storage.Prefix("", "namespaces", "")
ACCOUNTS = storage.Prefix("", "serviceaccounts", "")
CONFIGMAPS = storage.Prefix("", "configmaps", "")

Key = tuple[str, str]


class NamespaceDefaultsController:
    def __init__(self, *, store: storage.Store, api: InProcessClient, ca_bundle: str | None,
                 workers: int = 2) -> None:
        """``ca_bundle``: the PEM the ``kube-root-ca.crt`` ConfigMaps hold; None publishes none."""
        self.store = store
        self.api = api
        self.ca_bundle = ca_bundle
        self.workers = workers
        self.queue: WorkQueue[Key] = WorkQueue()

    async def run(self) -> None:
        """Watch and reconcile until cancelled."""
        watches = [self._follow(NAMESPACES, lambda key: key.name, lambda _event: True),
                   self._follow(ACCOUNTS, lambda key: key.namespace,
                                lambda event: event.record.key.name == reconcile_defaults.ACCOUNT
                                and event.type is storage.EventType.DELETED)]
        if self.ca_bundle is not None:
            watches.append(self._follow(CONFIGMAPS, lambda key: key.namespace, self._root_ca_changed))
        await run_controller(self.queue, self.reconcile, name=CONTROLLER_NAME, workers=self.workers,
                             sources=watches)

    def _root_ca_changed(self, event: storage.Event) -> bool:
        """A ``kube-root-ca.crt`` deleted, or changed away from what it must hold (its own writes are not)."""
        if event.record.key.name != reconcile_defaults.ROOT_CA:
            return False
        if event.type is storage.EventType.DELETED or self.ca_bundle is None:
            return True
        try:
            return not reconcile_defaults.is_current(orjson.loads(event.record.value), self.ca_bundle)
        except orjson.JSONDecodeError:
            return True

    async def _follow(self, prefix: storage.Prefix, namespace_of: Callable[[storage.Key], str],
                      wanted: Callable[[storage.Event], bool]) -> None:
        def listed(page: storage.Page) -> None:
            if prefix is NAMESPACES:
                for record in page.records:
                    self.queue.add((record.key.cluster, record.key.name))

        def changed(event: storage.Event) -> None:
            key = event.record.key
            if wanted(event):
                self.queue.add((key.cluster, namespace_of(key)))

        await list_and_watch(self.store, prefix, name=f"{CONTROLLER_NAME}-{prefix.resource}", on_list=listed,
                             on_event=changed)

    async def reconcile(self, key: Key) -> float | None:
        cluster, namespace = key
        try:
            record = await self.store.get(storage.Key("", "namespaces", "", cluster, "", namespace))
        except storage.NotFound:
            return None
        if (orjson.loads(record.value).get("metadata") or {}).get("deletionTimestamp"):
            return None
        await reconcile_defaults.ensure_account(self.api, self.store, cluster=cluster, namespace=namespace)
        if self.ca_bundle is not None:
            await reconcile_defaults.ensure_root_ca(self.api, self.store, cluster=cluster, namespace=namespace,
                                                    ca_bundle=self.ca_bundle)
        return None
