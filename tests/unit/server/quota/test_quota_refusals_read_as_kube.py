"""Creates over quota, or against a quota whose usage is not known yet, are refused with kube's 403 and its
exact wording; creates the quotas do not constrain pass untouched."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.server.quota.quota_server import CLUSTER, NAMESPACE, Server

EXCEEDED_C3 = ('configmaps "c3" is forbidden: exceeded quota: q1, requested: count/configmaps=1, '
               'used: count/configmaps=2, limited: count/configmaps=2')


def _full(*names: str, used: str = "2", hard: str = "2") -> dict[str, Any]:
    return {"hard": dict.fromkeys(names, hard), "used": dict.fromkeys(names, used)}


async def test_a_create_over_quota_is_forbidden_with_kubes_message(server: Server) -> None:
    """The third configmap against count/configmaps=2 is a 403 Forbidden naming quota, request, use and limit."""
    await server.create_quota("q1", {"count/configmaps": "2"}, status=_full("count/configmaps"))
    reply = await server.create_configmap("c3")
    assert reply.status == 403
    status = reply.json()
    assert status["reason"] == "Forbidden"
    assert status["message"] == EXCEEDED_C3
    assert status["details"] == {"name": "c3", "kind": "configmaps"}
    assert await server.configmaps() == []


@pytest.mark.parametrize(("hard", "used", "message"), [
    pytest.param({"configmaps": "5", "count/configmaps": "2"}, {"configmaps": "2", "count/configmaps": "2"},
                 "requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2",
                 id="only-the-exceeded-name-is-listed"),
    pytest.param({"configmaps": "2", "count/configmaps": "2"}, {"configmaps": "2", "count/configmaps": "2"},
                 "requested: configmaps=1,count/configmaps=1, used: configmaps=2,count/configmaps=2, "
                 "limited: configmaps=2,count/configmaps=2", id="several-names-sorted-and-comma-joined"),
    pytest.param({"configmaps": "1k"}, {"configmaps": "1000"},
                 "requested: configmaps=1, used: configmaps=1k, limited: configmaps=1k",
                 id="quantities-print-canonically"),
])
async def test_exceeded_resources_are_listed_as_kube_lists_them(server: Server, hard: dict[str, str],
                                                                used: dict[str, str], message: str) -> None:
    """Only the exceeded resources are named, sorted, ``name=value`` joined by commas, quantities canonical."""
    await server.create_quota("q1", hard, status={"hard": hard, "used": used})
    reply = await server.create_configmap("c3")
    assert reply.status == 403
    assert reply.json()["message"] == f'configmaps "c3" is forbidden: exceeded quota: q1, {message}'


async def test_the_first_exceeded_quota_by_name_is_reported_and_nothing_is_charged(server: Server) -> None:
    """With two quotas, the refusal names the first one exceeded; the other quota keeps its usage."""
    await server.create_quota("a-roomy", {"configmaps": "10"}, status=_full("configmaps", used="3", hard="10"))
    await server.create_quota("b-full", {"count/configmaps": "1"}, status=_full("count/configmaps", used="1",
                                                                                  hard="1"))
    await server.create_quota("c-full", {"configmaps": "1"}, status=_full("configmaps", used="1", hard="1"))
    reply = await server.create_configmap("c3")
    assert reply.json()["message"] == ('configmaps "c3" is forbidden: exceeded quota: b-full, requested: '
                                       'count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1')
    assert await server.used("a-roomy") == {"configmaps": "3"}


async def test_a_quota_without_status_refuses_with_status_unknown(server: Server) -> None:
    """Until the controller has filled the status, a constrained create is refused as kube words it."""
    await server.create_quota("q1", {"count/configmaps": "2", "secrets": "1"})
    reply = await server.create_configmap("c1")
    assert reply.status == 403
    assert reply.json()["message"] == ('configmaps "c1" is forbidden: status unknown for quota: q1, '
                                       'resources: count/configmaps')


async def test_status_unknown_lists_every_constrained_name(server: Server) -> None:
    """A quota missing the usage of one of the object's names lists all the names it constrains."""
    await server.create_quota("q1", {"count/configmaps": "2", "configmaps": "2"},
                              status={"hard": {"count/configmaps": "2", "configmaps": "2"},
                                      "used": {"count/configmaps": "0"}})
    reply = await server.create_configmap("c1")
    assert reply.json()["message"] == ('configmaps "c1" is forbidden: status unknown for quota: q1, '
                                       'resources: configmaps,count/configmaps')


async def test_a_grouped_resource_is_named_with_its_group(server: Server) -> None:
    """Leases count as count/leases.coordination.k8s.io, and the refusal names leases.coordination.k8s.io."""
    name = "count/leases.coordination.k8s.io"
    await server.create_quota("q1", {name: "0"}, status=_full(name, used="0", hard="0"))
    reply = await server.api.request(
        "POST", f"/clusters/{CLUSTER}/apis/coordination.k8s.io/v1/namespaces/{NAMESPACE}/leases",
        body={"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l1"}})
    assert reply.status == 403
    status = reply.json()
    assert status["message"] == (f'leases.coordination.k8s.io "l1" is forbidden: exceeded quota: q1, '
                                 f"requested: {name}=1, used: {name}=0, limited: {name}=0")
    assert status["details"] == {"name": "l1", "group": "coordination.k8s.io", "kind": "leases"}


async def test_a_generated_name_is_the_name_refused(server: Server) -> None:
    """With generateName, the refusal names the object by its generated name."""
    await server.create_quota("q1", {"configmaps": "0"}, status=_full("configmaps", used="0", hard="0"))
    reply = await server.api.request("POST", f"/clusters/{CLUSTER}/api/v1/namespaces/{NAMESPACE}/configmaps",
                                     body={"metadata": {"generateName": "web-"}})
    message = reply.json()["message"]
    assert message.startswith('configmaps "web-')
    assert message.split('"')[1] != "web-"
    assert message.endswith("is forbidden: exceeded quota: q1, requested: configmaps=1, used: configmaps=0, "
                            "limited: configmaps=0")


@pytest.mark.parametrize(("kind", "path", "body"), [
    pytest.param("secret", "secrets", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}},
                 id="another-type"),
    pytest.param("event", "events", {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"},
                                     "involvedObject": {"namespace": NAMESPACE}}, id="events-are-ignored"),
])
async def test_types_a_quota_does_not_count_are_not_checked(server: Server, kind: str, path: str,
                                                            body: dict[str, Any]) -> None:
    """A full quota of configmaps (and events, which quota never counts) lets other types through."""
    await server.create_quota("q1", {"count/configmaps": "0", "count/events": "0"})
    reply = await server.api.request("POST", f"/clusters/{CLUSTER}/api/v1/namespaces/{NAMESPACE}/{path}",
                                     body=body)
    assert reply.status == 201, (kind, reply.body)


async def test_a_scoped_quota_does_not_limit_object_counts(server: Server) -> None:
    """Scopes select pods; kube's object-count evaluator matches no scope, so a scoped quota limits nothing here."""
    await server.create_quota("q1", {"count/configmaps": "0"}, spec={"scopes": ["NotTerminating"]})
    assert (await server.create_configmap("c1")).status == 201
    assert await server.used("q1") == {}


async def test_updates_are_not_charged(server: Server) -> None:
    """Object counts change on create only: updating an object at the limit passes and charges nothing."""
    assert (await server.create_configmap("c1")).status == 201
    await server.create_quota("q1", {"configmaps": "1"}, status=_full("configmaps", used="1", hard="1"))
    reply = await server.api.request("PATCH", f"/clusters/{CLUSTER}/api/v1/namespaces/{NAMESPACE}/configmaps/c1",
                                     body={"data": {"k": "v"}}, content_type="application/merge-patch+json")
    assert reply.status == 200, reply.body
    assert await server.used("q1") == {"configmaps": "1"}
