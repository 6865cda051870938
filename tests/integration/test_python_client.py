"""The official kubernetes Python client against a real gitplane server."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

pytestmark = pytest.mark.integration


@pytest.fixture
def ns(core: client.CoreV1Api) -> Iterator[str]:
    name = f"py-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    core.delete_namespace(name)


def test_namespace_crud(core: client.CoreV1Api) -> None:
    """Namespaces are created Active with the kubernetes finalizer, listed, labelled and deleted."""
    name = f"crud-{uuid.uuid4().hex[:8]}"
    created = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    assert created.status.phase == "Active" and created.spec.finalizers == ["kubernetes"]
    assert created.metadata.labels["kubernetes.io/metadata.name"] == name
    assert name in [n.metadata.name for n in core.list_namespace().items]
    patched = core.patch_namespace(name, {"metadata": {"labels": {"team": "a"}}})
    assert patched.metadata.labels["team"] == "a"
    core.delete_namespace(name)
    with pytest.raises(ApiException) as gone:
        for event in watch.Watch().stream(core.list_namespace, field_selector=f"metadata.name={name}",
                                          timeout_seconds=30):
            if event["type"] == "DELETED":
                break
        core.read_namespace(name)
    assert gone.value.status == 404


def test_configmap_crud(core: client.CoreV1Api, ns: str) -> None:
    """ConfigMaps: create, read, list, replace, patch, delete."""
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings", labels={"app": "x"}),
                              data={"mode": "fast"})
    created = core.create_namespaced_config_map(ns, body)
    assert created.metadata.uid and created.metadata.resource_version
    assert core.read_namespaced_config_map("settings", ns).data == {"mode": "fast"}
    assert [c.metadata.name for c in core.list_namespaced_config_map(ns, label_selector="app=x").items] == \
        ["settings"]
    created.data["mode"] = "slow"
    replaced = core.replace_namespaced_config_map("settings", ns, created)
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)
    patched = core.patch_namespaced_config_map("settings", ns, {"data": {"extra": "1"}})
    assert patched.data == {"mode": "slow", "extra": "1"}
    core.delete_namespaced_config_map("settings", ns)
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("settings", ns)
    assert missing.value.status == 404


def test_secret_crud(core: client.CoreV1Api, ns: str) -> None:
    """Secrets: stringData is folded into base64 data, type defaults to Opaque."""
    created = core.create_namespaced_secret(ns, client.V1Secret(
        metadata=client.V1ObjectMeta(name="creds"), string_data={"password": "s3cret"}))
    assert created.type == "Opaque"
    assert base64.b64decode(created.data["password"]) == b"s3cret"
    assert created.string_data is None
    listed = core.list_namespaced_secret(ns, field_selector="type=Opaque")
    assert [s.metadata.name for s in listed.items] == ["creds"]
    core.delete_namespaced_secret("creds", ns)
    assert core.list_namespaced_secret(ns).items == []


def test_stale_resource_version_on_update_is_a_conflict(core: client.CoreV1Api, ns: str) -> None:
    """An update carrying an old resourceVersion gets 409 Conflict."""
    first = core.create_namespaced_config_map(ns, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="racy"), data={"v": "1"}))
    core.patch_namespaced_config_map("racy", ns, {"data": {"v": "2"}})
    first.data["v"] = "3"
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_config_map("racy", ns, first)
    assert conflict.value.status == 409
    assert "the object has been modified" in conflict.value.body


def test_watch_streams_changes_and_resumes(core: client.CoreV1Api, ns: str) -> None:
    """watch.Watch().stream gets ADDED/MODIFIED/DELETED, and a new watch resumes from a resourceVersion."""
    start = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="w"),
                                                             data={"v": "1"}))
    core.patch_namespaced_config_map("w", ns, {"data": {"v": "2"}})
    core.delete_namespaced_config_map("w", ns)

    seen: list[tuple[str, str]] = []
    for event in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version=start,
                                      field_selector="metadata.name=w", timeout_seconds=10):
        seen.append((event["type"], event["object"].metadata.resource_version))
        if event["type"] == "DELETED":
            break
    assert [t for t, _ in seen] == ["ADDED", "MODIFIED", "DELETED"]
    revisions = [int(rv) for _, rv in seen]
    assert revisions == sorted(revisions)

    resumed = [e["type"] for e in watch.Watch().stream(
        core.list_namespaced_config_map, ns, resource_version=seen[0][1], field_selector="metadata.name=w",
        timeout_seconds=2)]
    assert resumed[:2] == ["MODIFIED", "DELETED"]
