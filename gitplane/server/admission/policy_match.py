"""Which writes an admission policy (and a binding of it) applies to: kube's ``matchResources`` matching
(``k8s.io/apiserver/pkg/admission/plugin/policy/matching``), parsed once per policy generation.

    excludeResourceRules    a write matching any is never matched
    resourceRules           one must match (none listed: everything, as in a binding): apiGroups, apiVersions,
                            operations (``*`` for any), resources (``x``, ``x/status``, ``x/*``, ``*``, ``*/x``,
                            ``*/*``), scope (Cluster, Namespaced, ``*``), resourceNames (empty: any name)
    matchPolicy             Exact: the request's own version only; Equivalent: a rule naming another served
                            version of the same resource matches too (the object is not converted: gitplane
                            serves each resource in one stored form)
    namespaceSelector       the labels of the request's Namespace (of the object itself for a Namespace;
                            cluster-scoped objects always match)
    objectSelector          the labels of the object or of the old object

Matching runs in two steps, so a write no rule names never costs a Namespace read: :meth:`Match.rules_match`
(synchronous, from the request alone), then :meth:`Match.selectors_match` with the Namespace's labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitplane.api.labels import LabelSelector
from gitplane.api.resources import ResourceType


@dataclass(frozen=True, slots=True)
class Target:
    """The write as matching sees it."""

    group: str
    version: str
    resource: str
    subresource: str
    operation: str
    namespaced: bool
    name: str
    equivalent_versions: tuple[str, ...]
    """Other served versions of the same group and resource."""


def target_of(resource_type: ResourceType, subresource: str, operation: str, name: str,
              served: Sequence[ResourceType]) -> Target:
    versions = tuple(t.version for t in served if t.group == resource_type.group
                     and t.plural == resource_type.plural and t.version != resource_type.version)
    return Target(resource_type.group, resource_type.version, resource_type.plural, subresource, operation,
                  resource_type.namespaced, name, versions)


def _resource_matches(pattern: str, resource: str, subresource: str) -> bool:
    if pattern == "*/*":
        return True
    if pattern == "*":
        return not subresource
    main, slash, sub = pattern.partition("/")
    if not slash:
        return main == resource and not subresource
    return main in ("*", resource) and sub in ("*", subresource) and bool(subresource)


@dataclass(frozen=True, slots=True)
class Rule:
    groups: frozenset[str]
    versions: frozenset[str]
    resources: tuple[str, ...]
    operations: frozenset[str]
    scope: str
    names: frozenset[str]

    @classmethod
    def parse(cls, rule: Mapping[str, Any]) -> Rule:
        return cls(frozenset(rule.get("apiGroups") or ()), frozenset(rule.get("apiVersions") or ()),
                   tuple(rule.get("resources") or ()), frozenset(rule.get("operations") or ()),
                   rule.get("scope") or "*", frozenset(rule.get("resourceNames") or ()))

    def matches(self, target: Target, version: str) -> bool:
        if "*" not in self.operations and target.operation not in self.operations:
            return False
        if "*" not in self.groups and target.group not in self.groups:
            return False
        if "*" not in self.versions and version not in self.versions:
            return False
        if self.scope != "*" and (self.scope == "Namespaced") != target.namespaced:
            return False
        if self.names and target.name not in self.names:
            return False
        return any(_resource_matches(p, target.resource, target.subresource) for p in self.resources)


@dataclass(frozen=True, slots=True)
class Match:
    rules: tuple[Rule, ...]
    excluded: tuple[Rule, ...]
    equivalent: bool
    namespace_selector: LabelSelector
    object_selector: LabelSelector

    @classmethod
    def parse(cls, match: Mapping[str, Any] | None) -> Match:
        """Raises APIError for a selector kube could not parse (validation refuses such objects)."""
        match = match or {}
        return cls(tuple(Rule.parse(r) for r in match.get("resourceRules") or ()),
                   tuple(Rule.parse(r) for r in match.get("excludeResourceRules") or ()),
                   match.get("matchPolicy", "Equivalent") != "Exact",
                   LabelSelector.from_dict(match.get("namespaceSelector") or {}),
                   LabelSelector.from_dict(match.get("objectSelector") or {}))

    def _any(self, rules: tuple[Rule, ...], target: Target) -> bool:
        if any(rule.matches(target, target.version) for rule in rules):
            return True
        return self.equivalent and any(rule.matches(target, version) for rule in rules
                                       for version in target.equivalent_versions)

    def rules_match(self, target: Target) -> bool:
        if self._any(self.excluded, target):
            return False
        return not self.rules or self._any(self.rules, target)

    def selectors_match(self, target: Target, namespace_labels: Mapping[str, str] | None,
                        obj: Mapping[str, Any] | None, old: Mapping[str, Any] | None) -> bool:
        """``namespace_labels``: the labels of the request's namespace (None for cluster-scoped writes)."""
        if namespace_labels is not None and not self.namespace_selector.matches(namespace_labels):
            return False
        if self.object_selector.empty:
            return True
        return any(self.object_selector.matches(_labels(o)) for o in (obj, old) if o is not None)


def _labels(obj: Mapping[str, Any]) -> Mapping[str, str]:
    return (obj.get("metadata") or {}).get("labels") or {}
