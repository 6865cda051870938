"""Admission policies on a real server with kubectl: a ValidatingAdmissionPolicy and its binding from kube's
documentation (adapted to ConfigMaps) deny with kube's message, only in the namespaces the binding selects; a
Warn binding admits with a kubectl warning; a paramRef reads its limit from a ConfigMap; and
OwnerReferencesPermissionEnforcement refuses a user without ``delete`` who sets an owner reference.

Policies take effect a moment after they are written (the server follows its store as kube's informers do), so
each test waits for the first refusal with server-side dry runs, which leave nothing behind."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import yaml

from tests.integration.conftest import Kubectl
from tests.integration.server import ServerProcess, serving
from tests.integration.test_rbac import as_user, eventually_allowed

pytestmark = pytest.mark.integration

TOKENS = "alice-token,alice,alice\n"
WAIT_SECONDS = 30.0
V1 = "admissionregistration.k8s.io/v1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with serving(tmp_path_factory.mktemp("gitplane"), tokens=TOKENS) as proc:
        yield proc


def apply(kubectl: Kubectl, *objects: dict[str, object]) -> None:
    kubectl.run("apply", "-f", "-", input=yaml.safe_dump_all(objects))


def namespace(name: str, **labels: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def configmap_rules(*operations: str) -> dict[str, object]:
    return {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": list(operations),
                               "resources": ["configmaps"]}]}


def create_configmap(kubectl: Kubectl, name: str, ns: str, keys: int) -> tuple[int, str]:
    """``kubectl create -f`` of a ConfigMap with ``keys`` keys, as a server-side dry run."""
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns},
           "data": {f"k{i}": "v" for i in range(keys)}}
    result = kubectl.run("create", "-f", "-", "--dry-run=server", input=json.dumps(obj), check=False)
    return result.returncode, result.stderr


def first_refusal(kubectl: Kubectl, name: str, ns: str, keys: int) -> str:
    """The stderr of the first refused create, once the server enforces the policy just applied."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        code, err = create_configmap(kubectl, name, ns, keys)
        if code != 0:
            return err
        assert time.monotonic() < deadline, "the policy never took effect"


def test_a_policy_from_kubes_docs_denies_with_kubes_message(kubectl: Kubectl) -> None:
    apply(kubectl, namespace("vap-test", environment="test"), namespace("vap-prod", environment="prod"),
          {"apiVersion": V1, "kind": "ValidatingAdmissionPolicy", "metadata": {"name": "demo-policy.example.com"},
           "spec": {"failurePolicy": "Fail", "matchConstraints": configmap_rules("CREATE", "UPDATE"),
                    "validations": [{"expression": "size(object.data) <= 5"}]}},
          {"apiVersion": V1, "kind": "ValidatingAdmissionPolicyBinding",
           "metadata": {"name": "demo-binding-test.example.com"},
           "spec": {"policyName": "demo-policy.example.com", "validationActions": ["Deny"],
                    "matchResources": {"namespaceSelector": {"matchLabels": {"environment": "test"}}}}})
    err = first_refusal(kubectl, "big", "vap-test", 6)
    assert err.strip() == (  # kube's documentation shows this line for its Deployment example
        'The configmaps "big" is invalid: : ValidatingAdmissionPolicy \'demo-policy.example.com\' with binding '
        "'demo-binding-test.example.com' denied request: failed expression: size(object.data) <= 5")
    assert create_configmap(kubectl, "small", "vap-test", 5)[0] == 0
    assert create_configmap(kubectl, "big", "vap-prod", 6)[0] == 0  # outside the binding's namespaces


def test_a_warn_binding_admits_with_a_kubectl_warning(kubectl: Kubectl) -> None:
    apply(kubectl, namespace("vap-warn"),
          {"apiVersion": V1, "kind": "ValidatingAdmissionPolicy", "metadata": {"name": "named-settings"},
           "spec": {"matchConstraints": configmap_rules("CREATE"),
                    "matchConditions": [{"name": "in-vap-warn", "expression": "request.namespace == 'vap-warn'"}],
                    "validations": [{"expression": "object.metadata.name.startsWith('settings-')",
                                     "messageExpression": "'name ' + object.metadata.name + ' lacks the prefix'"}]}},
          {"apiVersion": V1, "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": "named-settings"},
           "spec": {"policyName": "named-settings", "validationActions": ["Warn"]}})
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        code, err = create_configmap(kubectl, "plain", "vap-warn", 1)
        assert code == 0, err
        if "Warning:" in err:
            break
        assert time.monotonic() < deadline, "the policy never took effect"
    assert err.strip() == ("Warning: Validation failed for ValidatingAdmissionPolicy 'named-settings' with binding "
                           "'named-settings': name plain lacks the prefix")


def test_a_param_configmap_sets_the_limit(kubectl: Kubectl) -> None:
    apply(kubectl, namespace("vap-params"),
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "limits", "namespace": "vap-params"},
           "data": {"maxKeys": "2"}},
          {"apiVersion": V1, "kind": "ValidatingAdmissionPolicy", "metadata": {"name": "max-keys"},
           "spec": {"paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
                    "matchConstraints": {**configmap_rules("CREATE"), "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "vap-params"}}},
                    "validations": [{"expression": "size(object.data) <= int(params.data.maxKeys)",
                                     "reason": "Forbidden", "message": "too many keys"}]}},
          {"apiVersion": V1, "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": "max-keys"},
           "spec": {"policyName": "max-keys", "validationActions": ["Deny"],
                    "paramRef": {"name": "limits", "namespace": "vap-params", "parameterNotFoundAction": "Deny"}}})
    err = first_refusal(kubectl, "three", "vap-params", 3)
    assert err.strip() == ('Error from server (Forbidden): error when creating "STDIN": configmaps "three" is '
                           "forbidden: ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys' denied request: "
                           "too many keys")
    assert create_configmap(kubectl, "two", "vap-params", 2)[0] == 0


def test_an_invalid_expression_is_refused_on_write(kubectl: Kubectl) -> None:
    policy = {"apiVersion": V1, "kind": "ValidatingAdmissionPolicy", "metadata": {"name": "broken"},
              "spec": {"matchConstraints": configmap_rules("CREATE"), "validations": [{"expression": "object.("}]}}
    result = kubectl.run("apply", "-f", "-", input=json.dumps(policy), check=False)
    assert result.returncode != 0
    assert 'spec.validations[0].expression: Invalid value: "object.(": compilation failed: ERROR:' in result.stderr


def test_setting_an_owner_reference_needs_delete(kubectl: Kubectl, server: ServerProcess) -> None:
    apply(kubectl, namespace("owners"),
          {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
           "metadata": {"name": "cm-writer", "namespace": "owners"},
           "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "create", "patch"]}]},
          {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
           "metadata": {"name": "alice-writes", "namespace": "owners"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cm-writer"},
           "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"}]},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner", "namespace": "owners"}})
    dependent = f"dependent-{kubectl.binary.suffix.lstrip('.').replace('.', '-')}"
    eventually_allowed(kubectl, server, "alice", "create", "configmap", dependent, "-n", "owners")
    uid = kubectl.run("get", "cm", "owner", "-n", "owners", "-o", "jsonpath={.metadata.uid}").stdout
    patch = json.dumps({"metadata": {"ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}})
    code, _, err = as_user(kubectl, server, "alice", "patch", "cm", dependent, "-n", "owners", "--type=merge",
                           "-p", patch)
    assert code != 0
    assert err.strip() == (f'Error from server (Forbidden): configmaps "{dependent}" is forbidden: cannot set an '
                           "ownerRef on a resource you can't delete: , <nil>")
    kubectl.run("patch", "cm", dependent, "-n", "owners", "--type=merge", "-p", patch)  # the admin may


def test_kubectl_get_prints_kubes_columns(kubectl: Kubectl) -> None:
    policies = kubectl.run("get", "validatingadmissionpolicies", "max-keys", "demo-policy.example.com").stdout
    assert [line.split()[:3] for line in policies.splitlines()] == [
        ["NAME", "VALIDATIONS", "PARAMKIND"], ["max-keys", "1", "v1/ConfigMap"],
        ["demo-policy.example.com", "1", "<unset>"]]
    bindings = kubectl.run("get", "validatingadmissionpolicybindings", "max-keys", "named-settings").stdout
    assert [line.split()[:3] for line in bindings.splitlines()] == [
        ["NAME", "POLICYNAME", "PARAMREF"], ["max-keys", "max-keys", "vap-params/limits"],
        ["named-settings", "named-settings", "<unset>"]]
