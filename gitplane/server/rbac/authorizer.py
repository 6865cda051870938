"""The RBAC authorizer: allow a request when a rule that applies to the user allows it (kube's
``RBACAuthorizer``), with decisions cached so RBAC costs the hot path a few dict lookups.

Cache: per ``(user, groups, cluster)`` an entry valid for one policy revision of that cluster (the index bumps
it on any RBAC change there); an entry holds the resolved rules per namespace and the decisions per request
target. Subjects, decisions per subject and decisions in all (counted as inserted) are bounded, each cleared
when full, so memory stays flat whatever the traffic.

An allowed decision gives kube's reason (``RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to
User "u"``; worked out once per cached decision), which access reviews report. No rule allows → NO_OPINION,
with kube's reason only when a binding that applies could not be resolved
(``RBAC: clusterrole.rbac.authorization.k8s.io "x" not found``, several as ``RBAC: [a, b]``).
Non-resource ``HEAD`` is matched as ``get`` (the server answers HEAD as GET everywhere).
"""

from __future__ import annotations

from gitplane.api.gosyntax import go_aggregate
from gitplane.server.rbac import rules as rbac_rules
from gitplane.server.rbac.index import PolicyIndex
from gitplane.server.rbac.rules import Rule
from gitplane.server.request import UserInfo
from gitplane.server.stages.authz import Attributes, Decision

MAX_SUBJECTS = 4096
MAX_DECISIONS = 1024
"""Per subject; and at most ``MAX_CACHED`` decisions in all (the whole cache is dropped beyond)."""
MAX_CACHED = 65536


class _Entry:
    __slots__ = ("decisions", "revision", "rules")

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self.rules: dict[str, tuple[list[Rule], list[str]]] = {}
        self.decisions: dict[tuple[str, ...], tuple[Decision, str]] = {}


def _reason(errors: list[str]) -> str:
    if not errors:
        return ""
    return f"RBAC: {go_aggregate(errors)}"


class RBACAuthorizer:
    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self._cache: dict[tuple[str, tuple[str, ...], str], _Entry] = {}
        self._cached = 0

    def _entry(self, user: UserInfo, cluster: str) -> _Entry:
        key = (user.name, user.groups, cluster)
        revision = self.index.policy_revision(cluster)
        entry = self._cache.get(key)
        if entry is None or entry.revision != revision:
            if len(self._cache) >= MAX_SUBJECTS or self._cached >= MAX_CACHED:
                self._cache.clear()
                self._cached = 0
            entry = self._cache[key] = _Entry(revision)
        return entry

    def rules_for(self, user: UserInfo, cluster: str, namespace: str) -> tuple[list[Rule], list[str]]:
        """The rules that apply to ``user`` (kube's ``RulesFor``), cached like decisions."""
        entry = self._entry(user, cluster)
        found = entry.rules.get(namespace)
        if found is None:
            found = entry.rules[namespace] = self.index.rules_for(user, cluster, namespace)
        return found

    def authorize(self, attrs: Attributes) -> tuple[Decision, str]:
        info = attrs.info
        entry = self._entry(attrs.user, attrs.cluster)
        if info.is_resource:
            target: tuple[str, ...] = (info.verb, info.group, info.resource, info.subresource, info.namespace,
                                       info.name)
        else:
            target = (info.verb, info.path)
        decided = entry.decisions.get(target)
        if decided is not None:
            return decided
        found = entry.rules.get(info.namespace)
        if found is None:
            found = entry.rules[info.namespace] = self.index.rules_for(attrs.user, attrs.cluster, info.namespace)
        rules, errors = found
        if info.is_resource:
            def matches(rule: Rule) -> bool:
                return rbac_rules.allows(rule, info.verb, info.group, info.resource, subresource=info.subresource,
                                         name=info.name)
        else:
            path = info.path.split("?", 1)[0]
            verb = "get" if info.verb == "head" else info.verb

            def matches(rule: Rule) -> bool:
                return rbac_rules.allows_path(rule, verb, path)
        if any(matches(rule) for rule in rules):
            by = self.index.allowed_by(attrs.user, attrs.cluster, info.namespace, matches)
            decided = (Decision.ALLOW, f"RBAC: allowed by {by}" if by else "")
        else:
            decided = (Decision.NO_OPINION, _reason(errors))
        if len(entry.decisions) >= MAX_DECISIONS:
            entry.decisions.clear()
        entry.decisions[target] = decided
        self._cached += 1
        return decided
