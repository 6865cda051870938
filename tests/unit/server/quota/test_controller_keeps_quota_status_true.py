"""The quota controller fills a quota's status (``hard`` from the spec, ``used`` the real counts), follows spec
changes, creates and deletes, never forgets a create admission has charged but not yet stored, and corrects
a tampered status on resync."""

from __future__ import annotations

from typing import Any

from gitplane.server.admission.resource_quota_charges import Charges
from gitplane.server.controllers.quota.controller import QuotaController
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore
from tests.unit.server.quota.quota_server import (
    CLUSTER,
    CONFIGMAPS_PATH,
    NAMESPACE,
    QUOTAS_PATH,
    Server,
    quota_key,
    until,
    used_is,
)

KEY = (CLUSTER, NAMESPACE, "q1")


def _status(quota: dict[str, Any]) -> dict[str, Any]:
    status: dict[str, Any] = quota.get("status") or {}
    return status


async def test_a_new_quota_gets_its_hard_limits_and_real_counts(server: Server) -> None:
    """Existing objects are counted under every name that counts them; what cannot be measured stays unset."""
    for name in ("a", "b"):
        assert (await server.create_configmap(name)).status == 201
    other = await server.api.request("POST", f"/clusters/{CLUSTER}/api/v1/namespaces/default/configmaps",
                                     body={"metadata": {"name": "elsewhere"}})
    assert other.status == 201
    hard = {"count/configmaps": "5", "configmaps": "5", "count/resourcequotas": "3", "requests.cpu": "2"}
    async with server.running_controller():
        await server.create_quota("q1", hard)
        quota = await until(server.store, quota_key("q1"), lambda q: "used" in _status(q))
    assert _status(quota) == {"hard": hard, "used": {"configmaps": "2", "count/configmaps": "2",
                                                     "count/resourcequotas": "1"}}


async def test_a_scoped_quota_counts_no_objects(server: Server) -> None:
    """Scopes select pods: object counts of a scoped quota are 0."""
    assert (await server.create_configmap("a")).status == 201
    async with server.running_controller():
        await server.create_quota("q1", {"count/configmaps": "5"}, spec={"scopes": ["BestEffort"]})
        await until(server.store, quota_key("q1"), used_is({"count/configmaps": "0"}))


async def test_spec_changes_creates_and_deletes_are_followed(server: Server) -> None:
    """A new limit is copied and counted; a delete is recounted, freeing room for another create."""
    async with server.running_controller():
        await server.create_quota("q1", {"configmaps": "1"})
        await until(server.store, quota_key("q1"), used_is({"configmaps": "0"}))
        assert (await server.create_configmap("a")).status == 201
        assert (await server.create_configmap("b")).status == 403
        quota = await server.quota("q1")
        quota["spec"]["hard"] = {"configmaps": "1", "secrets": "4"}
        assert (await server.api.request("PUT", f"{QUOTAS_PATH}/q1", body=quota)).status == 200
        quota = await until(server.store, quota_key("q1"), used_is({"configmaps": "1", "secrets": "0"}))
        assert _status(quota)["hard"] == {"configmaps": "1", "secrets": "4"}
        assert (await server.api.request("DELETE", f"{CONFIGMAPS_PATH}/a")).status == 200
        await until(server.store, quota_key("q1"), used_is({"configmaps": "0", "secrets": "0"}))
        assert (await server.create_configmap("b")).status == 201


class RecountBeforeStoring(MemoryStore):
    """Runs a recount of q1 at the worst moment: after admission charged a configmap, before it is stored."""

    controller: QuotaController | None = None

    async def create(self, key: storage.Key, value: bytes) -> storage.Record:
        if self.controller is not None and key.resource == "configmaps":
            await self.controller.reconcile(KEY)
        return await super().create(key, value)


async def test_a_recount_between_charge_and_storage_keeps_the_charge() -> None:
    """The recount includes the admitted, not yet stored create, so the next create finds the quota full."""
    store = RecountBeforeStoring()
    server = await Server.start(store)
    controller = server.controller()
    await server.create_quota("q1", {"configmaps": "1"})
    await controller.reconcile(KEY)
    assert await server.used("q1") == {"configmaps": "0"}
    store.controller = controller
    assert (await server.create_configmap("a")).status == 201
    assert await server.used("q1") == {"configmaps": "1"}
    assert (await server.create_configmap("b")).status == 403
    await store.close()


async def test_a_create_refused_by_the_store_after_its_charge_is_not_counted_twice(server: Server) -> None:
    """A name that exists already is charged by admission, refused by the store, and recounted once."""
    controller = server.controller()
    await server.create_quota("q1", {"configmaps": "2"})
    await controller.reconcile(KEY)
    assert (await server.create_configmap("a")).status == 201
    assert (await server.create_configmap("a")).status == 409
    assert await server.used("q1") == {"configmaps": "2"}
    await controller.reconcile(KEY)
    assert await server.used("q1") == {"configmaps": "1"}


async def test_a_charge_never_stored_stops_counting_when_it_expires(memory: MemoryStore) -> None:
    """A charged create never stored counts until its charge expires; the recount says when to look again."""
    now = [0.0]
    server = await Server.start(memory, Charges(expiry_seconds=60.0, clock=lambda: now[0]))
    controller = server.controller()
    await server.create_quota("q1", {"configmaps": "2"})
    await controller.reconcile(KEY)
    assert (await server.create_configmap("a")).status == 201
    server.plugin.charges.record(storage.Prefix("", "configmaps", "", CLUSTER, NAMESPACE), "lost",
                                 memory.current_revision())
    now[0] = 20.0
    assert await controller.reconcile(KEY) == 40.0
    assert await server.used("q1") == {"configmaps": "2"}
    now[0] = 60.0
    assert await controller.reconcile(KEY) is None
    assert await server.used("q1") == {"configmaps": "1"}


async def test_a_tampered_status_is_corrected_on_resync(server: Server) -> None:
    """A status edit is not an event the controller acts on, but the periodic resync recounts every quota."""
    async with server.running_controller() as controller:
        await server.create_quota("q1", {"configmaps": "3"})
        quota = await until(server.store, quota_key("q1"), used_is({"configmaps": "0"}))
        tampered = {**quota, "status": {"hard": {"configmaps": "3"}, "used": {"configmaps": "3"}}}
        assert (await server.api.request("PUT", f"{QUOTAS_PATH}/q1/status", body=tampered)).status == 200
        controller.resync()
        await until(server.store, quota_key("q1"), used_is({"configmaps": "0"}))


async def test_a_deleted_quota_stops_its_watches(server: Server) -> None:
    """Types are watched while some quota counts them, and only then."""
    async with server.running_controller() as controller:
        await server.create_quota("q1", {"configmaps": "3", "count/secrets": "1"})
        await until(server.store, quota_key("q1"), used_is({"configmaps": "0", "count/secrets": "0"}))
        assert controller.index.watched() == {("", "configmaps", ""), ("", "secrets", "")}
        assert (await server.api.request("DELETE", f"{QUOTAS_PATH}/q1")).status == 200
        await server.create_quota("q2", {"configmaps": "1"})
        await until(server.store, quota_key("q2"), used_is({"configmaps": "0"}))
        assert controller.index.watched() == {("", "configmaps", "")}


async def test_watches_that_fall_behind_resume_and_recount() -> None:
    """Watches overflowed by bursts (buffers of two events) resume or relist, and the quota counts what is stored."""
    store = MemoryStore(watch_queue_size=2)
    server = await Server.start(store)
    try:
        async with server.running_controller():
            await server.create_quota("q1", {"configmaps": "30"})
            await until(store, quota_key("q1"), used_is({"configmaps": "0"}))
            for i in range(20):
                assert (await server.create_configmap(f"c{i}")).status == 201
            for i in range(12):
                assert (await server.api.request("DELETE", f"{CONFIGMAPS_PATH}/c{i}")).status == 200
            await until(store, quota_key("q1"), used_is({"configmaps": "8"}))
    finally:
        await store.close()
