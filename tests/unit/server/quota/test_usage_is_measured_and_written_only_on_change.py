"""Step by step: measuring a quota's usage (which names are countable, what is counted) and committing a status
only when its quantities differ by value."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import errors
from gitplane.server.admission.resource_quota_charges import Charges
from gitplane.server.controllers.quota import reconcile_status, reconcile_usage
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore
from tests.unit.server.quota.quota_server import CATALOG, CLUSTER, NAMESPACE, Server


def test_countable_names_are_those_of_served_namespaced_types() -> None:
    """count/<resource>[.<group>] of each served namespaced type, legacy names, never events or cluster types."""
    names = reconcile_usage.countable_types(CATALOG)
    assert {"count/configmaps", "configmaps", "count/secrets", "secrets", "count/resourcequotas",
            "resourcequotas", "count/serviceaccounts", "count/limitranges",
            "count/leases.coordination.k8s.io", "count/roles.rbac.authorization.k8s.io",
            "count/rolebindings.rbac.authorization.k8s.io"} == set(names)
    assert names["configmaps"].plural == "configmaps"
    assert reconcile_usage.countable_types(CATALOG) is names


async def test_measuring_counts_stored_and_charged_objects(memory: MemoryStore) -> None:
    """Stored objects plus charged creates not yet stored; names beyond measure keep their previous usage."""
    server = await Server.start(memory)
    for name in ("a", "b"):
        assert (await server.create_configmap(name)).status == 201
    charges = Charges(clock=lambda: 0.0, expiry_seconds=5.0)
    where = storage.Prefix("", "configmaps", "", CLUSTER, NAMESPACE)
    charges.record(where, "b", memory.current_revision())
    charges.record(where, "c", memory.current_revision())
    quota: dict[str, Any] = {"spec": {"hard": {"configmaps": "9", "count/configmaps": "9", "pods": "3",
                                               "requests.cpu": "1"}},
                             "status": {"used": {"pods": "0"}}}
    usage = await reconcile_usage.measure(store=memory, charges=charges, catalog=CATALOG, cluster=CLUSTER,
                                          namespace=NAMESPACE, quota=quota)
    assert usage == reconcile_usage.Usage({"configmaps": "3", "count/configmaps": "3", "pods": "0"}, 5.0)


@pytest.mark.parametrize(("status", "written"), [
    pytest.param({"hard": {"configmaps": "1k"}, "used": {"configmaps": "1000"}}, False, id="same-by-value"),
    pytest.param({"hard": {"configmaps": "1k"}, "used": {"configmaps": "999"}}, True, id="usage-changed"),
    pytest.param({"hard": {"configmaps": "2"}, "used": {"configmaps": "1k"}}, True, id="hard-lags-the-spec"),
    pytest.param({"hard": {"configmaps": "1k", "secrets": "1"}, "used": {"configmaps": "1k"}}, True,
                 id="a-limit-was-removed"),
    pytest.param(None, True, id="no-status-yet"),
])
async def test_a_status_is_written_only_when_it_changes(server: Server, status: dict[str, Any] | None,
                                                        written: bool) -> None:
    """Quantities compare by value (1k is 1000); any other difference is written through /status."""
    quota = await server.create_quota("q1", {"configmaps": "1000"}, status=status)
    assert await reconcile_status.commit(server.api, cluster=CLUSTER, quota=quota,
                                         used={"configmaps": "1k"}) is written
    stored = await server.quota("q1")
    if written:
        assert stored["status"] == {"hard": {"configmaps": "1000"}, "used": {"configmaps": "1k"}}
    else:
        assert stored["metadata"]["resourceVersion"] == quota["metadata"]["resourceVersion"]


async def test_a_stale_quota_is_not_overwritten(server: Server) -> None:
    """The status is written with the quota's resourceVersion: a quota changed since it was read is a 409."""
    quota = await server.create_quota("q1", {"configmaps": "2"})
    assert (await reconcile_status.commit(server.api, cluster=CLUSTER, quota=quota,
                                          used={"configmaps": "0"})) is True
    with pytest.raises(errors.APIError, match="the object has been modified") as refused:
        await reconcile_status.commit(server.api, cluster=CLUSTER, quota=quota, used={"configmaps": "1"})
    assert refused.value.code == 409
