"""kopf runs an operator of a custom resource against the server, with peering through kopf's own CRDs: its
create and update handlers fire and write status through the status subresource, its finalizer holds a
deleted object until the delete handler ran, and the operator takes part in the peering (its KopfPeering
object lists it)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

GROUP, VERSION, PLURAL = "kopf.example.com", "v1", "widgets"
OPERATOR = textwrap.dedent("""\
    import kopf

    @kopf.on.startup()
    def configure(settings: kopf.OperatorSettings, **_):
        settings.watching.server_timeout = 10
        settings.peering.name = "widgets"

    @kopf.on.create("kopf.example.com", "v1", "widgets")
    def created(spec, **_):
        return {"size": spec.get("size", 0) * 2}

    @kopf.on.update("kopf.example.com", "v1", "widgets")
    def updated(spec, patch, **_):
        patch.status["seen"] = spec.get("size", 0)

    @kopf.on.delete("kopf.example.com", "v1", "widgets")
    def deleted(name, logger, **_):
        logger.info("deleting %s", name)
    """)


def crd(group: str, kind: str, plural: str, *, scope: str = "Namespaced", status: bool = False) -> dict[str, Any]:
    version: dict[str, Any] = {
        "name": "v1", "served": True, "storage": True,
        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
    if status:
        version["subresources"] = {"status": {}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": scope, "names": {"plural": plural, "kind": kind},
                     "versions": [version]}}


def eventually(check: Callable[[], Any], what: str, limit: float = 60) -> Any:
    deadline = time.monotonic() + limit
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.fixture
def custom(api_client: client.ApiClient) -> client.CustomObjectsApi:
    extensions = client.ApiextensionsV1Api(api_client)
    for body in (crd(GROUP, "Widget", PLURAL, status=True), crd("kopf.dev", "KopfPeering", "kopfpeerings"),
                 crd("kopf.dev", "ClusterKopfPeering", "clusterkopfpeerings", scope="Cluster")):
        extensions.create_custom_resource_definition(body)
    for body in (crd(GROUP, "Widget", PLURAL), crd("kopf.dev", "KopfPeering", "kopfpeerings")):
        name = body["metadata"]["name"]
        eventually(lambda name=name: any(c.type == "Established" and c.status == "True" for c in
                                         extensions.read_custom_resource_definition(name).status.conditions or []),
                   f"{name} was not established")
    objects = client.CustomObjectsApi(api_client)
    objects.create_namespaced_custom_object("kopf.dev", "v1", "default", "kopfpeerings",
                                            {"apiVersion": "kopf.dev/v1", "kind": "KopfPeering",
                                             "metadata": {"name": "widgets"}})
    return objects


@pytest.fixture
def operator(server: ServerProcess, custom: client.CustomObjectsApi, tmp_path: Path
             ) -> Iterator[subprocess.Popen[bytes]]:
    script = tmp_path / "operator.py"
    script.write_text(OPERATOR)
    log = tmp_path / "operator.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kopf", "run", "-n", "default", "--verbose", str(script)],
                                env={**os.environ, "KUBECONFIG": str(server.kubeconfig)}, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)
        print(log.read_text()[-5000:])


def test_kopf_handles_a_custom_resource_with_peering(custom: client.CustomObjectsApi,
                                                     operator: subprocess.Popen[bytes]) -> None:
    def widget() -> dict[str, Any]:
        found: dict[str, Any] = custom.get_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, "w1")
        return found

    custom.create_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, {
        "apiVersion": f"{GROUP}/{VERSION}", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}})
    created = eventually(lambda: (w := widget()).get("status", {}).get("created") and w,
                         "the create handler's result never reached the status")
    assert created["status"]["created"] == {"size": 6}
    assert any(f.startswith("kopf.zalando.org/") for f in created["metadata"]["finalizers"])

    custom.patch_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, "w1", {"spec": {"size": 5}})
    eventually(lambda: widget().get("status", {}).get("seen") == 5, "the update handler never ran")

    peering = custom.get_namespaced_custom_object("kopf.dev", "v1", "default", "kopfpeerings", "widgets")
    assert peering.get("status"), "the operator did not announce itself in the peering object"

    custom.delete_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, "w1")

    def gone() -> bool:
        try:
            widget()
        except ApiException as exc:
            return exc.status == 404
        return False

    eventually(gone, "the delete handler never released the widget")
    assert operator.poll() is None, "the operator exited"
