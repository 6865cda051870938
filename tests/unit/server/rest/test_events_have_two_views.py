"""Events are stored once and served in two views: core ``v1`` and ``events.k8s.io/v1``, with the fields
renamed between them, the same resourceVersion, and field selectors in each view's own names."""

from __future__ import annotations

from typing import Any

from tests.unit.server.asgi_client import AsgiClient


def core_event(namespace: str, name: str, regarding: str) -> dict[str, Any]:
    return {"metadata": {"name": name}, "reason": "Tested", "message": "hello", "type": "Normal",
            "involvedObject": {"kind": "ConfigMap", "name": regarding, "namespace": namespace},
            "source": {"component": "tests"}, "count": 1,
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z"}


def events_v1_event(namespace: str, name: str, regarding: str) -> dict[str, Any]:
    return {"metadata": {"name": name}, "eventTime": "2026-01-01T00:00:00.000000Z", "action": "Test",
            "reportingController": "tests/x", "reportingInstance": "tests-1", "reason": "Tested", "type": "Warning",
            "note": "new", "regarding": {"kind": "ConfigMap", "name": regarding, "namespace": namespace}}


async def test_a_core_event_reads_as_an_events_v1_event(admin: AsgiClient, namespace: str) -> None:
    """involvedObject is regarding, message is note, source and count are deprecated fields; same revision."""
    core = await admin.create(f"/api/v1/namespaces/{namespace}/events", core_event(namespace, "e1", "c1"))
    view = (await admin.get(f"/apis/events.k8s.io/v1/namespaces/{namespace}/events/e1")).json()
    assert (view["apiVersion"], view["kind"]) == ("events.k8s.io/v1", "Event")
    assert view["regarding"]["name"] == "c1" and view["note"] == "hello"
    assert view["deprecatedSource"] == {"component": "tests"} and view["deprecatedCount"] == 1
    assert view["metadata"]["resourceVersion"] == core["metadata"]["resourceVersion"]
    assert view["metadata"]["uid"] == core["metadata"]["uid"]


async def test_an_events_v1_event_reads_as_a_core_event(admin: AsgiClient, namespace: str) -> None:
    """Created in the new view, the event is stored and served in the core view as well."""
    created = await admin.create(f"/apis/events.k8s.io/v1/namespaces/{namespace}/events",
                                 events_v1_event(namespace, "e2", "c2"))
    assert created["apiVersion"] == "events.k8s.io/v1" and created["note"] == "new"
    core = (await admin.get(f"/api/v1/namespaces/{namespace}/events/e2")).json()
    assert (core["message"], core["involvedObject"]["name"], core["reportingComponent"]) == ("new", "c2", "tests/x")


async def test_each_view_selects_by_its_own_field_names(admin: AsgiClient, namespace: str) -> None:
    """``involvedObject.name`` in the core view, ``regarding.name`` in events.k8s.io, over the same events."""
    await admin.create(f"/api/v1/namespaces/{namespace}/events", core_event(namespace, "e1", "c1"))
    await admin.create(f"/apis/events.k8s.io/v1/namespaces/{namespace}/events", events_v1_event(namespace, "e2", "c2"))
    core = (await admin.get(f"/api/v1/namespaces/{namespace}/events?fieldSelector=involvedObject.name%3Dc2")).json()
    assert [e["metadata"]["name"] for e in core["items"]] == ["e2"]
    view = (await admin.get(
        f"/apis/events.k8s.io/v1/namespaces/{namespace}/events?fieldSelector=regarding.name%3Dc1")).json()
    assert [e["metadata"]["name"] for e in view["items"]] == ["e1"]
    assert (view["kind"], view["apiVersion"]) == ("EventList", "events.k8s.io/v1")
    assert view["items"][0]["note"] == "hello"


async def test_lists_in_the_new_view_convert_every_item(admin: AsgiClient, namespace: str) -> None:
    """Without selectors the new view still converts what is stored."""
    await admin.create(f"/api/v1/namespaces/{namespace}/events", core_event(namespace, "e1", "c1"))
    view = (await admin.get(f"/apis/events.k8s.io/v1/namespaces/{namespace}/events")).json()
    assert [(e["apiVersion"], e["regarding"]["name"]) for e in view["items"]] == [("events.k8s.io/v1", "c1")]


async def test_a_watch_of_the_new_view_sees_core_writes_converted(admin: AsgiClient, namespace: str) -> None:
    """Events written through the core view arrive on an events.k8s.io watch in that view."""
    async with admin.watch(f"/apis/events.k8s.io/v1/namespaces/{namespace}/events?watch=1") as stream:
        await admin.create(f"/api/v1/namespaces/{namespace}/events", core_event(namespace, "e1", "c1"))
        [event] = await stream.events(1)
    assert event["type"] == "ADDED"
    assert (event["object"]["apiVersion"], event["object"]["note"]) == ("events.k8s.io/v1", "hello")


async def test_deleting_in_one_view_deletes_in_both(admin: AsgiClient, namespace: str) -> None:
    """There is one stored object."""
    await admin.create(f"/api/v1/namespaces/{namespace}/events", core_event(namespace, "e1", "c1"))
    deleted = await admin.request("DELETE", f"/apis/events.k8s.io/v1/namespaces/{namespace}/events/e1")
    assert deleted.json()["details"]["group"] == "events.k8s.io"
    assert (await admin.get(f"/api/v1/namespaces/{namespace}/events/e1")).status == 404
