"""A policy's matchResources select writes as kube's matcher does: groups, versions, operations, resources and
subresources with their wildcards, scope, resource names, exclusions, match policy, and the selectors."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.builtin_types import BUILTIN_TYPES, CONFIGMAPS, EVENTS_V1, NAMESPACES, RESOURCEQUOTAS
from gitplane.api.resources import ResourceType
from gitplane.server.admission.policy_match import Match, target_of


def rule(resources: list[str], **extra: Any) -> dict[str, Any]:
    return {"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": resources, **extra}


def matches(match: dict[str, Any], resource_type: ResourceType = CONFIGMAPS, subresource: str = "",
            operation: str = "CREATE", name: str = "x") -> bool:
    target = target_of(resource_type, subresource, operation, name, BUILTIN_TYPES)
    return Match.parse(match).rules_match(target)


@pytest.mark.parametrize(("pattern", "subresource", "expected"), [
    ("configmaps", "", True), ("configmaps", "status", False), ("*", "", True), ("*", "status", False),
    ("resourcequotas/status", "status", True), ("resourcequotas/*", "status", True),
    ("resourcequotas/*", "", False), ("*/status", "status", True), ("*/*", "", True), ("*/*", "status", True),
])
def test_resources_and_subresources_match_with_wildcards(pattern: str, subresource: str, expected: bool) -> None:
    resource_type = CONFIGMAPS if pattern.startswith("configmaps") else RESOURCEQUOTAS
    assert matches({"resourceRules": [rule([pattern])]}, resource_type, subresource) is expected


def test_operations_groups_versions_scope_and_names_narrow_a_rule() -> None:
    assert not matches({"resourceRules": [rule(["*"], operations=["UPDATE"])]})
    assert not matches({"resourceRules": [rule(["*"], apiGroups=["apps"])]})
    assert not matches({"resourceRules": [rule(["*"], apiVersions=["v2"])]})
    assert not matches({"resourceRules": [rule(["*"], scope="Cluster")]})
    assert matches({"resourceRules": [rule(["*"], scope="Cluster")]}, NAMESPACES)
    assert not matches({"resourceRules": [rule(["*"], scope="Namespaced")]}, NAMESPACES)
    assert matches({"resourceRules": [rule(["*"], resourceNames=["x"])]})
    assert not matches({"resourceRules": [rule(["*"], resourceNames=["y"])]})


def test_excluded_resources_never_match() -> None:
    assert not matches({"resourceRules": [rule(["*"])], "excludeResourceRules": [rule(["configmaps"])]})
    assert matches({"resourceRules": [rule(["*"])], "excludeResourceRules": [rule(["secrets"])]})


def test_no_rules_match_everything_as_in_a_binding() -> None:
    assert matches({})


def test_equivalent_matches_another_version_of_the_resource_and_exact_does_not() -> None:
    v1_only = rule(["events"], apiGroups=["events.k8s.io"], apiVersions=["v1beta1"])
    assert not matches({"resourceRules": [v1_only]}, EVENTS_V1)
    served = (*BUILTIN_TYPES, ResourceType(group="events.k8s.io", version="v1beta1", plural="events",
                                           singular="event", kind="Event", namespaced=True, schema=""))
    target = target_of(EVENTS_V1, "", "CREATE", "x", served)
    assert Match.parse({"resourceRules": [v1_only]}).rules_match(target)
    assert not Match.parse({"resourceRules": [v1_only], "matchPolicy": "Exact"}).rules_match(target)


def test_selectors_read_namespace_labels_and_object_or_old_labels() -> None:
    target = target_of(CONFIGMAPS, "", "UPDATE", "x", BUILTIN_TYPES)
    match = Match.parse({"namespaceSelector": {"matchLabels": {"env": "test"}},
                         "objectSelector": {"matchLabels": {"app": "web"}}})
    web = {"metadata": {"labels": {"app": "web"}}}
    assert match.selectors_match(target, {"env": "test"}, {"metadata": {}}, web)
    assert not match.selectors_match(target, {"env": "prod"}, web, web)
    assert not match.selectors_match(target, {"env": "test"}, {"metadata": {}}, None)
    assert match.selectors_match(target, None, web, None)  # cluster-scoped writes ignore the namespace selector
