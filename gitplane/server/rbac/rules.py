"""RBAC policy rules: matching a request (kube's ``RuleAllows``) and covering other rules (kube's ``Covers``,
used by escalation prevention), with kube's compact rendering of a rule.

    Rule.from_dict(rule)             a PolicyRule as frozen tuples
    allows(rule, verb, group, ...)   a resource request: verbs, apiGroups, resources (``*``, ``res/sub``,
                                     ``*/sub``), resourceNames (a rule with names never grants a nameless request)
    allows_path(rule, verb, path)    a non-resource request: exact URL, ``*``, or a trailing ``*`` prefix
    covers(owner, servant)           (all covered, the missing atomic rules), as kube's ``Covers``
    compact(rules)                   kube's ``CompactRules`` (simple rules of one group/resource merge verbs)
    compact_string(rule)             kube's ``CompactString``: ``{APIGroups:[""], Resources:["secrets"], ...}``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from gitplane.api.gosyntax import go_quote

ALL = "*"


class Rule(NamedTuple):
    verbs: tuple[str, ...] = ()
    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, rule: Mapping[str, Any]) -> Rule:
        def field(name: str) -> tuple[str, ...]:
            return tuple(str(v) for v in rule.get(name) or ())
        return cls(field("verbs"), field("apiGroups"), field("resources"), field("resourceNames"),
                   field("nonResourceURLs"))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.api_groups:
            out["apiGroups"] = list(self.api_groups)
        if self.non_resource_urls:
            out["nonResourceURLs"] = list(self.non_resource_urls)
        if self.resource_names:
            out["resourceNames"] = list(self.resource_names)
        if self.resources:
            out["resources"] = list(self.resources)
        out["verbs"] = list(self.verbs)
        return out


def _has(values: tuple[str, ...], value: str) -> bool:
    return ALL in values or value in values


def resource_matches(rule: Rule, resource: str, subresource: str) -> bool:
    combined = f"{resource}/{subresource}" if subresource else resource
    for candidate in rule.resources:
        if candidate in (ALL, combined):
            return True
        if subresource and len(candidate) == len(subresource) + 2 and candidate.startswith("*/") \
                and candidate.endswith(subresource):
            return True
    return False


def allows(rule: Rule, verb: str, group: str, resource: str, *, subresource: str = "", name: str = "") -> bool:
    return (_has(rule.verbs, verb) and _has(rule.api_groups, group)
            and resource_matches(rule, resource, subresource)
            and (not rule.resource_names or name in rule.resource_names))


def url_matches(pattern: str, path: str) -> bool:
    if pattern in (ALL, path):
        return True
    return pattern.endswith("*") and path.startswith(pattern[:-1])


def allows_path(rule: Rule, verb: str, path: str) -> bool:
    return _has(rule.verbs, verb) and any(url_matches(pattern, path) for pattern in rule.non_resource_urls)


# -- covering (escalation prevention) -------------------------------------------------------------------------
def breakdown(rule: Rule) -> list[Rule]:
    """One atomic rule per (group, resource, verb[, name]) and per (URL, verb), in kube's order."""
    out: list[Rule] = []
    for group in rule.api_groups:
        for resource in rule.resources:
            for verb in rule.verbs:
                if rule.resource_names:
                    out.extend(Rule((verb,), (group,), (resource,), (name,)) for name in rule.resource_names)
                else:
                    out.append(Rule((verb,), (group,), (resource,)))
    for url in rule.non_resource_urls:
        out.extend(Rule((verb,), non_resource_urls=(url,)) for verb in rule.verbs)
    return out


def _has_all(owner: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return all(w in owner for w in wanted)


def _resource_covers(owner: tuple[str, ...], servant: str) -> bool:
    if servant in owner:
        return True
    if "/" not in servant:
        return False
    return "*/" + servant.split("/", 1)[1] in owner


def rule_covers(owner: Rule, sub: Rule) -> bool:
    verbs = ALL in owner.verbs or _has_all(owner.verbs, sub.verbs)
    groups = ALL in owner.api_groups or _has_all(owner.api_groups, sub.api_groups)
    resources = ALL in owner.resources or all(_resource_covers(owner.resources, r) for r in sub.resources)
    urls = all(any(o == p or (o.endswith("*") and p.startswith(o.rstrip("*"))) for o in owner.non_resource_urls)
               for p in sub.non_resource_urls)
    if not sub.resource_names:
        names = not owner.resource_names
    else:
        names = not owner.resource_names or _has_all(owner.resource_names, sub.resource_names)
    return verbs and groups and resources and names and urls


def covers(owner: Sequence[Rule], servant: Iterable[Rule]) -> tuple[bool, list[Rule]]:
    missing = [sub for rule in servant for sub in breakdown(rule)
               if not any(rule_covers(o, sub) for o in owner)]
    return not missing, missing


def compact(rules: Iterable[Rule]) -> list[Rule]:
    out: list[Rule] = []
    simple: dict[tuple[str, str, str | None], Rule] = {}
    for rule in rules:
        if (len(rule.resource_names) > 1 or rule.non_resource_urls or len(rule.api_groups) != 1
                or len(rule.resources) != 1):
            out.append(rule)
            continue
        key = (rule.api_groups[0], rule.resources[0], rule.resource_names[0] if rule.resource_names else None)
        known = simple.get(key)
        simple[key] = rule if known is None else known._replace(verbs=known.verbs + rule.verbs)
    out.extend(simple.values())
    return out


def _go_quoted_slice(values: tuple[str, ...]) -> str:
    return "[" + " ".join(go_quote(v) for v in values) + "]"


def compact_string(rule: Rule) -> str:
    parts = []
    for label, values in (("APIGroups", rule.api_groups), ("Resources", rule.resources),
                          ("NonResourceURLs", rule.non_resource_urls), ("ResourceNames", rule.resource_names),
                          ("Verbs", rule.verbs)):
        if values:
            parts.append(f"{label}:{_go_quoted_slice(values)}")
    return "{" + ", ".join(parts) + "}"
