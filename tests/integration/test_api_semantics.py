"""API semantics that clients rely on beyond the everyday kubectl commands: both Event views, leases, tables
and metadata-only reads, dry runs, collections, paging, and the watch options."""

from __future__ import annotations

import base64
import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.rawclient import RawClient
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def raw(server: ServerProcess) -> RawClient:
    return RawClient(server.url, server.data_dir)


@pytest.fixture
def ns(raw: RawClient) -> str:
    name = f"sem-{uuid.uuid4().hex[:8]}"
    assert raw.request("POST", "/api/v1/namespaces", json.dumps({"metadata": {"name": name}})).status == 201
    return name


def create(raw: RawClient, path: str, obj: dict[str, Any], query: str = "") -> dict[str, Any]:
    reply = raw.request("POST", path + query, json.dumps(obj))
    assert reply.status == 201, reply.body
    return reply.json()  # type: ignore[no-any-return]


def watch_lines(raw: RawClient, path: str) -> Iterator[dict[str, Any]]:
    conn = http.client.HTTPSConnection(raw.host, raw.port, context=raw.context, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    assert response.status == 200
    try:
        while line := response.readline():
            yield json.loads(line)
    finally:
        conn.close()


def test_events_are_one_object_in_two_views(raw: RawClient, ns: str) -> None:
    """A core v1 Event reads back as events.k8s.io/v1 with the fields renamed, and vice versa."""
    core = create(raw, f"/api/v1/namespaces/{ns}/events", {
        "metadata": {"name": "e1"}, "involvedObject": {"kind": "ConfigMap", "name": "c1", "namespace": ns},
        "reason": "Tested", "message": "hello", "type": "Normal", "source": {"component": "tests"},
        "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z", "count": 1})
    view = raw.request("GET", f"/apis/events.k8s.io/v1/namespaces/{ns}/events/e1").json()
    assert view["apiVersion"] == "events.k8s.io/v1"
    assert view["regarding"]["name"] == "c1" and view["note"] == "hello"
    assert view["deprecatedSource"] == {"component": "tests"} and view["deprecatedCount"] == 1
    assert view["metadata"]["resourceVersion"] == core["metadata"]["resourceVersion"]

    create(raw, f"/apis/events.k8s.io/v1/namespaces/{ns}/events", {
        "metadata": {"name": "e2"}, "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "tests/x",
        "reportingInstance": "tests-1", "action": "Test", "reason": "Tested", "type": "Warning", "note": "new",
        "regarding": {"kind": "ConfigMap", "name": "c2", "namespace": ns}})
    as_core = raw.request("GET", f"/api/v1/namespaces/{ns}/events/e2").json()
    assert as_core["message"] == "new" and as_core["involvedObject"]["name"] == "c2"
    assert as_core["reportingComponent"] == "tests/x"
    selected = raw.request("GET", f"/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.name%3Dc2").json()
    assert [e["metadata"]["name"] for e in selected["items"]] == ["e2"]
    selected_v1 = raw.request(
        "GET", f"/apis/events.k8s.io/v1/namespaces/{ns}/events?fieldSelector=regarding.name%3Dc1").json()
    assert [e["metadata"]["name"] for e in selected_v1["items"]] == ["e1"]


def test_leases_take_optimistic_leader_election(raw: RawClient, ns: str) -> None:
    """Leases keep MicroTime values; the loser of a concurrent update gets 409."""
    path = f"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases"
    lease = create(raw, path, {"metadata": {"name": "leader"}, "spec": {
        "holderIdentity": "a", "leaseDurationSeconds": 15, "acquireTime": "2026-01-01T00:00:00.123456Z",
        "renewTime": "2026-01-01T00:00:00.123456Z"}})
    assert lease["spec"]["renewTime"] == "2026-01-01T00:00:00.123456Z"
    winner = dict(lease, spec={**lease["spec"], "holderIdentity": "b"})
    loser = dict(lease, spec={**lease["spec"], "holderIdentity": "c"})
    assert raw.request("PUT", f"{path}/leader", json.dumps(winner)).status == 200
    refused = raw.request("PUT", f"{path}/leader", json.dumps(loser))
    assert refused.status == 409 and refused.json()["reason"] == "Conflict"


def test_tables_and_partial_metadata(raw: RawClient, ns: str) -> None:
    """as=Table gives kube's columns and row objects; as=PartialObjectMetadataList gives metadata only."""
    create(raw, f"/api/v1/namespaces/{ns}/secrets", {"metadata": {"name": "s"}, "stringData": {"a": "b"}})
    table = raw.request("GET", f"/api/v1/namespaces/{ns}/secrets",
                        headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}).json()
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Type", "Data", "Age"]
    assert table["rows"][0]["cells"][:3] == ["s", "Opaque", 1]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    partial = raw.request("GET", f"/api/v1/namespaces/{ns}/secrets", headers={
        "Accept": "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"}).json()
    assert partial["kind"] == "PartialObjectMetadataList"
    assert "data" not in partial["items"][0] and partial["items"][0]["metadata"]["name"] == "s"
    refused = raw.request("GET", f"/api/v1/namespaces/{ns}/secrets",
                          headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert refused.status == 406


def test_dry_run_stores_nothing(raw: RawClient, ns: str) -> None:
    """dryRun=All validates and answers the would-be object without storing it."""
    path = f"/api/v1/namespaces/{ns}/configmaps"
    answered = create(raw, path, {"metadata": {"name": "ghost"}, "data": {"a": "b"}}, "?dryRun=All")
    assert answered["metadata"]["uid"] and answered["data"] == {"a": "b"}
    assert raw.request("GET", f"{path}/ghost").status == 404
    invalid = raw.request("POST", path + "?dryRun=All", json.dumps({"metadata": {"name": "Nope"}}))
    assert invalid.status == 422


def test_delete_collection_honours_selectors(raw: RawClient, ns: str) -> None:
    """DELETE on a collection removes the selected objects and returns them."""
    path = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(4):
        create(raw, path, {"metadata": {"name": f"c{i}", "labels": {"even": str(i % 2 == 0).lower()}}})
    deleted = raw.request("DELETE", path + "?labelSelector=even%3Dtrue").json()
    assert sorted(i["metadata"]["name"] for i in deleted["items"]) == ["c0", "c2"]
    remaining = raw.request("GET", path).json()
    assert [i["metadata"]["name"] for i in remaining["items"] if i["metadata"]["name"] != "kube-root-ca.crt"] == \
        ["c1", "c3"]


def test_finalizers_hold_deletion_until_removed(raw: RawClient, ns: str) -> None:
    """An object with finalizers is marked (200, with the object) on delete and goes when its finalizers are removed."""
    path = f"/api/v1/namespaces/{ns}/configmaps"
    create(raw, path, {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}})
    marked = raw.request("DELETE", f"{path}/held")
    assert marked.status == 200 and marked.json()["metadata"]["deletionTimestamp"]
    assert raw.request("GET", f"{path}/held").status == 200
    released = raw.request("PATCH", f"{path}/held", json.dumps({"metadata": {"finalizers": None}}),
                           content_type="application/merge-patch+json")
    assert released.status == 200
    assert raw.request("GET", f"{path}/held").status == 404


def test_paging_is_consistent_while_writes_continue(raw: RawClient, ns: str) -> None:
    """Pages after the first are read at the first page's revision, with remainingItemCount (Secrets: no
    controller adds one to a new namespace)."""
    path = f"/api/v1/namespaces/{ns}/secrets"
    for i in range(5):
        create(raw, path, {"metadata": {"name": f"p{i}"}})
    first = raw.request("GET", path + "?limit=2").json()
    assert first["metadata"]["remainingItemCount"] == 3
    create(raw, path, {"metadata": {"name": "p9-late"}})
    names = [i["metadata"]["name"] for i in first["items"]]
    token = first["metadata"]["continue"]
    while token:
        page = raw.request("GET", f"{path}?limit=2&continue={token}").json()
        assert page["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
    assert names == [f"p{i}" for i in range(5)]


def test_watch_with_selector_sends_transitions(raw: RawClient, ns: str) -> None:
    """A label-selected watch sees an object ADDED when it starts matching and DELETED when it stops."""
    path = f"/api/v1/namespaces/{ns}/configmaps"
    start = create(raw, path, {"metadata": {"name": "mover"}})["metadata"]["resourceVersion"]
    for labels in ({"pick": "yes"}, {"pick": "yes", "more": "1"}, {"pick": "no"}):
        reply = raw.request("PATCH", f"{path}/mover", json.dumps({"metadata": {"labels": labels}}),
                            content_type="application/merge-patch+json")
        assert reply.status == 200
    events = watch_lines(raw, f"{path}?watch=1&labelSelector=pick%3Dyes&resourceVersion={start}&timeoutSeconds=2")
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]


def test_watch_streaming_list_and_bookmarks(raw: RawClient, ns: str) -> None:
    """sendInitialEvents streams the current objects, then a bookmark marking the end of them."""
    path = f"/api/v1/namespaces/{ns}/secrets"
    create(raw, path, {"metadata": {"name": "one"}, "data": {"k": base64.b64encode(b"v").decode()}})
    events = watch_lines(raw, f"{path}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true"
                              "&resourceVersionMatch=NotOlderThan&timeoutSeconds=1")
    first, bookmark = next(events), next(events)
    assert first["type"] == "ADDED" and first["object"]["metadata"]["name"] == "one"
    assert bookmark["type"] == "BOOKMARK"
    assert bookmark["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    list(events)


def test_watch_from_the_future_and_bad_options(raw: RawClient, ns: str) -> None:
    """Watch option errors are refused up front; a resourceVersion ahead of the store is an ERROR event."""
    path = f"/api/v1/namespaces/{ns}/configmaps"
    refused = raw.request("GET", f"{path}?watch=1&sendInitialEvents=true")
    assert refused.status == 422
    events = list(watch_lines(raw, f"{path}?watch=1&resourceVersion=999999999&timeoutSeconds=1"))
    assert events[0]["type"] == "ERROR" and events[0]["object"]["code"] == 504


def test_openapi_v3_documents_are_cached_by_hash(raw: RawClient) -> None:
    """The v3 index names hashed URLs served immutable; a stale hash redirects to the current one."""
    index = raw.request("GET", "/clusters/root/openapi/v3").json()
    url = index["paths"]["api/v1"]["serverRelativeURL"]
    document = raw.request("GET", "/clusters/root" + url)
    assert document.status == 200 and document.headers["Cache-Control"] == "public, immutable"
    assert "io.k8s.api.core.v1.ConfigMap" in document.json()["components"]["schemas"]
    stale = raw.request("GET", "/clusters/root/openapi/v3/api/v1?hash=0123")
    assert stale.status == 301
    assert stale.headers["Location"] == "/clusters/root" + url
