"""The scale subresource of a custom resource on a real server: ``kubectl scale`` (1.27 and 1.33) and
``kubectl get --subresource=scale`` (1.33), the Scale a GET answers, and what a PUT or PATCH of it may do:
write the replicas into the object, honour a resourceVersion precondition, and be refused as kube refuses it
(a negative count, a count the object's schema or CEL rules forbid, an object without replicas)."""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import Kubectl, kubectl_path
from tests.integration.rawclient import RawClient
from tests.integration.server import ServerProcess
from tests.unit.api.protobuf.protobuf_bodies import body

pytestmark = pytest.mark.integration

MERGE = "application/merge-patch+json"


def crd_yaml(group: str) -> str:
    return textwrap.dedent(f"""\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {{name: widgets.{group}}}
        spec:
          group: {group}
          scope: Namespaced
          names: {{plural: widgets, singular: widget, kind: Widget}}
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {{}}
              scale: {{specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas,
                       labelSelectorPath: .status.selector}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    x-kubernetes-validations: [{{rule: "!has(self.replicas) || self.replicas <= 10",
                                                 message: at most ten replicas}}]
                    properties:
                      replicas: {{type: integer}}
                      image: {{type: string}}
                  status:
                    type: object
                    properties:
                      replicas: {{type: integer}}
                      selector: {{type: string}}
        """)


@pytest.fixture(scope="module")
def group(server: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    name = f"s{uuid.uuid4().hex[:8]}.example.com"
    kubectl = Kubectl(kubectl_path("1.33"), server.kubeconfig, tmp_path_factory.mktemp("crd-home"))
    kubectl.run("apply", "-f", "-", input=crd_yaml(name))
    kubectl.run("wait", "--for=condition=Established", f"crd/widgets.{name}", "--timeout=30s")
    yield name


@pytest.fixture(scope="module")
def raw(server: ServerProcess) -> RawClient:
    return RawClient(server.url, server.data_dir)


def path(group: str, name: str = "", sub: str = "") -> str:
    base = f"/apis/{group}/v1/namespaces/default/widgets"
    return base + (f"/{name}" if name else "") + (f"/{sub}" if sub else "")


def create(raw: RawClient, group: str, spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    name = f"w{uuid.uuid4().hex[:6]}"
    reply = raw.request("POST", path(group), json.dumps({
        "apiVersion": f"{group}/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec}))
    assert reply.status == 201, reply.body
    created: dict[str, Any] = reply.json()
    if status is not None:
        reply = raw.request("PATCH", path(group, name, "status"), json.dumps({"status": status}), MERGE)
        assert reply.status == 200, reply.body
        created = reply.json()
    return created


def test_get_scale_answers_the_objects_replicas_and_selector(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 2}, {"replicas": 1, "selector": "app=w"})
    reply = raw.request("GET", path(group, obj["metadata"]["name"], "scale"))
    assert reply.status == 200, reply.body
    meta = obj["metadata"]
    assert reply.json() == {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {key: meta[key] for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")},
        "spec": {"replicas": 2}, "status": {"replicas": 1, "selector": "app=w"}}


def test_status_replicas_are_zero_when_the_object_has_none(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 4})
    scale = raw.request("GET", path(group, obj["metadata"]["name"], "scale")).json()
    assert (scale["spec"], scale["status"]) == ({"replicas": 4}, {"replicas": 0})


def test_put_scale_writes_the_replicas_into_the_object(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 1, "image": "a"})
    name = obj["metadata"]["name"]
    scale = raw.request("GET", path(group, name, "scale")).json()
    scale["spec"]["replicas"] = 5
    reply = raw.request("PUT", path(group, name, "scale"), json.dumps(scale))
    assert reply.status == 200, reply.body
    assert reply.json()["spec"] == {"replicas": 5}
    stored = raw.request("GET", path(group, name)).json()
    assert stored["spec"] == {"replicas": 5, "image": "a"}
    assert stored["metadata"]["resourceVersion"] == reply.json()["metadata"]["resourceVersion"]
    assert stored["metadata"]["generation"] == 2


def test_a_stale_resource_version_is_a_conflict(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 1})
    name = obj["metadata"]["name"]
    scale = raw.request("GET", path(group, name, "scale")).json()
    assert raw.request("PATCH", path(group, name), json.dumps({"spec": {"image": "b"}}), MERGE).status == 200
    scale["spec"]["replicas"] = 3
    reply = raw.request("PUT", path(group, name, "scale"), json.dumps(scale))
    assert reply.status == 409, reply.body
    assert reply.json()["message"] == (f'Operation cannot be fulfilled on widgets.{group} "{name}": the object has '
                                       "been modified; please apply your changes to the latest version and try again")


def test_negative_replicas_are_invalid(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 1})
    name = obj["metadata"]["name"]
    reply = raw.request("PATCH", path(group, name, "scale"), json.dumps({"spec": {"replicas": -1}}), MERGE)
    assert reply.status == 422, reply.body
    assert reply.json()["message"] == (f'Widget.{group} "{name}" is invalid: .spec.replicas: Invalid value: -1: '
                                       "should be a non-negative integer")


def test_the_objects_cel_rules_judge_a_scale_write(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 1})
    reply = raw.request("PATCH", path(group, obj["metadata"]["name"], "scale"),
                        json.dumps({"spec": {"replicas": 11}}), MERGE)
    assert reply.status == 422, reply.body
    assert "spec: Invalid value: \"object\": at most ten replicas" in reply.json()["message"]


def test_an_object_without_spec_replicas_must_be_given_them(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"image": "x"})
    name = obj["metadata"]["name"]
    reply = raw.request("PATCH", path(group, name, "scale"), json.dumps({"metadata": {"labels": {"a": "b"}}}), MERGE)
    assert reply.status == 400, reply.body
    assert reply.json()["message"] == 'the spec replicas field ".spec.replicas" cannot be empty'
    reply = raw.request("PATCH", path(group, name, "scale"),
                        json.dumps([{"op": "replace", "path": "/spec/replicas", "value": 2}]),
                        "application/json-patch+json")
    assert reply.status == 200, reply.body
    assert raw.request("GET", path(group, name)).json()["spec"] == {"image": "x", "replicas": 2}


def test_a_strategic_merge_patch_of_scale_is_unsupported(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 1})
    reply = raw.request("PATCH", path(group, obj["metadata"]["name"], "scale"),
                        json.dumps({"spec": {"replicas": 2}}), "application/strategic-merge-patch+json")
    assert reply.status == 415, reply.body


def test_server_side_apply_of_scale_takes_the_replicas_from_their_owner_by_force(raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 1})
    name = obj["metadata"]["name"]
    config = json.dumps({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": name},
                         "spec": {"replicas": 6}})
    reply = raw.request("PATCH", path(group, name, "scale") + "?fieldManager=hpa", config,
                        "application/apply-patch+yaml")
    assert reply.status == 409, reply.body  # the creator owns the replicas
    assert reply.json()["details"]["causes"][0]["field"] == ".spec.replicas"
    reply = raw.request("PATCH", path(group, name, "scale") + "?fieldManager=hpa&force=true", config,
                        "application/apply-patch+yaml")
    assert reply.status == 200, reply.body
    stored = raw.request("GET", path(group, name)).json()
    assert stored["spec"]["replicas"] == 6
    owned = [m for m in stored["metadata"]["managedFields"] if m["manager"] == "hpa"]
    assert owned and owned[0]["subresource"] == "scale" and owned[0]["operation"] == "Apply"
    assert owned[0]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}


def test_discovery_and_openapi_describe_the_scale_subresource(raw: RawClient, group: str) -> None:
    resources = raw.request("GET", f"/apis/{group}/v1").json()["resources"]
    scale = next(r for r in resources if r["name"] == "widgets/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    document = raw.request("GET", f"/openapi/v3/apis/{group}/v1").json()
    operation = document["paths"]["/apis/" + group + "/v1/namespaces/{namespace}/widgets/{name}/scale"]["put"]
    schema = operation["requestBody"]["content"]["*/*"]["schema"]
    assert schema == {"$ref": "#/components/schemas/io.k8s.api.autoscaling.v1.Scale"}
    assert "io.k8s.api.autoscaling.v1.Scale" in document["components"]["schemas"]


def test_kubectl_scales_a_custom_object(kubectl: Kubectl, raw: RawClient, group: str) -> None:
    obj = create(raw, group, {"replicas": 1})
    name = obj["metadata"]["name"]
    kubectl.run("scale", "--replicas=3", f"widgets.{group}/{name}", "-n", "default")
    assert raw.request("GET", path(group, name)).json()["spec"]["replicas"] == 3
    kubectl.run("scale", "--replicas=4", "--current-replicas=3", f"widgets.{group}/{name}", "-n", "default")
    assert raw.request("GET", path(group, name)).json()["spec"]["replicas"] == 4
    if kubectl.binary.name.endswith("1.33"):
        table = kubectl.run("get", f"widgets.{group}", name, "-n", "default", "--subresource=scale").stdout
        assert [line.split() for line in table.splitlines()] == [["NAME", "DESIRED", "AVAILABLE"], [name, "4", "0"]]
        scale = json.loads(kubectl.run("get", f"widgets.{group}", name, "-n", "default", "--subresource=scale",
                                       "-o", "json").stdout)
        assert (scale["kind"], scale["spec"]["replicas"]) == ("Scale", 4)


def test_a_protobuf_scale_is_accepted(raw: RawClient, group: str) -> None:
    """client-go's typed scale clients may send protobuf; the Scale message comes from the shipped descriptors."""
    obj = create(raw, group, {"replicas": 1})
    name = obj["metadata"]["name"]
    scale = body("autoscaling/v1", "Scale", "k8s.io.api.autoscaling.v1.Scale",
                 {"metadata": {"name": name, "namespace": "default"}, "spec": {"replicas": 7}})
    reply = raw.request("PUT", path(group, name, "scale"), scale, "application/vnd.kubernetes.protobuf")
    assert reply.status == 200, reply.body
    assert raw.request("GET", path(group, name)).json()["spec"]["replicas"] == 7
