"""Two more Python clients on a real server: kubernetes_asyncio (the asyncio port of the official client)
creates a CRD, waits for it to be Established by watching it, and does create, get, list, patch, replace,
watch and delete of custom objects (CustomObjectsApi) and of a ConfigMap; lightkube does the same with the
CRD's objects through a generic resource, and server-side apply."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from kubernetes_asyncio import client as aclient
from kubernetes_asyncio import config as aconfig
from kubernetes_asyncio import watch as awatch
from lightkube import Client as LightClient
from lightkube import KubeConfig
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.types import PatchType

from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

WATCH_SECONDS = 10


def crd_body(group: str) -> dict[str, Any]:
    spec_schema = {"type": "object", "properties": {"image": {"type": "string"}, "replicas": {"type": "integer"}}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"gadgets.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                         "type": "object", "properties": {"spec": spec_schema}}}}]}}


@pytest.fixture
async def api(server: ServerProcess) -> AsyncIterator[aclient.ApiClient]:
    configuration = aclient.Configuration()
    await aconfig.load_kube_config(config_file=str(server.kubeconfig), client_configuration=configuration)
    async with aclient.ApiClient(configuration) as api_client:
        yield api_client


@pytest.fixture
async def group(api: aclient.ApiClient) -> str:
    """A CRD of the test's own group, created with kubernetes_asyncio and watched until Established."""
    name = f"a{uuid.uuid4().hex[:8]}.example.com"
    extensions = aclient.ApiextensionsV1Api(api)
    created = await extensions.create_custom_resource_definition(crd_body(name))
    stream = awatch.Watch().stream(extensions.list_custom_resource_definition,
                                   field_selector=f"metadata.name=gadgets.{name}",
                                   resource_version=created.metadata.resource_version, timeout_seconds=WATCH_SECONDS)
    async with stream:
        async for event in stream:
            conditions = event["object"].status.conditions or []
            if any(c.type == "Established" and c.status == "True" for c in conditions):
                break
        else:
            raise AssertionError("the CRD was not Established")
    return name


async def next_event(stream: Any, name: str) -> tuple[str, Any]:
    async for event in stream:
        obj = event["object"]
        event_name = obj["metadata"]["name"] if isinstance(obj, dict) else obj.metadata.name
        if event_name == name:
            return event["type"], obj
    raise AssertionError(f"no watch event for {name}")


async def test_kubernetes_asyncio_crud_and_watch_custom_objects(api: aclient.ApiClient, group: str) -> None:
    objects = aclient.CustomObjectsApi(api)
    where = (group, "v1", "default", "gadgets")
    created = await objects.create_namespaced_custom_object(*where, {
        "apiVersion": f"{group}/v1", "kind": "Gadget", "metadata": {"name": "g1"}, "spec": {"image": "a"}})
    stream = awatch.Watch().stream(objects.list_namespaced_custom_object, *where,
                                   resource_version=created["metadata"]["resourceVersion"],
                                   timeout_seconds=WATCH_SECONDS)
    async with stream:
        patched = await objects.patch_namespaced_custom_object(*where, "g1", {"spec": {"replicas": 2}},
                                                              _content_type="application/merge-patch+json")
        assert patched["spec"] == {"image": "a", "replicas": 2}
        assert await next_event(stream, "g1") == ("MODIFIED", patched)
        patched["spec"]["image"] = "b"
        replaced = await objects.replace_namespaced_custom_object(*where, "g1", patched)
        assert replaced["spec"] == {"image": "b", "replicas": 2}
        assert (await next_event(stream, "g1"))[0] == "MODIFIED"
        fetched = await objects.get_namespaced_custom_object(*where, "g1")
        assert fetched["metadata"]["resourceVersion"] == replaced["metadata"]["resourceVersion"]
        listed = await objects.list_namespaced_custom_object(*where)
        assert [item["metadata"]["name"] for item in listed["items"]] == ["g1"]
        await objects.delete_namespaced_custom_object(*where, "g1")
        assert (await next_event(stream, "g1"))[0] == "DELETED"
    with pytest.raises(aclient.ApiException) as missing:
        await objects.get_namespaced_custom_object(*where, "g1")
    assert missing.value.status == 404


async def test_kubernetes_asyncio_crud_and_watch_a_configmap(api: aclient.ApiClient) -> None:
    core = aclient.CoreV1Api(api)
    name = f"cm-{uuid.uuid4().hex[:6]}"
    created = await core.create_namespaced_config_map("default", aclient.V1ConfigMap(
        metadata=aclient.V1ObjectMeta(name=name), data={"k": "v"}))
    stream = awatch.Watch().stream(core.list_namespaced_config_map, "default",
                                   resource_version=created.metadata.resource_version, timeout_seconds=WATCH_SECONDS)
    async with stream:
        patched = await core.patch_namespaced_config_map(name, "default", {"data": {"k": "w"}})
        assert patched.data == {"k": "w"}
        kind, obj = await next_event(stream, name)
        assert (kind, obj.data) == ("MODIFIED", {"k": "w"})
        patched.data["x"] = "y"
        replaced = await core.replace_namespaced_config_map(name, "default", patched)
        assert (await core.read_namespaced_config_map(name, "default")).data == replaced.data == {"k": "w", "x": "y"}
        assert name in [c.metadata.name for c in (await core.list_namespaced_config_map("default")).items]
        await core.delete_namespaced_config_map(name, "default")
        assert (await _skip_to(stream, name, "DELETED"))[0] == "DELETED"


async def _skip_to(stream: Any, name: str, kind: str) -> tuple[str, Any]:
    """The next event of ``kind`` for ``name`` (the replace's MODIFIED comes first)."""
    while True:
        event = await next_event(stream, name)
        if event[0] == kind:
            return event


def test_lightkube_crud_watch_and_apply_of_a_generic_resource(server: ServerProcess, group: str) -> None:
    gadget = create_namespaced_resource(group, "v1", "Gadget", "gadgets")
    light = LightClient(KubeConfig.from_file(str(server.kubeconfig)), field_manager="lightkube")
    created = light.create(gadget(metadata=ObjectMeta(name="l1", namespace="default"), spec={"image": "a"}))
    assert created.metadata is not None and created.spec == {"image": "a"}
    patched = light.patch(gadget, "l1", {"spec": {"replicas": 3}}, namespace="default",
                          patch_type=PatchType.MERGE)
    assert patched.spec == {"image": "a", "replicas": 3}
    patched.spec["image"] = "b"
    replaced = light.replace(patched)
    assert light.get(gadget, "l1", namespace="default").spec == replaced.spec == {"image": "b", "replicas": 3}
    assert [g.metadata.name for g in light.list(gadget, namespace="default") if g.metadata] == ["l1"]

    applied = light.apply(gadget(apiVersion=f"{group}/v1", kind="Gadget",
                                 metadata=ObjectMeta(name="l2", namespace="default"), spec={"image": "c"}))
    assert applied.spec == {"image": "c"}
    assert applied.metadata is not None and applied.metadata.managedFields is not None
    assert [(m.manager, m.operation) for m in applied.metadata.managedFields] == [("lightkube", "Apply")]
    reapplied = light.apply(gadget(apiVersion=f"{group}/v1", kind="Gadget",
                                   metadata=ObjectMeta(name="l2", namespace="default"),
                                   spec={"image": "c", "replicas": 1}))
    assert reapplied.spec == {"image": "c", "replicas": 1}

    light.delete(gadget, "l1", namespace="default")
    assert reapplied.metadata is not None
    events = light.watch(gadget, namespace="default", resource_version=reapplied.metadata.resourceVersion,
                         server_timeout=WATCH_SECONDS)
    light.delete(gadget, "l2", namespace="default")
    for kind, obj in events:
        if obj.metadata is not None and obj.metadata.name == "l2":
            assert kind == "DELETED"
            break
    else:
        raise AssertionError("no watch event for the delete")
