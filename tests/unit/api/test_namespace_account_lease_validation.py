"""Namespaces, ServiceAccounts and Leases are validated with kube's rules and messages."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import errors
from gitplane.api.validation import lease, namespace, serviceaccount


def _messages(found: list[errors.FieldError]) -> list[str]:
    return [str(error) for error in found]


def test_namespace_names_are_dns_labels() -> None:
    """A namespace name may not contain dots."""
    assert namespace.validate({"metadata": {"name": "team-a"}}) == []
    assert _messages(namespace.validate({"metadata": {"name": "team.a"}})) == [
        'metadata.name: Invalid value: "team.a": must not contain dots']


def test_namespace_spec_finalizers() -> None:
    """Spec finalizers are qualified names and, unprefixed, kube's own (reported without index)."""
    found = namespace.validate({"metadata": {"name": "n"}, "spec": {"finalizers": ["kubernetes", "mine"]}})
    assert _messages(found) == ['spec.finalizers: Invalid value: "mine": '
                                "name is neither a standard finalizer name nor is it fully qualified"]


def test_namespace_finalize_update_indexes_finalizers() -> None:
    """The finalize subresource reports finalizers by index."""
    old = {"metadata": {"name": "n", "resourceVersion": "1"}, "spec": {"finalizers": ["kubernetes"]}}
    new = {**old, "spec": {"finalizers": ["mine"]}}
    assert _messages(namespace.validate_finalize_update(new, old)) == [
        'spec.finalizers[0]: Invalid value: "mine": '
        "name is neither a standard finalizer name nor is it fully qualified"]


@pytest.mark.parametrize(("deleting", "phase", "messages"), [
    pytest.param(False, "Active", [], id="active"),
    pytest.param(False, "Terminating",
                 ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` "
                  "is "
                  "empty"], id="terminating-too-early"),
    pytest.param(True, "Terminating", [], id="terminating"),
    pytest.param(True, "Active",
                 ["status.Phase: Invalid value: \"Active\": may only be 'Terminating' if `deletionTimestamp` "
                  "is "
                  "not empty"], id="active-while-deleting"),
])
def test_namespace_status_phase_follows_deletion(deleting: bool, phase: str, messages: list[str]) -> None:
    """The phase must agree with the deletion timestamp."""
    meta: dict[str, Any] = {"name": "n", "resourceVersion": "1"}
    if deleting:
        meta["deletionTimestamp"] = "2024-05-01T00:00:00Z"
    obj = {"metadata": meta, "status": {"phase": phase}}
    assert _messages(namespace.validate_status_update(obj, obj)) == messages


def test_namespace_update_checks_metadata_and_spec() -> None:
    """A namespace update runs the create rules and the metadata update rules."""
    old = {"metadata": {"name": "n", "resourceVersion": "1"}}
    assert _messages(namespace.validate_update({"metadata": {"name": "m", "resourceVersion": "1"}}, old)) == [
        'metadata.name: Invalid value: "m": field is immutable']


def test_service_accounts_need_a_namespace_and_a_subdomain_name() -> None:
    """ServiceAccounts validate only their metadata."""
    assert serviceaccount.validate({"metadata": {"name": "builder", "namespace": "ci"},
                                    "secrets": [{"name": "x"}]}) == []
    assert _messages(serviceaccount.validate({"metadata": {"name": "builder"}})) == [
        "metadata.namespace: Required value"]
    old = {"metadata": {"name": "b", "namespace": "ci", "resourceVersion": "1", "uid": "u"}}
    assert _messages(serviceaccount.validate_update({"metadata": {**old["metadata"], "uid": "v"}}, old)) == [
        'metadata.uid: Invalid value: "v": field is immutable']


@pytest.mark.parametrize(("spec", "messages"), [
    pytest.param({"holderIdentity": "a", "leaseDurationSeconds": 15, "leaseTransitions": 0,
                  "renewTime": "2024-05-01T00:00:00.000000Z"}, [], id="valid"),
    pytest.param({"leaseDurationSeconds": 0},
                 ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"], id="zero-duration"),
    pytest.param({"leaseTransitions": -1},
                 ["spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"],
                 id="negative-transitions"),
])
def test_lease_spec(spec: dict[str, Any], messages: list[str]) -> None:
    """Lease durations are positive and transitions not negative, on create and update."""
    obj = {"metadata": {"name": "l", "namespace": "kube-node-lease", "resourceVersion": "1"}, "spec": spec}
    assert _messages(lease.validate(obj)) == messages
    assert _messages(lease.validate_update(obj, obj)) == messages


def test_lease_finalizers_need_no_kube_prefix() -> None:
    """Leases use the generic metadata rules, without the core group's finalizer check."""
    obj = {"metadata": {"name": "l", "namespace": "n", "finalizers": ["mine"]}}
    assert lease.validate(obj) == []
