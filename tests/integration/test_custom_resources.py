"""kubectl 1.27 and 1.33 and the kubernetes client's DynamicClient with a CustomResourceDefinition on a real
server: apply, wait for Established, api-resources, explain, custom objects with printer columns and short
names, server-side apply, a second served version, watch, and deleting the CRD taking its objects with it."""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path

import pytest
from kubernetes import client
from kubernetes.dynamic import DynamicClient

from tests.integration.conftest import Kubectl

pytestmark = pytest.mark.integration


def short_name(group: str) -> str:
    """A short name of the group's own: two kubectl versions share the server, and a short name two groups
    declare resolves to one of them."""
    return "ct" + group.split(".", 1)[0]


def crd_yaml(group: str) -> str:
    return textwrap.dedent(f"""\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: crontabs.{group}
        spec:
          group: {group}
          scope: Namespaced
          names: {{plural: crontabs, singular: crontab, kind: CronTab, shortNames: [{short_name(group)}]}}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {{status: {{}}}}
            additionalPrinterColumns:
            - {{name: Spec, type: string, jsonPath: .spec.cronSpec}}
            - {{name: Replicas, type: integer, jsonPath: .spec.replicas}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    description: What the cron job runs and when.
                    properties:
                      cronSpec: {{type: string, description: The schedule.}}
                      image: {{type: string}}
                      replicas: {{type: integer}}
          - name: v1beta1
            served: true
            storage: false
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
        """)


@pytest.fixture
def group() -> str:
    return f"g{uuid.uuid4().hex[:8]}.example.com"


@pytest.fixture
def crd(kubectl: Kubectl, group: str) -> str:
    kubectl.run("apply", "-f", "-", input=crd_yaml(group))
    kubectl.run("wait", "--for=condition=Established", f"crd/crontabs.{group}", "--timeout=30s")
    return f"crontabs.{group}"


def test_a_crd_is_established_and_its_objects_are_served_to_kubectl(kubectl: Kubectl, crd: str, group: str,
                                                                     tmp_path: Path) -> None:
    listed = kubectl.run("api-resources", "--api-group", group).stdout.splitlines()
    assert listed[1].split() == ["crontabs", short_name(group), f"{group}/v1", "true", "CronTab"]
    explained = kubectl.run("explain", f"crontabs.{group}.spec").stdout
    assert "What the cron job runs and when." in explained and "cronSpec" in explained
    manifest = tmp_path / "cron.yaml"
    manifest.write_text(textwrap.dedent(f"""\
        apiVersion: {group}/v1
        kind: CronTab
        metadata: {{name: nightly, namespace: default}}
        spec: {{cronSpec: "0 3 * * *", image: backup, replicas: 2}}
        """))
    kubectl.run("apply", "--validate=strict", "-f", str(manifest))
    table = kubectl.run("get", short_name(group), "-n", "default").stdout.splitlines()
    assert table[0].split() == ["NAME", "SPEC", "REPLICAS"]
    assert table[1].split() == ["nightly", "0", "3", "*", "*", "*", "2"]
    beta = json.loads(kubectl.run("get", f"crontabs.v1beta1.{group}", "nightly", "-n", "default",
                                  "-o", "json").stdout)
    assert beta["apiVersion"] == f"{group}/v1beta1" and beta["spec"]["image"] == "backup"
    applied = json.loads(kubectl.run("apply", "--server-side", "--force-conflicts", "--field-manager", "ops", "-f", "-",
                                     "-o", "json", "--show-managed-fields",
                                     input=manifest.read_text().replace("replicas: 2", "replicas: 3")).stdout)
    assert applied["spec"]["replicas"] == 3
    assert {m["manager"] for m in applied["metadata"]["managedFields"]} >= {"ops"}


def test_deleting_the_crd_deletes_its_objects(kubectl: Kubectl, crd: str, group: str) -> None:
    kubectl.run("create", "-f", "-", input=f"apiVersion: {group}/v1\nkind: CronTab\n"
                                           "metadata: {name: doomed, namespace: default}\nspec: {image: x}\n")
    kubectl.run("delete", "crd", crd, "--timeout=30s")
    assert "NotFound" in kubectl.run("get", "crd", crd, check=False).stderr
    assert group not in kubectl.run("api-versions").stdout


def test_the_dynamic_client_creates_reads_replaces_and_watches_custom_objects(
        api_client: client.ApiClient, kubectl: Kubectl, crd: str, group: str) -> None:
    dynamic = DynamicClient(api_client)
    crontabs = dynamic.resources.get(api_version=f"{group}/v1", kind="CronTab")
    created = crontabs.create(namespace="default", body={
        "apiVersion": f"{group}/v1", "kind": "CronTab", "metadata": {"name": "dyn"}, "spec": {"image": "i"}})
    names = [item.metadata.name for item in crontabs.get(namespace="default").items]
    assert "dyn" in names
    events = crontabs.watch(namespace="default", resource_version=created.metadata.resourceVersion, timeout=5)
    crontabs.patch(namespace="default", name="dyn", body={"spec": {"image": "j"}},
                   content_type="application/merge-patch+json")
    for event in events:
        if event["object"].metadata.name == "dyn":
            assert (event["type"], event["object"].spec.image) == ("MODIFIED", "j")
            break
    else:
        raise AssertionError("no watch event for the patch")
    fetched = crontabs.get(namespace="default", name="dyn").to_dict()
    fetched["spec"]["image"] = "k"
    replaced = crontabs.replace(namespace="default", body=fetched)
    assert (replaced.spec.image, crontabs.get(namespace="default", name="dyn").spec.image) == ("k", "k")
    crontabs.delete(namespace="default", name="dyn")
    assert "dyn" not in [item.metadata.name for item in crontabs.get(namespace="default").items]
