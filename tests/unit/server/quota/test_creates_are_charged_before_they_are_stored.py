"""An admitted create is charged to every quota that counts it, in ``status.used``, before the object is stored;
dry runs are checked but charge nothing; a quota changed meanwhile is read again and charged again."""

from __future__ import annotations

import orjson

from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore
from tests.unit.server.quota.quota_server import CLUSTER, NAMESPACE, QUOTAS_PATH, Server, quota_key

BOTH = {"count/configmaps": "3", "configmaps": "3"}


async def test_a_create_charges_every_name_that_counts_it(server: Server) -> None:
    """The new usage is written into the quota at a revision before the object's own."""
    await server.create_quota("q1", {**BOTH, "secrets": "1"},
                              status={"hard": {**BOTH, "secrets": "1"},
                                      "used": {"count/configmaps": "0", "configmaps": "0", "secrets": "0"}})
    reply = await server.create_configmap("c1")
    assert reply.status == 201
    assert await server.used("q1") == {"count/configmaps": "1", "configmaps": "1", "secrets": "0"}
    quota = await server.store.get(quota_key("q1"))
    stored = await server.store.get(storage.Key("", "configmaps", "", CLUSTER, NAMESPACE, "c1"))
    assert quota.revision < stored.revision


async def test_a_dry_run_is_checked_but_charges_nothing(server: Server) -> None:
    """dryRun=All answers as the create would and leaves the quota alone; over quota it is refused the same."""
    await server.create_quota("q1", {"configmaps": "1"}, status={"hard": {"configmaps": "1"},
                                                                  "used": {"configmaps": "0"}})
    before = await server.store.get(quota_key("q1"))
    assert (await server.create_configmap("c1", query="?dryRun=All")).status == 201
    assert (await server.store.get(quota_key("q1"))).revision == before.revision
    assert (await server.create_configmap("c1")).status == 201
    refused = await server.create_configmap("c2", query="?dryRun=All")
    assert refused.status == 403
    assert "exceeded quota: q1" in refused.json()["message"]


async def test_a_quota_counts_the_quotas_created_after_it(server: Server) -> None:
    """ResourceQuotas are objects like any other: count/resourcequotas limits how many a namespace may have."""
    await server.create_quota("q1", {"count/resourcequotas": "2"},
                              status={"hard": {"count/resourcequotas": "2"}, "used": {"count/resourcequotas": "1"}})
    await server.create_quota("q2", {"configmaps": "1"})
    reply = await server.api.request("POST", QUOTAS_PATH, body={"metadata": {"name": "q3"}, "spec": {}})
    assert reply.status == 403
    assert reply.json()["message"] == ('resourcequotas "q3" is forbidden: exceeded quota: q1, requested: '
                                       'count/resourcequotas=1, used: count/resourcequotas=2, '
                                       'limited: count/resourcequotas=2')


class EditedStore(MemoryStore):
    """Before each of the next ``edits`` charges of a quota, someone else writes the quota (a spec edit)."""

    edits = 0

    async def update(self, key: storage.Key, value: bytes, *, expect: storage.Revision) -> storage.Record:
        if self.edits and key.resource == "resourcequotas":
            self.edits -= 1
            current = await self.get(key)
            edited = orjson.loads(current.value)
            edited["metadata"]["labels"] = {"edit": str(self.edits)}
            await super().update(key, orjson.dumps(edited), expect=current.revision)
        return await super().update(key, value, expect=expect)


async def test_a_quota_changed_meanwhile_is_read_again_and_charged() -> None:
    """A conflicting write to the quota makes admission re-read it and charge the current version."""
    store = EditedStore()
    server = await Server.start(store)
    await server.create_quota("q1", {"configmaps": "2"}, status={"hard": {"configmaps": "2"},
                                                                  "used": {"configmaps": "1"}})
    store.edits = 2
    assert (await server.create_configmap("c1")).status == 201
    quota = await server.quota("q1")
    assert quota["status"]["used"] == {"configmaps": "2"}
    assert quota["metadata"]["labels"] == {"edit": "0"}
    await store.close()


async def test_a_quota_that_keeps_changing_refuses_with_a_conflict() -> None:
    """When every try conflicts, the create fails with the quota's 409, as kube answers its last conflict."""
    store = EditedStore()
    server = await Server.start(store)
    await server.create_quota("q1", {"configmaps": "2"}, status={"hard": {"configmaps": "2"},
                                                                  "used": {"configmaps": "0"}})
    store.edits = 100
    reply = await server.create_configmap("c1")
    assert reply.status == 409
    assert reply.json()["message"] == ('Operation cannot be fulfilled on resourcequotas "q1": the object has been '
                                       'modified; please apply your changes to the latest version and try again')
    assert await server.configmaps() == []
    await store.close()
