"""A custom object is written as its CRD's schema says: unknown fields pruned (and refused with
fieldValidation=Strict, warned about with Warn), defaults applied on write and on read, every invalid field
and every failing CEL rule reported in one 422; a CRD with a non-structural schema or a rule that does not
compile is refused with kube's messages."""

from __future__ import annotations

import copy
from typing import Any

from tests.unit.server.asgi_client import AsgiClient
from tests.unit.server.customresources.test_crds_are_served_once_established import CRDS, established, until

WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"spec": {
        "type": "object",
        "required": ["size"],
        "x-kubernetes-validations": [{"rule": "self.min <= self.max", "message": "min must not exceed max"}],
        "properties": {
            "size": {"type": "integer", "minimum": 1},
            "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
            "min": {"type": "integer", "default": 0},
            "max": {"type": "integer", "default": 10},
        }}},
}


def widget_crd(schema: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "widgets", "kind": "Widget"},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema}}]}}


async def widgets(admin: AsgiClient) -> None:
    await admin.create(CRDS, widget_crd(SCHEMA))
    await established(admin, "widgets.example.com")
    await until(admin, WIDGETS, 200)


async def test_defaults_and_pruning_on_write(admin: AsgiClient) -> None:
    await widgets(admin)
    created = await admin.create(WIDGETS + "?fieldValidation=Ignore",
                                 {"metadata": {"name": "w"}, "spec": {"size": 2, "extra": True}, "other": 1})
    assert created["spec"] == {"size": 2, "color": "red", "min": 0, "max": 10}
    assert "other" not in created
    warned = await admin.request("POST", WIDGETS + "?fieldValidation=Warn",
                                 {"metadata": {"name": "w2"}, "spec": {"size": 2, "extra": True}})
    assert warned.status == 201 and '299 - "unknown field \\"spec.extra\\""' in warned.header_values("warning")
    strict = await admin.request("POST", WIDGETS + "?fieldValidation=Strict",
                                 {"metadata": {"name": "w3"}, "spec": {"size": 2, "extra": True}})
    assert (strict.status, strict.json()["message"]) == (
        400, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field '
             '"spec.extra"')


async def test_every_invalid_field_and_failing_rule_in_one_422(admin: AsgiClient) -> None:
    await widgets(admin)
    reply = await admin.request("POST", WIDGETS, {"metadata": {"name": "bad"},
                                                  "spec": {"size": 0, "color": "pink"}})
    assert reply.status == 422
    causes = {(c["field"], c["message"]) for c in reply.json()["details"]["causes"]}
    assert ("spec.size", "Invalid value: 0: spec.size in body should be greater than or equal to 1") in causes
    assert ("spec.color", 'Unsupported value: "pink": supported values: "red", "blue"') in causes
    rule = await admin.request("POST", WIDGETS, {"metadata": {"name": "rule"}, "spec": {"size": 1, "min": 5,
                                                                                      "max": 2}})
    assert rule.status == 422
    assert [(c["field"], c["message"]) for c in rule.json()["details"]["causes"]] == [
        ("spec", 'Invalid value: "object": min must not exceed max')]
    missing = await admin.request("POST", WIDGETS, {"metadata": {"name": "m"}, "spec": {}})
    assert ("spec.size", "Required value") in {(c["field"], c["message"])
                                               for c in missing.json()["details"]["causes"]}


async def test_a_non_structural_schema_or_a_bad_rule_refuses_the_crd(admin: AsgiClient) -> None:
    broken = copy.deepcopy(SCHEMA)
    del broken["properties"]["spec"]["properties"]["size"]["type"]
    reply = await admin.request("POST", CRDS, widget_crd(broken))
    assert reply.status == 422
    fields = {c["field"] for c in reply.json()["details"]["causes"]}
    assert "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type" in fields
    bad_rule = copy.deepcopy(SCHEMA)
    bad_rule["properties"]["spec"]["x-kubernetes-validations"] = [{"rule": "self.nope > 1"}]
    reply = await admin.request("POST", CRDS, widget_crd(bad_rule))
    assert reply.status == 422 and "compilation failed" in reply.json()["message"]
