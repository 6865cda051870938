"""Events are validated leniently through core/v1 and strictly through events.k8s.io/v1, as kube does."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import errors
from gitplane.api.validation import event

META = {"name": "e1", "namespace": "default", "resourceVersion": "3"}
NEW_STYLE = {
    "metadata": META, "regarding": {"kind": "Pod", "namespace": "default", "name": "web"},
    "eventTime": "2024-05-01T11:00:00.000000Z", "reportingController": "example.com/controller",
    "reportingInstance": "controller-1", "action": "Scale", "reason": "Scaled", "type": "Normal",
    "note": "scaled up",
}


def _messages(found: list[errors.FieldError]) -> list[str]:
    return [str(error) for error in found]


@pytest.mark.parametrize(("body", "messages"), [
    pytest.param({"involvedObject": {"namespace": "default"}}, [], id="same-namespace"),
    pytest.param({"involvedObject": {}}, [], id="cluster-object-in-default"),
    pytest.param({"involvedObject": {"namespace": "other"}},
                 ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
                 id="different-namespace"),
    pytest.param({"involvedObject": {}, "eventTime": "2024-05-01T11:00:00.000000Z"},
                 ["reportingController: Required value",
                  'reportingController: Invalid value: "": name part must be non-empty',
                  "reportingController: Invalid value: \"\": name part must consist of alphanumeric "
                  "characters, "
                  "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  "
                  "or "
                  "'my.name',  or '123-abc', regex used for validation is "
                  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                  "reportingInstance: Required value", "action: Required value", "reason: Required value"],
                 id="new-style-needs-reporter"),
    pytest.param({"involvedObject": {}, "eventTime": "2024-05-01T11:00:00.000000Z",
                  "reportingComponent": "kubelet", "reportingInstance": "n" * 129, "action": "a",
                  "reason": "r",
                  "message": "m" * 1025},
                 ['reportingInstance: Invalid value: "": can have at most 128 characters',
                  'message: Invalid value: "": can have at most 1024 characters'], id="length-limits"),
])
def test_core_events_pass_the_legacy_rules(body: dict[str, Any], messages: list[str]) -> None:
    """core/v1 events: namespaces agree; new-style events name reporter, action and reason."""
    assert _messages(event.validate({"metadata": META, **body})) == messages


def test_core_event_updates_check_only_the_new_event() -> None:
    """A core/v1 update runs the legacy rules on the new event and nothing else."""
    old = {"metadata": META, "involvedObject": {"namespace": "default"}, "reason": "A"}
    assert event.validate_update({**old, "reason": "B"}, old) == []


def test_events_v1_strict_rules() -> None:
    """events.k8s.io/v1 creates need eventTime and a known type and leave the deprecated fields unset."""
    assert event.validate_v1(NEW_STYLE) == []
    bad = {**NEW_STYLE, "eventTime": None, "type": "Fatal", "deprecatedCount": 2,
           "deprecatedSource": {"component": "x"}, "series": {"count": 1},
           "metadata": {**META, "name": "Bad_Name"}}
    messages = _messages(event.validate_v1(bad))
    assert messages[0] == 'metadata.name: Invalid value: "Bad_Name": ' + messages[0].split(": ", 3)[3]
    assert messages[1:] == [
        'series.count: Invalid value: "": should be at least 2',
        "series.lastObservedTime: Required value",
        "eventTime: Required value",
        'type: Invalid value: "": has invalid value: Fatal',
        'count: Invalid value: "": needs to be unset',
        'source: Invalid value: "": needs to be unset',
    ]


def test_events_v1_regarding_namespace_rule_uses_core_path() -> None:
    """A cluster-scoped regarding object outside default and kube-system is reported at the core path."""
    elsewhere = {**NEW_STYLE, "regarding": {"kind": "Pod", "namespace": "other", "name": "web"}}
    assert event.validate_v1(elsewhere) == []
    bad = {**NEW_STYLE, "metadata": {**META, "namespace": "team"},
           "regarding": {"kind": "Node", "name": "n1"}}
    assert _messages(event.validate_v1(bad)) == [
        'involvedObject.namespace: Invalid value: "": does not match event.namespace']


def test_events_v1_updates_keep_the_event_immutable() -> None:
    """Through events.k8s.io/v1 nearly every field of an event is immutable."""
    new = {**NEW_STYLE, "note": "changed", "regarding": {"kind": "Pod", "namespace": "default", "name": "db"},
           "reportingController": "example.com/other", "eventTime": "2024-05-01T11:00:01.000000Z"}
    assert _messages(event.validate_v1_update(new, NEW_STYLE)) == [
        'involvedObject: Invalid value: core.ObjectReference{Kind:"Pod", Namespace:"default", Name:"db", '
        'UID:"", APIVersion:"", ResourceVersion:"", FieldPath:""}: field is immutable',
        "eventTime: Invalid value: 2024-05-01 11:00:01 +0000 UTC: field is immutable",
        'message: Invalid value: "changed": field is immutable',
        'reportingController: Invalid value: "example.com/other": field is immutable',
    ]


def test_events_v1_series_may_grow() -> None:
    """Updating an event's series is allowed while it stays valid."""
    old = {**NEW_STYLE, "series": {"count": 2, "lastObservedTime": "2024-05-01T11:00:00.000000Z"}}
    new = {**NEW_STYLE, "series": {"count": 3, "lastObservedTime": "2024-05-01T11:05:00.000000Z"}}
    assert event.validate_v1_update(new, old) == []
