"""ValidatingAdmissionPolicies and their bindings are defaulted and validated on write as kube does: every CEL
expression must compile (422 naming the field), and a binding's actions and paramRef must make sense."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.unit.server.admission.policy_server import BINDINGS, POLICIES, Server, binding, policy, running


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        yield started


def causes(reply: Any) -> list[tuple[str, str]]:
    assert reply.status == 422, reply.body
    return [(c["field"], c["reason"]) for c in reply.json()["details"]["causes"]]


async def test_a_policy_is_defaulted_as_kube_defaults_it(server: Server) -> None:
    created = await server.admin.create(POLICIES, policy("p", [{"expression": "true"}]))
    spec = created["spec"]
    assert spec["failurePolicy"] == "Fail"
    assert spec["matchConstraints"]["matchPolicy"] == "Equivalent"
    assert spec["matchConstraints"]["resourceRules"][0]["scope"] == "*"
    assert created["metadata"]["generation"] == 1


async def test_a_policy_without_spec_is_refused_for_what_it_lacks_not_for_defaults(server: Server) -> None:
    """The spec is a Go struct: absent, it is defaulted like any other (failurePolicy Fail), so the refusal names
    only what the user must supply."""
    reply = await server.admin.request("POST", POLICIES, {"apiVersion": "admissionregistration.k8s.io/v1",
                                                          "kind": "ValidatingAdmissionPolicy",
                                                          "metadata": {"name": "bare"}})
    assert reply.status == 422
    fields = [field for field, _ in causes(reply)]
    assert "spec.failurePolicy" not in fields and "spec.matchConstraints" in fields and "spec.validations" in fields


async def test_an_expression_that_does_not_compile_is_refused_with_its_field(server: Server) -> None:
    reply = await server.admin.request("POST", POLICIES, policy("p", [
        {"expression": "true"}, {"expression": "object.data +"}]))
    assert causes(reply) == [("spec.validations[1].expression", "FieldValueInvalid")]
    assert 'spec.validations[1].expression: Invalid value: "object.data +": compilation failed: ERROR: <input>:1:14: ' \
           "Syntax error" in reply.json()["message"]


@pytest.mark.parametrize(("field", "validation", "spec"), [
    ("spec.matchConditions[0].expression", {}, {"matchConditions": [{"name": "c", "expression": "("}]}),
    ("spec.variables[0].expression", {}, {"variables": [{"name": "v", "expression": "1 +"}]}),
    ("spec.validations[0].messageExpression", {"messageExpression": "'a' +"}, {}),
    ("spec.auditAnnotations[0].valueExpression", {}, {"auditAnnotations": [{"key": "k", "valueExpression": "["}]}),
])
async def test_every_kind_of_expression_is_compiled(server: Server, field: str, validation: dict[str, str],
                                                    spec: dict[str, Any]) -> None:
    obj = policy("p", [{"expression": "true", **validation}], **spec)
    assert causes(await server.admin.request("POST", POLICIES, obj)) == [(field, "FieldValueInvalid")]


async def test_a_policy_needs_rules_and_validations(server: Server) -> None:
    obj = policy("p", [], failurePolicy="Sometimes")
    obj["spec"]["matchConstraints"]["resourceRules"][0]["operations"] = ["PATCH"]
    reply = await server.admin.request("POST", POLICIES, obj)
    assert causes(reply) == [("spec.failurePolicy", "FieldValueNotSupported"),
                             ("spec.matchConstraints.resourceRules[0].operations[0]", "FieldValueNotSupported"),
                             ("spec.validations", "FieldValueRequired")]
    del obj["spec"]["matchConstraints"]
    assert ("spec.matchConstraints", "FieldValueRequired") in causes(await server.admin.request("POST", POLICIES, obj))


async def test_a_binding_needs_a_policy_name_and_consistent_actions(server: Server) -> None:
    reply = await server.admin.request("POST", BINDINGS, binding("b", "", ("Deny", "Warn", "Deny")))
    assert causes(reply) == [("spec.policyName", "FieldValueRequired"),
                             ("spec.validationActions[2]", "FieldValueDuplicate"),
                             ("spec.validationActions", "FieldValueInvalid")]
    reply = await server.admin.request("POST", BINDINGS, binding("b", "p", paramRef={"name": "x"}))
    assert causes(reply) == [("spec.paramRef.parameterNotFoundAction", "FieldValueRequired")]
    reply = await server.admin.request("POST", BINDINGS, binding("b", "p", paramRef={
        "name": "x", "selector": {}, "parameterNotFoundAction": "Allow"}))
    assert causes(reply) == [("spec.paramRef.name", "FieldValueForbidden")]


async def test_the_status_subresource_leaves_the_spec_alone(server: Server) -> None:
    created = await server.admin.create(POLICIES, policy("p", [{"expression": "true"}]))
    reply = await server.admin.patch(f"{POLICIES}/p/status", {"status": {"observedGeneration": 1},
                                                             "spec": {"failurePolicy": "Ignore"}})
    assert reply.status == 200, reply.body
    assert reply.json()["status"] == {"observedGeneration": 1}
    assert reply.json()["spec"] == created["spec"]
