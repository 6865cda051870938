"""ResourceQuotas and LimitRanges are validated with kube's rules and messages."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import errors
from gitplane.api.validation import limitrange, resourcequota

META = {"name": "q", "namespace": "default", "resourceVersion": "1"}


def _messages(found: list[errors.FieldError]) -> list[str]:
    return [str(error) for error in found]


@pytest.mark.parametrize(("spec", "messages"), [
    pytest.param({"hard": {"pods": "10", "requests.cpu": "500m", "count/configmaps": "3",
                           "count/deployments.apps": "2", "example.com/gpu": "4"}}, [], id="valid"),
    pytest.param({"hard": {"limits.pods": "1"}},
                 ["spec.hard[limits.pods]: Invalid value: limits.pods: must be a standard resource type or "
                  "fully "
                  "qualified",
                  "spec.hard[limits.pods]: Invalid value: limits.pods: must be a standard resource for "
                  "quota"],
                 id="unknown-resource-prints-unquoted"),
    pytest.param({"hard": {"cpu": "-1"}}, ['spec.hard[cpu]: Invalid value: "-1": must be greater than or '
                                           'equal to 0'],
                 id="negative"),
    pytest.param({"hard": {"pods": "1500m"}},
                 ['spec.hard[pods]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, '
                  'scale:-3}, '
                  'd:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an '
                  'integer'],
                 id="fractional-count"),
    pytest.param({"hard": {"storage": "1Gi"}},
                 ["spec.hard[storage]: Invalid value: storage: must be a standard resource for quota"],
                 id="standard-but-not-for-quota"),
    pytest.param({"hard": {"pods": "1"}, "scopes": ["BestEffort", "NotBestEffort"]},
                 ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: '
                  "conflicting scopes"], id="conflicting-scopes"),
    pytest.param({"hard": {"cpu": "1"}, "scopes": ["BestEffort"]},
                 ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: '
                  "unsupported scope applied to resource"], id="scope-does-not-fit"),
    pytest.param({"hard": {"pods": "1"}, "scopes": ["Sometimes"]},
                 ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"Sometimes"}: unsupported scope'],
                 id="unknown-scope"),
    pytest.param({"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}, [],
                 id="priority-class-selector"),
    pytest.param({"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [
        {"scopeName": "Terminating", "operator": "In"}]}},
                 ['spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be \'Exists\' '
                  'when scope '
                  "is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, "
                  "ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or "
                  "ResourceQuotaScopeCrossNamespacePodAffinity",
                  "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value "
                  "when "
                  "`operator` is 'In' or 'NotIn' for scope selector"], id="selector-operator"),
    pytest.param({"hard": {"cpu": "1"}, "scopeSelector": {"matchExpressions": [
        {"scopeName": "BestEffort", "operator": "Exists", "values": ["x"]}]}},
                 ['spec.scopeSelector.matchExpressions: Invalid value: core.ScopeSelector{MatchExpressions:'
                  '[]core.ScopedResourceSelectorRequirement{core.ScopedResourceSelectorRequirement{'
                  'ScopeName:"BestEffort", Operator:"Exists", Values:[]string{"x"}}}}: '
                  "unsupported scope applied to resource",
                  'spec.scopeSelector.matchExpressions.values: Invalid value: []string{"x"}: must be no '
                  'value '
                  "when `operator` is 'Exist' or 'DoesNotExist' for scope selector"], id="selector-values"),
])
def test_resource_quota_spec(spec: dict[str, Any], messages: list[str]) -> None:
    """Quota resource names, quantities, scopes and scope selectors."""
    assert _messages(resourcequota.validate({"metadata": META, "spec": spec})) == messages


def test_resource_quota_status_and_scope_immutability() -> None:
    """Status quantities are validated; scopes may not change on update."""
    old = {"metadata": META, "spec": {"hard": {"pods": "1"}, "scopes": ["NotTerminating"]}}
    new = {"metadata": META, "spec": {"hard": {"pods": "1"}, "scopes": ["Terminating"]}}
    assert _messages(resourcequota.validate_update(new, old)) == [
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating"}: field is immutable']
    status = {"metadata": {**META, "resourceVersion": ""}, "status": {"used": {"pods": "-1"}}}
    assert _messages(resourcequota.validate_status_update(status, old)) == [
        'metadata.resourceVersion: Invalid value: "": must be specified for an update',
        "resourceVersion: Required value",
        'status.used[pods]: Invalid value: "-1": must be greater than or equal to 0',
    ]


def _limit_range(*items: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {**META, "name": "lr"}, "spec": {"limits": list(items)}}


def test_limit_range_defaults_container_items() -> None:
    """Container defaults fall back to max, default requests to defaults then min."""
    defaulted = limitrange.default(_limit_range(
        {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "1Mi"}},
        {"type": "Pod", "max": {"cpu": "4"}}))
    assert defaulted["spec"]["limits"] == [
        {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "1Mi"},
         "default": {"cpu": "2"}, "defaultRequest": {"cpu": "2", "memory": "1Mi"}},
        {"type": "Pod", "max": {"cpu": "4"}},
    ]


@pytest.mark.parametrize(("items", "messages"), [
    pytest.param([{"type": "Container", "max": {"cpu": "2"}, "min": {"cpu": "100m"}, "default": {"cpu": "1"},
                   "defaultRequest": {"cpu": "500m"}}], [], id="valid"),
    pytest.param([{"type": "Container"}, {"type": "Container"}],
                 ['spec.limits[1].type: Duplicate value: "Container"'], id="duplicate-type"),
    pytest.param([{"type": "Node"}], ["spec.limits[0].type: Invalid value: Node: must be a standard limit "
                                      "type "
                                      "or fully qualified"], id="unknown-type"),
    pytest.param([{"type": "Pod", "default": {"cpu": "1"}}],
                 ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"],
                 id="pod-default"),
    pytest.param([{"type": "Container", "max": {"storage": "1Gi"}}],
                 ["spec.limits[0].max[storage]: Invalid value: storage: must be a standard resource for "
                  "containers"], id="container-storage"),
    pytest.param([{"type": "PersistentVolumeClaim"}],
                 ["spec.limits[0].limits: Required value: either minimum or maximum storage value is "
                  "required, "
                  "but neither was provided"], id="pvc-without-storage"),
    pytest.param([{"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "2"}}],
                 ['spec.limits[0].min[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, '
                  'scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: '
                  "min value 2 is greater than max value 1"], id="min-over-max"),
    pytest.param([{"type": "Container", "max": {"cpu": "1"}, "default": {"cpu": "2"}}],
                 ['spec.limits[0].default[cpu]: Invalid value: '
                  'resource.Quantity{i:resource.int64Amount{value:1, '
                  'scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}: '
                  "default value 2 is greater than max value 1"], id="default-over-max-shows-max"),
    pytest.param([{"type": "Container", "maxLimitRequestRatio": {"cpu": "500m"}}],
                 ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: resource.Quantity{i:resource.'
                  'int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", '
                  'Format:"DecimalSI"}: ratio 500m is less than 1'], id="ratio-below-one"),
    pytest.param([{"type": "Pod", "min": {"cpu": "1"}, "max": {"cpu": "2"},
                   "maxLimitRequestRatio": {"cpu": "3"}}],
                 ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: resource.Quantity{i:resource.'
                  'int64Amount{value:3, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"3", '
                  'Format:"DecimalSI"}: ratio 3 is greater than max/min = 2.000000'],
                 id="ratio-over-max-min"),
    pytest.param([{"type": "Container", "default": {"example.com/gpu": "2"},
                   "defaultRequest": {"example.com/gpu": "1"}}],
                 ['spec.limits[0].defaultRequest[example.com/gpu]: Invalid value: '
                  'resource.Quantity{i:resource.'
                  'int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", '
                  'Format:"DecimalSI"}: default value 2 must equal to defaultRequest value 1 in '
                  'example.com/gpu'],
                 id="no-overcommit-for-extended"),
])
def test_limit_range_items(items: list[dict[str, Any]], messages: list[str]) -> None:
    """LimitRange item types, resource names and value ordering."""
    assert _messages(limitrange.validate(_limit_range(*items))) == messages


def test_limit_range_update_is_checked_like_a_create() -> None:
    """Updates run the create rules on the new object."""
    bad = _limit_range({"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "2"}})
    assert limitrange.validate_update(bad, _limit_range()) == limitrange.validate(bad)
