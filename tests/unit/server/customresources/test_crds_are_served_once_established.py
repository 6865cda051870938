"""A CustomResourceDefinition written to the assembled server is named, established and served: its objects
can be created, read at every served version, listed and deleted; discovery and OpenAPI list it; a second CRD
asking for names already in use is refused them with kube's reason; and a deleted CRD stops being served."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from tests.unit.server.asgi_client import WAIT_SECONDS, AsgiClient

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
CRONTABS = "/apis/stable.example.com/v1/namespaces/default/crontabs"
SCHEMA = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "cronSpec": {"type": "string"}, "replicas": {"type": "integer"}}}}}


def crontab_crd(name: str = "crontabs.stable.example.com", plural: str = "crontabs",
                kind: str = "CronTab") -> dict[str, Any]:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": name},
            "spec": {"group": "stable.example.com", "scope": "Namespaced",
                     "names": {"plural": plural, "kind": kind, "shortNames": ["ct"]},
                     "versions": [
                         {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": SCHEMA},
                          "subresources": {"status": {}},
                          "additionalPrinterColumns": [{"name": "Spec", "type": "string",
                                                        "jsonPath": ".spec.cronSpec"}]},
                         {"name": "v1beta1", "served": True, "storage": False,
                          "schema": {"openAPIV3Schema": SCHEMA}}]}}


async def until(admin: AsgiClient, path: str, status: int) -> Any:
    """Poll ``path`` until it answers ``status`` (the controllers work asynchronously)."""
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            reply = await admin.get(path)
            if reply.status == status:
                return reply.json()
            await asyncio.sleep(0.005)


async def established(admin: AsgiClient, name: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            crd = (await admin.get(f"{CRDS}/{name}")).json()
            conditions = {c["type"]: c for c in crd.get("status", {}).get("conditions", [])}
            if "NamesAccepted" in conditions and ("Established" in conditions
                                                  or conditions["NamesAccepted"]["status"] == "False"):
                result: dict[str, Any] = crd
                return result
            await asyncio.sleep(0.005)


async def test_a_crd_is_established_and_its_objects_are_served(admin: AsgiClient) -> None:
    created = await admin.create(CRDS, crontab_crd())
    assert created["status"] == {"acceptedNames": {"plural": "", "kind": ""}, "storedVersions": ["v1"]}
    assert created["spec"]["names"]["singular"] == "crontab" and created["spec"]["names"]["listKind"] == \
        "CronTabList"
    crd = await established(admin, "crontabs.stable.example.com")
    conditions = {c["type"]: (c["status"], c["reason"]) for c in crd["status"]["conditions"]}
    assert conditions == {"NamesAccepted": ("True", "NoConflicts"), "Established": ("True", "InitialNamesAccepted")}
    assert crd["status"]["acceptedNames"]["shortNames"] == ["ct"]

    await until(admin, CRONTABS, 200)
    obj = await admin.create(CRONTABS, {"apiVersion": "stable.example.com/v1", "kind": "CronTab",
                                        "metadata": {"name": "c1"}, "spec": {"cronSpec": "* * * * *"},
                                        "status": {"ignored": True}})
    assert obj["metadata"]["generation"] == 1 and "status" not in obj  # the status subresource owns status
    beta = (await admin.get("/apis/stable.example.com/v1beta1/namespaces/default/crontabs/c1")).json()
    assert beta["apiVersion"] == "stable.example.com/v1beta1" and beta["spec"] == obj["spec"]
    listed = (await admin.get(CRONTABS)).json()
    assert (listed["kind"], [i["metadata"]["name"] for i in listed["items"]]) == ("CronTabList", ["c1"])
    table = (await admin.get(CRONTABS, headers={"accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})).json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Spec"]
    assert [r["cells"] for r in table["rows"]] == [["c1", "* * * * *"]]
    beta_table = (await admin.get("/apis/stable.example.com/v1beta1/namespaces/default/crontabs",
                                  headers={"accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})).json()
    assert [c["name"] for c in beta_table["columnDefinitions"]] == ["Name", "Age"]
    assert (await admin.request("DELETE", f"{CRONTABS}/c1")).status == 200


async def test_discovery_and_openapi_follow_the_crd(admin: AsgiClient) -> None:
    await admin.create(CRDS, crontab_crd())
    await established(admin, "crontabs.stable.example.com")
    resources = await until(admin, "/apis/stable.example.com/v1", 200)
    crontabs = next(r for r in resources["resources"] if r["name"] == "crontabs")
    assert (crontabs["kind"], crontabs["namespaced"], crontabs["shortNames"]) == ("CronTab", True, ["ct"])
    assert any(r["name"] == "crontabs/status" for r in resources["resources"])
    groups = (await admin.get("/apis")).json()
    assert "stable.example.com" in {g["name"] for g in groups["groups"]}
    v3 = (await admin.get("/openapi/v3/apis/stable.example.com/v1")).json()
    schema = v3["components"]["schemas"]["com.example.stable.v1.CronTab"]
    assert schema["properties"]["spec"]["properties"]["replicas"] == {"type": "integer"}
    assert schema["x-kubernetes-group-version-kind"] == [{"group": "stable.example.com", "kind": "CronTab",
                                                          "version": "v1"}]


async def test_names_in_use_are_refused_with_kubes_reason(admin: AsgiClient) -> None:
    await admin.create(CRDS, crontab_crd())
    await established(admin, "crontabs.stable.example.com")
    await admin.create(CRDS, crontab_crd("crontabz.stable.example.com", plural="crontabz", kind="CronTabz"))
    second = await established(admin, "crontabz.stable.example.com")
    conditions = {c["type"]: (c["status"], c["reason"], c["message"]) for c in second["status"]["conditions"]}
    assert conditions == {"NamesAccepted": ("False", "ShortNamesConflict", '"ct" is already in use')}
    assert (await admin.get("/apis/stable.example.com/v1/namespaces/default/crontabz")).status == 404


async def test_a_deleted_crd_takes_its_objects_and_stops_being_served(admin: AsgiClient) -> None:
    """DELETE marks the CRD Terminating with kube's finalizer; its objects are deleted (one held by its own
    finalizer keeps the CRD until released); creates are refused meanwhile; then the CRD and its URLs go."""
    await admin.create(CRDS, crontab_crd())
    await established(admin, "crontabs.stable.example.com")
    await until(admin, CRONTABS, 200)
    await admin.create("/api/v1/namespaces", {"metadata": {"name": "other"}})
    await admin.create(CRONTABS, {"metadata": {"name": "free"}})
    await admin.create("/apis/stable.example.com/v1/namespaces/other/crontabs",
                       {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}})
    marked = await admin.request("DELETE", f"{CRDS}/crontabs.stable.example.com")
    crd = marked.json()
    assert marked.status == 200 and crd["metadata"]["deletionTimestamp"]
    assert "customresourcecleanup.apiextensions.k8s.io" in crd["metadata"]["finalizers"]
    await until(admin, f"{CRONTABS}/free", 404)
    held = "/apis/stable.example.com/v1/namespaces/other/crontabs/held"
    assert (await admin.get(held)).json()["metadata"]["deletionTimestamp"]
    refused = await admin.request("POST", CRONTABS, {"metadata": {"name": "late"}})
    assert (refused.status, refused.json()["message"]) == (
        405, "create not allowed while custom resource definition is terminating")
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            conditions = {c["type"]: c["reason"] for c in
                          (await admin.get(f"{CRDS}/crontabs.stable.example.com")).json()["status"]["conditions"]}
            if conditions.get("Terminating") == "InstanceDeletionInProgress":
                break
            await asyncio.sleep(0.005)
    assert (await admin.patch(held, {"metadata": {"finalizers": None}})).status == 200
    await until(admin, f"{CRDS}/crontabs.stable.example.com", 404)
    await until(admin, CRONTABS, 404)
    assert "stable.example.com" not in {g["name"] for g in (await admin.get("/apis")).json()["groups"]}


async def test_an_invalid_crd_is_refused_with_every_problem(admin: AsgiClient) -> None:
    crd = copy.deepcopy(crontab_crd("wrong.stable.example.com"))
    crd["spec"]["versions"][1]["storage"] = True
    crd["spec"]["scope"] = "Global"
    del crd["spec"]["versions"][0]["schema"]
    reply = await admin.request("POST", CRDS, crd)
    status = reply.json()
    assert (reply.status, status["reason"]) == (422, "Invalid")
    causes = {(c["field"], c["message"]) for c in status["details"]["causes"]}
    assert ("metadata.name", 'Invalid value: "wrong.stable.example.com": must be spec.names.plural+"."+spec.group') \
        in causes
    assert ("spec.scope", 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"') in causes
    assert ("spec.versions[0].schema.openAPIV3Schema", "Required value: schemas are required") in causes
    assert any(field == "spec.versions" and message.endswith("must have exactly one version marked as storage "
                                                             "version") for field, message in causes)
