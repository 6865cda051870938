"""WATCH: initial events then changes in order, resuming from a resourceVersion, selector transitions, bookmarks,
streaming lists, the out-of-window ERROR events, Table and metadata-only streams, and the ways a stream ends."""

from __future__ import annotations

from typing import Any

from gitplane.server.app import App
from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import AsgiClient

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def configmaps(namespace: str) -> str:
    return f"/api/v1/namespaces/{namespace}/configmaps"


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"]["metadata"].get("name", "")) for e in events]


async def test_a_watch_starts_with_the_current_objects_then_follows_changes(admin: AsgiClient,
                                                                          namespace: str) -> None:
    """Without resourceVersion: synthetic ADDED for what exists, then ADDED, MODIFIED, DELETED in order."""
    await admin.create(configmaps(namespace), {"metadata": {"name": "old"}})
    async with admin.watch(configmaps(namespace) + "?watch=true") as stream:
        assert (stream.status, stream.headers[0]) == (200, ("content-type", "application/json"))
        assert summary(await stream.events(1)) == [("ADDED", "old")]
        await admin.create(configmaps(namespace), {"metadata": {"name": "new"}})
        await admin.patch(f"{configmaps(namespace)}/new", {"data": {"k": "v"}})
        await admin.request("DELETE", f"{configmaps(namespace)}/new")
        events = await stream.events(3)
    assert summary(events) == [("ADDED", "new"), ("MODIFIED", "new"), ("DELETED", "new")]
    revisions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert revisions == sorted(revisions) and len(set(revisions)) == 3
    assert events[1]["object"]["data"] == {"k": "v"}


async def test_a_watch_from_a_resource_version_replays_what_came_after(admin: AsgiClient, namespace: str) -> None:
    """``resourceVersion=N``: no initial events, every change after N, then live ones."""
    start = (await admin.create(configmaps(namespace), {"metadata": {"name": "a"}}))["metadata"]["resourceVersion"]
    await admin.create(configmaps(namespace), {"metadata": {"name": "b"}})
    async with admin.watch(configmaps(namespace) + f"?watch=1&resourceVersion={start}") as stream:
        assert summary(await stream.events(1)) == [("ADDED", "b")]
        await admin.create(configmaps(namespace), {"metadata": {"name": "c"}})
        assert summary(await stream.events(1)) == [("ADDED", "c")]


async def test_a_watch_sees_only_its_namespace(admin: AsgiClient, namespace: str) -> None:
    """Changes in another namespace do not reach a namespaced watch; a cluster-wide one sees both."""
    async with admin.watch(configmaps(namespace) + "?watch=1") as mine, \
            admin.watch("/api/v1/configmaps?watch=1&resourceVersion=1") as everyone:
        await admin.create(configmaps("default"), {"metadata": {"name": "theirs"}})
        await admin.create(configmaps(namespace), {"metadata": {"name": "mine"}})
        assert summary(await mine.events(1)) == [("ADDED", "mine")]
        assert summary(await everyone.events(2)) == [("ADDED", "theirs"), ("ADDED", "mine")]


async def test_a_selected_watch_sees_objects_start_and_stop_matching(admin: AsgiClient, namespace: str) -> None:
    """An object that comes to match is ADDED, keeps matching MODIFIED, stops matching DELETED."""
    path = configmaps(namespace)
    start = (await admin.create(path, {"metadata": {"name": "mover"}}))["metadata"]["resourceVersion"]
    for labels in ({"pick": "yes"}, {"pick": "yes", "more": "1"}, {"pick": "no"}):
        await admin.patch(f"{path}/mover", {"metadata": {"labels": labels}})
    async with admin.watch(f"{path}?watch=1&labelSelector=pick%3Dyes&resourceVersion={start}") as stream:
        events = await stream.events(3)
    assert summary(events) == [("ADDED", "mover"), ("MODIFIED", "mover"), ("DELETED", "mover")]
    deleted = events[2]["object"]
    assert deleted["metadata"]["labels"] == {"pick": "yes", "more": "1"}
    assert int(deleted["metadata"]["resourceVersion"]) > int(events[1]["object"]["metadata"]["resourceVersion"])


async def test_a_name_selected_watch_follows_one_object(admin: AsgiClient, namespace: str) -> None:
    """kubectl's ``delete --wait`` watches with ``fieldSelector=metadata.name=<n>`` until DELETED."""
    path = configmaps(namespace)
    await admin.create(path, {"metadata": {"name": "target"}})
    await admin.create(path, {"metadata": {"name": "other"}})
    async with admin.watch(f"{path}?watch=1&fieldSelector=metadata.name%3Dtarget") as stream:
        assert summary(await stream.events(1)) == [("ADDED", "target")]
        await admin.request("DELETE", f"{path}/other")
        await admin.request("DELETE", f"{path}/target")
        assert summary(await stream.events(1)) == [("DELETED", "target")]


async def test_idle_selected_watches_get_bookmarks_of_the_current_revision(admin: AsgiClient,
                                                                         namespace: str) -> None:
    """A write the selector skips still moves the revision, which a BOOKMARK then carries."""
    path = configmaps(namespace)
    await admin.create(path, {"metadata": {"name": "picked", "labels": {"pick": "yes"}}})
    async with admin.watch(f"{path}?watch=1&allowWatchBookmarks=true&labelSelector=pick%3Dyes") as stream:
        assert summary(await stream.events(1)) == [("ADDED", "picked")]
        skipped = await admin.create(path, {"metadata": {"name": "skipped"}})
        [bookmark] = await stream.events(1)
    revision = skipped["metadata"]["resourceVersion"]
    assert bookmark == {"type": "BOOKMARK", "object": {
        "kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": revision}}}


async def test_a_streaming_list_ends_its_initial_events_with_a_bookmark(admin: AsgiClient, namespace: str) -> None:
    """``sendInitialEvents=true``: the current objects, then a BOOKMARK annotated as their end."""
    created = await admin.create(configmaps(namespace), {"metadata": {"name": "one"}})
    query = "?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan"
    async with admin.watch(configmaps(namespace) + query) as stream:
        added, bookmark = await stream.events(2)
    assert summary([added]) == [("ADDED", "one")]
    assert bookmark["type"] == "BOOKMARK"
    assert bookmark["object"]["metadata"] == {"resourceVersion": created["metadata"]["resourceVersion"],
                                              "annotations": {"k8s.io/initial-events-end": "true"}}


async def test_a_watch_below_the_history_window_ends_with_a_410_error_event(admin: AsgiClient, namespace: str,
                                                                         store: MemoryStore) -> None:
    """kube answers 200, sends one ERROR event with an Expired Status, and ends the stream."""
    first = await admin.create(configmaps(namespace), {"metadata": {"name": "a"}})
    await admin.create(configmaps(namespace), {"metadata": {"name": "b"}})
    await store.compact(store.current_revision())
    revision = first["metadata"]["resourceVersion"]
    async with admin.watch(configmaps(namespace) + f"?watch=1&resourceVersion={revision}") as stream:
        assert stream.status == 200
        events = await stream.rest()
    assert events == [{"type": "ERROR", "object": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Expired", "code": 410,
        "message": f"too old resource version: {revision} ({store.current_revision()})"}}]


async def test_a_watch_ahead_of_the_store_ends_with_a_504_error_event(admin: AsgiClient, namespace: str) -> None:
    """A resourceVersion the store has not reached is kube's 'Too large resource version' as an ERROR event."""
    async with admin.watch(configmaps(namespace) + "?watch=1&resourceVersion=999999") as stream:
        [event] = await stream.rest()
    assert event["type"] == "ERROR"
    assert (event["object"]["code"], event["object"]["reason"]) == (504, "Timeout")


async def test_invalid_watch_options_are_refused_before_streaming(admin: AsgiClient, namespace: str) -> None:
    """sendInitialEvents without resourceVersionMatch=NotOlderThan is a 422 response, not a stream."""
    async with admin.watch(configmaps(namespace) + "?watch=1&sendInitialEvents=true") as stream:
        assert stream.status == 422
        body = await stream.body()
    assert b"sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" in body


async def test_table_watches_send_column_definitions_once(admin: AsgiClient, namespace: str) -> None:
    """``kubectl get -w``: one-row Tables, column definitions in the first only."""
    await admin.create(configmaps(namespace), {"metadata": {"name": "a"}, "data": {"k": "v"}})
    async with admin.watch(configmaps(namespace) + "?watch=1", headers={"Accept": TABLE}) as stream:
        await admin.create(configmaps(namespace), {"metadata": {"name": "b"}})
        first, second = await stream.events(2)
    assert first["object"]["kind"] == "Table" and second["object"]["kind"] == "Table"
    assert [c["name"] for c in first["object"]["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert not second["object"].get("columnDefinitions")
    assert [r["cells"][:2] for r in (first["object"]["rows"] + second["object"]["rows"])] == [["a", 1], ["b", 0]]


async def test_metadata_only_watches_send_partial_objects(admin: AsgiClient, namespace: str) -> None:
    """Metadata informers watch PartialObjectMetadata."""
    accept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
    async with admin.watch(configmaps(namespace) + "?watch=1", headers={"Accept": accept}) as stream:
        await admin.create(configmaps(namespace), {"metadata": {"name": "a"}, "data": {"k": "v"}})
        [event] = await stream.events(1)
    assert event["object"]["kind"] == "PartialObjectMetadata" and "data" not in event["object"]


async def test_the_deprecated_watch_path_streams_too(admin: AsgiClient, namespace: str) -> None:
    """``/api/v1/watch/namespaces/<ns>/configmaps`` is a watch."""
    async with admin.watch(f"/api/v1/watch/namespaces/{namespace}/configmaps") as stream:
        await admin.create(configmaps(namespace), {"metadata": {"name": "a"}})
        assert summary(await stream.events(1)) == [("ADDED", "a")]


async def test_stopping_the_server_ends_every_watch(app: App, admin: AsgiClient, namespace: str) -> None:
    """When the server begins to stop, open streams are closed so connections can drain."""
    async with admin.watch(configmaps(namespace) + "?watch=1") as stream:
        app.stopping.set()
        assert await stream.rest() == []
