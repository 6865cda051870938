"""The namespace lifecycle controller on the in-process API: a terminating namespace's content is deleted,
objects held by finalizers keep it Terminating with kube's deletion conditions reported, and it goes once they are
released."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gitplane.server.app import App
from gitplane.server.assembly import SYSTEM_GROUPS, SYSTEM_USER
from gitplane.server.catalog import Catalog
from gitplane.server.controllers.namespace import controller as namespace_controller
from gitplane.server.controllers.namespace.controller import NamespaceController
from gitplane.server.inprocess import InProcessClient
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import CATALOG, WAIT_SECONDS, AsgiClient

NAMESPACE = "doomed"
KEY = ("root", NAMESPACE)
HOLD = "example.com/hold"


def catalog_for(_cluster: str) -> Catalog:
    return CATALOG


@pytest.fixture
def controller(app: App, store: MemoryStore) -> NamespaceController:
    api = InProcessClient(app, user=SYSTEM_USER, groups=SYSTEM_GROUPS, user_agent="namespace-lifecycle")
    return NamespaceController(store=store, api=api, catalog_for=catalog_for)


@pytest.fixture
async def running(controller: NamespaceController) -> AsyncIterator[NamespaceController]:
    """The controller's watch and workers, running until the test ends."""
    task = asyncio.create_task(controller.run(), name="test-namespace-controller")
    try:
        yield controller
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def populate(admin: AsgiClient, *, held: bool) -> None:
    """A namespace with objects of several types (one of them in a group), one held by a finalizer if asked."""
    await admin.create("/api/v1/namespaces", {"metadata": {"name": NAMESPACE}})
    base = f"/api/v1/namespaces/{NAMESPACE}"
    await admin.create(f"{base}/configmaps", {"metadata": {"name": "c1"}})
    await admin.create(f"{base}/configmaps", {"metadata": {"name": "c2"}})
    await admin.create(f"{base}/secrets", {"metadata": {"name": "s1"}})
    await admin.create(f"/apis/coordination.k8s.io/v1/namespaces/{NAMESPACE}/leases", {"metadata": {"name": "l1"}})
    if held:
        await admin.create(f"{base}/configmaps", {"metadata": {"name": "held", "finalizers": [HOLD]}})


async def contents(admin: AsgiClient) -> list[str]:
    found = []
    for path in (f"/api/v1/namespaces/{NAMESPACE}/configmaps", f"/api/v1/namespaces/{NAMESPACE}/secrets",
                 f"/apis/coordination.k8s.io/v1/namespaces/{NAMESPACE}/leases"):
        found += [i["metadata"]["name"] for i in (await admin.get(path)).json()["items"]]
    return found


async def namespace_object(admin: AsgiClient) -> dict[str, Any] | None:
    reply = await admin.get(f"/api/v1/namespaces/{NAMESPACE}")
    if reply.status == 404:
        return None
    namespace: dict[str, Any] = reply.json()
    return namespace


def conditions(namespace: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {c["type"]: (c["status"], c["reason"], c.get("message", ""))
            for c in namespace["status"].get("conditions", [])}


async def release(admin: AsgiClient) -> None:
    reply = await admin.patch(f"/api/v1/namespaces/{NAMESPACE}/configmaps/held", {"metadata": {"finalizers": None}})
    assert reply.status == 200


async def gone(store: MemoryStore, since: int) -> None:
    """Wait (on the store's watch, never by sleeping) until the namespace is deleted."""
    watch = store.watch(storage.Prefix("", "namespaces", "", "root", ""), since=since)
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            async for event in watch:
                if event.type is storage.EventType.DELETED and event.record.key.name == NAMESPACE:
                    return
    finally:
        watch.close()


async def test_one_pass_deletes_the_content_and_finalizes_the_namespace(admin: AsgiClient,
                                                                        controller: NamespaceController) -> None:
    """Without finalizers in the way, one reconcile empties the namespace and removes it."""
    await populate(admin, held=False)
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    assert await controller.reconcile(KEY) is None
    assert await contents(admin) == []
    assert await namespace_object(admin) is None


async def test_finalizers_keep_the_namespace_terminating_with_conditions(admin: AsgiClient,
                                                                         controller: NamespaceController) -> None:
    """What is held stays, is counted in the conditions, and the namespace waits for it."""
    await populate(admin, held=True)
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    assert await controller.reconcile(KEY) == namespace_controller.REQUEUE_SECONDS
    assert await contents(admin) == ["held"]
    held = (await admin.get(f"/api/v1/namespaces/{NAMESPACE}/configmaps/held")).json()
    assert held["metadata"]["deletionTimestamp"]

    namespace = await namespace_object(admin)
    assert namespace is not None and namespace["status"]["phase"] == "Terminating"
    reported = conditions(namespace)
    assert reported["NamespaceContentRemaining"][:2] == ("True", "SomeResourcesRemain")
    assert reported["NamespaceContentRemaining"][2].startswith("Some resources are remaining: configmaps")
    assert reported["NamespaceFinalizersRemaining"] == (
        "True", "SomeFinalizersRemain",
        f"Some content in the namespace has finalizers remaining: {HOLD} in 1 resource instances")
    assert reported["NamespaceDeletionContentFailure"][:2] == ("False", "ContentDeleted")


async def test_released_content_lets_the_namespace_go(admin: AsgiClient, controller: NamespaceController) -> None:
    """Once the finalizer is removed, the next pass finalizes and deletes the namespace."""
    await populate(admin, held=True)
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    assert await controller.reconcile(KEY) == namespace_controller.REQUEUE_SECONDS
    await release(admin)
    assert await controller.reconcile(KEY) is None
    assert await namespace_object(admin) is None


async def test_unchanged_conditions_are_not_written_again(admin: AsgiClient,
                                                          controller: NamespaceController) -> None:
    """A pass that finds the same remains leaves the namespace's resourceVersion alone."""
    await populate(admin, held=True)
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    await controller.reconcile(KEY)
    first = await namespace_object(admin)
    await controller.reconcile(KEY)
    second = await namespace_object(admin)
    assert first is not None and second is not None
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


async def test_active_and_missing_namespaces_are_left_alone(admin: AsgiClient, namespace: str,
                                                            controller: NamespaceController) -> None:
    """Nothing to do for a namespace that is not terminating, or that is gone."""
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "c1"}})
    assert await controller.reconcile(("root", namespace)) is None
    assert (await admin.get(f"/api/v1/namespaces/{namespace}/configmaps/c1")).status == 200
    assert await controller.reconcile(("root", "never-existed")) is None


async def test_other_finalizers_of_the_namespace_hold_it_after_content_is_gone(
        admin: AsgiClient, controller: NamespaceController) -> None:
    """The controller removes only ``kubernetes``; another spec finalizer keeps the namespace."""
    await admin.create("/api/v1/namespaces", {"metadata": {"name": NAMESPACE},
                                              "spec": {"finalizers": ["example.com/keep"]}})
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    assert await controller.reconcile(KEY) is None
    namespace = await namespace_object(admin)
    assert namespace is not None and namespace["spec"]["finalizers"] == ["example.com/keep"]


async def test_the_running_controller_removes_a_deleted_namespace(admin: AsgiClient, store: MemoryStore,
                                                                  running: NamespaceController) -> None:
    """On its watch, the controller notices the deletion, empties the namespace and removes it."""
    await populate(admin, held=False)
    since = store.current_revision()
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    await gone(store, since)
    assert await contents(admin) == []


async def test_the_running_controller_waits_for_held_content(admin: AsgiClient, store: MemoryStore,
                                                             running: NamespaceController,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A held namespace is looked at again until its content is released, then it goes."""
    monkeypatch.setattr(namespace_controller, "REQUEUE_SECONDS", 0.01)
    await populate(admin, held=True)
    since = store.current_revision()
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    watch = store.watch(storage.Prefix("", "namespaces", "", "root", ""), since=since)
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            async for event in watch:
                if "NamespaceFinalizersRemaining" in event.record.value.decode():
                    break
    finally:
        watch.close()
    assert await contents(admin) == ["held"]
    since = store.current_revision()
    await release(admin)
    await gone(store, since)


async def test_remaining_content_is_worded_as_kube_words_it(admin: AsgiClient,
                                                             controller: NamespaceController) -> None:
    """kube's namespace deleter formats every group-resource the same way, the core group included."""
    await populate(admin, held=True)
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    await controller.reconcile(KEY)
    namespace = await namespace_object(admin)
    assert namespace is not None
    assert conditions(namespace)["NamespaceContentRemaining"][2] == (
        "Some resources are remaining: configmaps. has 1 resource instances")


async def test_settled_conditions_carry_kubes_ok_messages(admin: AsgiClient, controller: NamespaceController) -> None:
    """Conditions that are False say so in kube's words, discovery and group-version parsing included."""
    await populate(admin, held=True)
    await admin.request("DELETE", f"/api/v1/namespaces/{NAMESPACE}")
    await controller.reconcile(KEY)
    namespace = await namespace_object(admin)
    assert namespace is not None
    reported = conditions(namespace)
    assert reported["NamespaceDeletionDiscoveryFailure"] == (
        "False", "ResourcesDiscovered", "All resources successfully discovered")
    assert reported["NamespaceDeletionGroupVersionParsingFailure"] == (
        "False", "ParsedGroupVersions", "All legacy kube types successfully parsed")
    assert reported["NamespaceDeletionContentFailure"] == (
        "False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization")
