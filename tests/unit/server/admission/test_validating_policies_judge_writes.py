"""ValidatingAdmissionPolicies, bound, judge the writes they match with CEL, and answer as kube-apiserver does:
the denial's wording, reason and code, Warn as a Warning header, params from the store, selectors, match
conditions, variables, and the failure policy on evaluation errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.unit.server.admission.policy_server import BINDINGS, POLICIES, Server, binding, configmap, policy, running

CMS = "/api/v1/namespaces/a/configmaps"
MAX_TWO = [{"expression": "size(object.data) <= 2"}]
THREE_KEYS = {"a": "1", "b": "2", "c": "3"}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with running() as started:
        await started.admin.create("/api/v1/namespaces", {"metadata": {"name": "a", "labels": {"env": "test"}}})
        await started.admin.create("/api/v1/namespaces", {"metadata": {"name": "b"}})
        yield started


async def test_a_denied_write_reads_as_kube_with_reason_invalid(server: Server) -> None:
    await server.enforce(POLICIES, policy("max-keys", MAX_TWO))
    await server.enforce(BINDINGS, binding("max-keys-binding", "max-keys"))
    reply = await server.admin.request("POST", CMS, configmap("big", THREE_KEYS))
    assert reply.status == 422
    denial = ("ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-binding' denied request: "
              "failed expression: size(object.data) <= 2")
    assert reply.json()["message"] == f'configmaps "big" is forbidden: {denial}'
    assert reply.json()["reason"] == "Invalid"
    assert reply.json()["details"]["causes"] == [{"message": denial}]
    assert (await server.admin.request("POST", CMS, configmap("small", {"a": "1"}))).status == 201


async def test_a_policy_without_binding_enforces_nothing(server: Server) -> None:
    await server.enforce(POLICIES, policy("max-keys", MAX_TWO))
    assert (await server.admin.request("POST", CMS, configmap("big", THREE_KEYS))).status == 201


@pytest.mark.parametrize(("reason", "code"), [("Forbidden", 403), ("RequestEntityTooLarge", 413),
                                              ("Unauthorized", 401)])
async def test_the_validation_reason_sets_the_code(server: Server, reason: str, code: int) -> None:
    await server.enforce(POLICIES, policy("p", [{"expression": "false", "message": "never", "reason": reason}]))
    await server.enforce(BINDINGS, binding("b", "p"))
    reply = await server.admin.request("POST", CMS, configmap("x"))
    assert (reply.status, reply.json()["reason"]) == (code, reason)
    assert reply.json()["message"].endswith("denied request: never")


async def test_message_expression_words_the_denial_before_the_message(server: Server) -> None:
    await server.enforce(POLICIES, policy("p", [
        {"expression": "size(object.data) <= 2", "message": "unused",
         "messageExpression": "'too many keys: ' + string(size(object.data))"},
        {"expression": "false", "message": "blank expression message", "messageExpression": "' '"}]))
    await server.enforce(BINDINGS, binding("b", "p", ("Warn",)))
    reply = await server.admin.request("POST", CMS, configmap("x", THREE_KEYS))
    prefix = "299 - \"Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': "
    assert reply.header_values("warning") == [f'{prefix}too many keys: 3"', f'{prefix}blank expression message"']


async def test_warn_admits_with_a_warning_header(server: Server) -> None:
    await server.enforce(POLICIES, policy("p", MAX_TWO))
    await server.enforce(BINDINGS, binding("b", "p", ("Warn", "Audit")))
    reply = await server.admin.request("POST", CMS, configmap("x", THREE_KEYS))
    assert reply.status == 201
    assert reply.header_values("warning") == [
        "299 - \"Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': failed expression: "
        "size(object.data) <= 2\""]


async def test_audit_alone_admits_silently(server: Server) -> None:
    await server.enforce(POLICIES, policy("p", MAX_TWO))
    await server.enforce(BINDINGS, binding("b", "p", ("Audit",)))
    reply = await server.admin.request("POST", CMS, configmap("x", THREE_KEYS))
    assert (reply.status, reply.header_values("warning")) == (201, [])


async def test_params_come_from_the_configmap_the_binding_names(server: Server) -> None:
    await server.admin.create(CMS, configmap("limits", {"max": "1"}))
    await server.enforce(POLICIES, policy(
        "p", [{"expression": "size(object.data) <= int(params.data.max)"}],
        paramKind={"apiVersion": "v1", "kind": "ConfigMap"},
        matchConstraints={"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                             "resources": ["configmaps"]}],
                          "objectSelector": {"matchLabels": {"checked": "yes"}}}))
    await server.enforce(BINDINGS, binding("b", "p", paramRef={
        "name": "limits", "namespace": "a", "parameterNotFoundAction": "Deny"}))
    checked = {"labels": {"checked": "yes"}}
    assert (await server.admin.request("POST", CMS, configmap("one", {"a": "1"}, **checked))).status == 201
    assert (await server.admin.request("POST", CMS, configmap("two", {"a": "1", "b": "2"}, **checked))).status == 422
    assert (await server.admin.request("POST", CMS, configmap("unchecked", THREE_KEYS))).status == 201


async def test_params_not_found_deny_or_allow_as_the_binding_says(server: Server) -> None:
    await server.enforce(POLICIES, policy("p", [{"expression": "true"}],
                                          paramKind={"apiVersion": "v1", "kind": "ConfigMap"}))
    await server.enforce(BINDINGS, binding("deny-missing", "p", paramRef={
        "name": "absent", "parameterNotFoundAction": "Deny"}))
    reply = await server.admin.request("POST", CMS, configmap("x"))
    assert reply.status == 422
    assert reply.json()["message"].endswith(
        "ValidatingAdmissionPolicy 'p' with binding 'deny-missing' denied request: failed to configure binding: "
        "no params found for policy binding with `Deny` parameterNotFoundAction")
    await server.admin.request("DELETE", f"{BINDINGS}/deny-missing")
    await server.enforce(BINDINGS, binding("allow-missing", "p", paramRef={
        "name": "absent", "parameterNotFoundAction": "Allow"}))
    assert (await server.admin.request("POST", CMS, configmap("y"))).status == 201


async def test_a_param_selector_checks_every_selected_param(server: Server) -> None:
    await server.admin.create(CMS, configmap("forbid-a", {"key": "a"}, labels={"rule": "forbidden-key"}))
    await server.admin.create(CMS, configmap("forbid-b", {"key": "b"}, labels={"rule": "forbidden-key"}))
    await server.enforce(POLICIES, policy("p", [{"expression": "!(params.data.key in object.data)"}],
                                          paramKind={"apiVersion": "v1", "kind": "ConfigMap"}))
    await server.enforce(BINDINGS, binding("b", "p", paramRef={
        "selector": {"matchLabels": {"rule": "forbidden-key"}}, "parameterNotFoundAction": "Allow"}))
    assert (await server.admin.request("POST", CMS, configmap("has-b", {"b": "1"}))).status == 422
    assert (await server.admin.request("POST", CMS, configmap("has-c", {"c": "1"}))).status == 201


async def test_the_bindings_namespace_selector_narrows_the_policy(server: Server) -> None:
    await server.enforce(POLICIES, policy("p", MAX_TWO))
    await server.enforce(BINDINGS, binding("b", "p", matchResources={
        "namespaceSelector": {"matchLabels": {"env": "test"}}}))
    assert (await server.admin.request("POST", CMS, configmap("x", THREE_KEYS))).status == 422
    assert (await server.admin.request("POST", "/api/v1/namespaces/b/configmaps",
                                       configmap("x", THREE_KEYS))).status == 201


async def test_match_conditions_and_variables_feed_the_validations(server: Server) -> None:
    await server.enforce(POLICIES, policy(
        "p", [{"expression": "variables.keys <= 1", "messageExpression": "'user ' + request.userInfo.username"}],
        matchConditions=[{"name": "not-exempt", "expression": "!has(object.metadata.labels) || "
                                                              "!('exempt' in object.metadata.labels)"}],
        variables=[{"name": "data", "expression": "object.data"},
                   {"name": "keys", "expression": "size(variables.data) + (variables.data.a == '1' ? 0 : 10)"}]))
    await server.enforce(BINDINGS, binding("b", "p"))
    reply = await server.admin.request("POST", CMS, configmap("x", {"a": "1", "b": "2"}))
    assert reply.json()["message"].endswith("denied request: user unit-admin")
    exempt = configmap("y", {"a": "1", "b": "2"}, labels={"exempt": "true"})
    assert (await server.admin.request("POST", CMS, exempt)).status == 201


async def test_an_evaluation_error_fails_closed_or_is_ignored(server: Server) -> None:
    await server.enforce(POLICIES, policy("strict", [{"expression": "object.data.missing == 'x'"}]))
    await server.enforce(BINDINGS, binding("strict-b", "strict"))
    reply = await server.admin.request("POST", CMS, configmap("x"))
    assert reply.status == 422
    assert reply.json()["message"].endswith(
        "denied request: expression 'object.data.missing == 'x'' resulted in error: no such key: missing")
    await server.admin.request("DELETE", f"{BINDINGS}/strict-b")
    await server.enforce(POLICIES, policy("lenient", [{"expression": "object.data.missing == 'x'"}],
                                          failurePolicy="Ignore"))
    await server.enforce(BINDINGS, binding("lenient-b", "lenient"))
    assert (await server.admin.request("POST", CMS, configmap("y"))).status == 201


async def test_updates_see_the_old_object_and_deletes_can_be_matched(server: Server) -> None:
    await server.admin.create(CMS, configmap("kept", {"a": "1"}))
    rules = [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["UPDATE", "DELETE"],
              "resources": ["configmaps"], "resourceNames": ["kept"]}]
    await server.enforce(POLICIES, policy("p", [
        {"expression": "request.operation != 'DELETE'", "message": "kept may not be deleted"},
        {"expression": "request.operation == 'DELETE' || object.data.a == oldObject.data.a",
         "message": "a is immutable"}], matchConstraints={"resourceRules": rules}))
    await server.enforce(BINDINGS, binding("b", "p"))
    reply = await server.admin.patch(f"{CMS}/kept", {"data": {"a": "2"}})
    assert reply.json()["message"].endswith("denied request: a is immutable")
    assert (await server.admin.patch(f"{CMS}/kept", {"data": {"b": "2"}})).status == 200
    reply = await server.admin.request("DELETE", f"{CMS}/kept")
    assert reply.json()["message"].endswith("denied request: kept may not be deleted")


async def test_policies_and_bindings_are_not_judged_by_policies(server: Server) -> None:
    everything = [{"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"]}]
    await server.enforce(POLICIES, policy("deny-all", [{"expression": "false"}],
                                          matchConstraints={"resourceRules": everything}))
    await server.enforce(BINDINGS, binding("deny-all", "deny-all"))
    assert (await server.admin.request("POST", CMS, configmap("x"))).status == 422
    assert (await server.admin.request("DELETE", f"{BINDINGS}/deny-all")).status == 200


async def test_a_false_match_condition_outweighs_a_failing_one(server: Server) -> None:
    conditions = [{"name": "fails", "expression": "object.data.missing == 'x'"},
                  {"name": "false", "expression": "object.metadata.name == 'judged'"}]
    await server.enforce(POLICIES, policy("p", [{"expression": "false", "message": "judged"}],
                                          matchConditions=conditions))
    await server.enforce(BINDINGS, binding("b", "p"))
    assert (await server.admin.request("POST", CMS, configmap("skipped"))).status == 201
    reply = await server.admin.request("POST", CMS, configmap("judged"))
    assert reply.json()["message"].endswith(
        "denied request: failed to evaluate matchConditions for policy p: no such key: missing")


async def test_a_binding_without_param_ref_evaluates_with_null_params(server: Server) -> None:
    await server.enforce(POLICIES, policy("p", [{"expression": "params == null", "message": "params set"}],
                                          paramKind={"apiVersion": "v1", "kind": "ConfigMap"}))
    await server.enforce(BINDINGS, binding("b", "p"))
    assert (await server.admin.request("POST", CMS, configmap("x"))).status == 201
