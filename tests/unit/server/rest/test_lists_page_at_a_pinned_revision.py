"""LIST: limit and continue read every page at the first page's revision; resourceVersion and
resourceVersionMatch choose the revision as kube does (410 below the history window, 504 ahead of the store);
label and field selectors filter, also across pages."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.storage.memory import MemoryStore
from tests.unit.server.asgi_client import AsgiClient


async def fill(admin: AsgiClient, namespace: str, count: int, **labels: str) -> list[dict[str, Any]]:
    return [await admin.create(f"/api/v1/namespaces/{namespace}/configmaps",
                               {"metadata": {"name": f"p{i}", "labels": {"i": str(i), **labels}}})
            for i in range(count)]


async def listing(admin: AsgiClient, namespace: str, query: str) -> dict[str, Any]:
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps?{query}")
    assert reply.status == 200, reply.body
    page: dict[str, Any] = reply.json()
    return page


def names(page: dict[str, Any]) -> list[str]:
    return [i["metadata"]["name"] for i in page["items"]]


async def test_pages_after_the_first_are_read_at_its_revision(admin: AsgiClient, namespace: str) -> None:
    """Objects created after the first page do not appear in later ones; remainingItemCount counts the rest."""
    await fill(admin, namespace, 5)
    first = await listing(admin, namespace, "limit=2")
    assert names(first) == ["p0", "p1"]
    assert first["metadata"]["remainingItemCount"] == 3
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "p9-late"}})
    seen, token = names(first), first["metadata"]["continue"]
    while token:
        page = await listing(admin, namespace, f"limit=2&continue={token}")
        assert page["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
        seen += names(page)
        token = page["metadata"].get("continue")
    assert seen == [f"p{i}" for i in range(5)]
    assert "remainingItemCount" not in page["metadata"]


async def test_the_last_page_has_no_continue_token(admin: AsgiClient, namespace: str) -> None:
    """A limit that covers everything answers one page without continue."""
    await fill(admin, namespace, 2)
    page = await listing(admin, namespace, "limit=2")
    assert names(page) == ["p0", "p1"] and "continue" not in page["metadata"]
    assert names(await listing(admin, namespace, "limit=0")) == ["p0", "p1"]


async def test_selected_pages_carry_on_past_unmatched_objects(admin: AsgiClient, namespace: str) -> None:
    """With a selector, pages are filled with matches and the count of remaining items is left out."""
    for i in range(6):
        await admin.create(f"/api/v1/namespaces/{namespace}/configmaps",
                           {"metadata": {"name": f"s{i}", "labels": {"odd": str(i % 2 == 1).lower()}}})
    first = await listing(admin, namespace, "limit=2&labelSelector=odd%3Dtrue")
    assert names(first) == ["s1", "s3"]
    assert "remainingItemCount" not in first["metadata"]
    rest = await listing(admin, namespace, f"limit=2&labelSelector=odd%3Dtrue&continue={first['metadata']['continue']}")
    assert names(rest) == ["s5"]
    assert "continue" not in rest["metadata"]


async def test_continue_with_a_resource_version_is_refused(admin: AsgiClient, namespace: str) -> None:
    """The token pins the revision; another one beside it is a 400."""
    await fill(admin, namespace, 3)
    token = (await listing(admin, namespace, "limit=1"))["metadata"]["continue"]
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps?limit=1&continue={token}&resourceVersion=5")
    assert (reply.status, reply.json()["message"]) == (
        400, "specifying resource version is not allowed when using continue")


async def test_a_garbage_continue_token_is_400(admin: AsgiClient, namespace: str) -> None:
    """A token that is not ours is refused, not treated as the start."""
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps?limit=1&continue=bm9wZQ")
    assert reply.status == 400


async def test_a_continue_token_below_the_history_window_is_410(admin: AsgiClient, namespace: str,
                                                                 store: MemoryStore) -> None:
    """Once its revision is compacted, a token answers 410 Expired telling the client to start over."""
    await fill(admin, namespace, 3)
    token = (await listing(admin, namespace, "limit=1"))["metadata"]["continue"]
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "later"}})
    await store.compact(store.current_revision())
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps?limit=1&continue={token}")
    assert (reply.status, reply.json()["reason"]) == (410, "Expired")
    assert reply.json()["message"].startswith("The provided continue parameter is too old to display a consistent "
                                              "list result. You can start a new list without the continue parameter")


async def test_an_exact_resource_version_lists_the_past(admin: AsgiClient, namespace: str) -> None:
    """``resourceVersionMatch=Exact`` reads the list as it was at that revision."""
    [first] = await fill(admin, namespace, 1)
    revision = first["metadata"]["resourceVersion"]
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "later"}})
    await admin.request("DELETE", f"/api/v1/namespaces/{namespace}/configmaps/p0")
    past = await listing(admin, namespace, f"resourceVersion={revision}&resourceVersionMatch=Exact")
    assert (names(past), past["metadata"]["resourceVersion"]) == (["p0"], revision)
    paged = await listing(admin, namespace, f"resourceVersion={revision}&limit=5")
    assert names(paged) == ["p0"]


async def test_not_older_than_answers_the_current_state(admin: AsgiClient, namespace: str) -> None:
    """A resourceVersion without match (or NotOlderThan) is a lower bound, answered with the latest list."""
    [first] = await fill(admin, namespace, 1)
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "later"}})
    revision = first["metadata"]["resourceVersion"]
    for query in (f"resourceVersion={revision}", f"resourceVersion={revision}&resourceVersionMatch=NotOlderThan",
                  "resourceVersion=0"):
        assert names(await listing(admin, namespace, query)) == ["later", "p0"]


async def test_a_resource_version_ahead_of_the_store_is_504(admin: AsgiClient, namespace: str) -> None:
    """kube's 'Too large resource version' Timeout, with a retry hint."""
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps?resourceVersion=999999")
    assert reply.status == 504
    body = reply.json()
    assert body["reason"] == "Timeout" and body["message"].startswith("Too large resource version: 999999, current: ")
    assert body["details"] == {"retryAfterSeconds": 1, "causes": [
        {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]}


async def test_an_exact_resource_version_below_the_window_is_410(admin: AsgiClient, namespace: str,
                                                                 store: MemoryStore) -> None:
    """A compacted revision cannot be listed: kube's 'too old resource version'."""
    first, _ = await fill(admin, namespace, 2)
    await store.compact(store.current_revision())
    revision = first["metadata"]["resourceVersion"]
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps?resourceVersion={revision}"
                            "&resourceVersionMatch=Exact")
    assert (reply.status, reply.json()["reason"]) == (410, "Expired")
    assert reply.json()["message"] == f"too old resource version: {revision} ({store.current_revision()})"


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("resourceVersionMatch=Exact", 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: '
                 "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided", id="match-alone"),
    pytest.param("resourceVersion=0&resourceVersionMatch=Exact", 'ListOptions.meta.k8s.io "" is invalid: '
                 'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
                 id="exact-zero"),
    pytest.param("resourceVersion=1&resourceVersionMatch=Newest", 'ListOptions.meta.k8s.io "" is invalid: '
                 'resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan"',
                 id="unknown-match"),
])
async def test_inconsistent_list_options_are_invalid(admin: AsgiClient, namespace: str, query: str,
                                                     message: str) -> None:
    """kube's ListOptions validation, 422 with its wording."""
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps?{query}")
    assert (reply.status, reply.json()["message"]) == (422, message)


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("resourceVersion=abc", 'invalid resource version: resourceVersion: Invalid value: "abc": '
                 'strconv.ParseUint: parsing "abc": invalid syntax', id="resource-version-not-a-number"),
    pytest.param("resourceVersion=-1", 'invalid resource version: resourceVersion: Invalid value: "-1": '
                 'strconv.ParseUint: parsing "-1": invalid syntax', id="resource-version-negative"),
    pytest.param("resourceVersion=18446744073709551616", 'invalid resource version: resourceVersion: Invalid '
                 'value: "18446744073709551616": strconv.ParseUint: parsing "18446744073709551616": value out of '
                 'range', id="resource-version-beyond-uint64"),
    pytest.param("limit=-1", "invalid value for limit: must be at least 0", id="negative-limit"),
    pytest.param("labelSelector=a%3D%3D%3Db", "unable to parse requirement: found '=', expected: identifier",
                 id="bad-label-selector"),
    pytest.param("fieldSelector=data.k%3Dv", '"data.k" is not a known field selector: only "metadata.name", '
                 '"metadata.namespace"', id="unsupported-field"),
])
async def test_malformed_list_parameters_are_400(admin: AsgiClient, namespace: str, query: str, message: str) -> None:
    """Each malformed parameter is a BadRequest saying what is wrong."""
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps?{query}")
    assert (reply.status, reply.json()["message"]) == (400, message)


async def test_selectors_filter_by_labels_and_fields(admin: AsgiClient, namespace: str) -> None:
    """Set-based label selectors and metadata.name field selectors, combined with AND."""
    await fill(admin, namespace, 4)
    assert names(await listing(admin, namespace, "labelSelector=i%20in%20(1,3)")) == ["p1", "p3"]
    assert names(await listing(admin, namespace, "fieldSelector=metadata.name%3Dp2")) == ["p2"]
    assert names(await listing(admin, namespace, "labelSelector=i!%3D1&fieldSelector=metadata.name!%3Dp0")) == [
        "p2", "p3"]


async def test_namespaces_select_by_phase(admin: AsgiClient, namespace: str) -> None:
    """``status.phase`` is a field selector of namespaces."""
    await admin.request("DELETE", f"/api/v1/namespaces/{namespace}")
    terminating = (await admin.get("/api/v1/namespaces?fieldSelector=status.phase%3DTerminating")).json()
    assert names(terminating) == [namespace]
