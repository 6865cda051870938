"""The RBAC index: every logical cluster's Roles, ClusterRoles and bindings in memory, the rules that apply to
a user in a cluster and namespace (kube's ``VisitRulesFor``), and the binding an allowed decision came from
(:meth:`PolicyIndex.allowed_by`, described in kube's words for the decision's reason).

How it is fed: :meth:`PolicyIndex.follow` lists and watches each of the four RBAC types across every logical
cluster (four watches in all, never a task per cluster; a Prefix spans one type). Each change bumps the
cluster's *policy revision* (the store revision of its last RBAC write), which is what decision caches key on:
a change in one cluster leaves every other cluster's cached decisions valid.

What applies (kcp's RBAC chain, final step): the cluster's own ClusterRoleBindings, then its RoleBindings in
the request's namespace, then the bootstrap policy (:mod:`gitplane.server.rbac.bootstrap`), which applies in
every logical cluster as kcp's bootstrap policy in ``system:admin`` does. A binding's role is looked up in its
cluster, and a ClusterRole missing there falls back to the bootstrap ClusterRole of that name (in kcp, a local
binding may reference a ClusterRole that exists only in the bootstrap policy). A binding whose role exists
nowhere gives kube's resolution error (``clusterrole.rbac.authorization.k8s.io "x" not found``).

Subjects match as in kube's ``appliesTo``: User by name, Group by membership, ServiceAccount as
``system:serviceaccount:<ns>:<name>`` (namespace defaulted to the RoleBinding's own).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from gitplane.runtime.source import list_and_watch
from gitplane.server.rbac import bootstrap
from gitplane.server.rbac.rules import Rule
from gitplane.server.request import UserInfo
from gitplane.server.tenancy.index import ROOT
from gitplane.storage import interface as storage

log = logging.getLogger(__name__)

GROUP = "rbac.authorization.k8s.io"
RESOURCES = ("clusterroles", "roles", "clusterrolebindings", "rolebindings")
Obj = dict[str, Any]


class Binding(NamedTuple):
    role_kind: str
    role_name: str
    namespace: str
    """The RoleBinding's namespace; empty for a ClusterRoleBinding."""
    users: frozenset[str]
    groups: frozenset[str]
    name: str = ""
    subjects: tuple[tuple[str, str, str], ...] = ()
    """``(kind, name, namespace)`` of each subject, to describe the one a decision came from."""

    def applies_to(self, user: UserInfo) -> bool:
        return user.name in self.users or not self.groups.isdisjoint(user.groups)

    def describe(self, user: UserInfo) -> str:
        """kube's description of this binding granting ``user`` (``ClusterRoleBinding "b" of ClusterRole "r"
        to Group "g"``; a RoleBinding is named ``name/namespace``, a ServiceAccount ``name/namespace``)."""
        subject = next((f'{kind} "{f"{name}/{ns}" if kind == "ServiceAccount" else name}"'
                        for kind, name, ns in self.subjects
                        if (kind == "User" and name == user.name) or (kind == "Group" and name in user.groups)
                        or (kind == "ServiceAccount" and f"system:serviceaccount:{ns}:{name}" == user.name)), "")
        if self.namespace:
            return f'RoleBinding "{self.name}/{self.namespace}" of {self.role_kind} "{self.role_name}" to {subject}'
        return f'ClusterRoleBinding "{self.name}" of {self.role_kind} "{self.role_name}" to {subject}'


def parse_binding(obj: Mapping[str, Any], namespace: str) -> Binding:
    ref = obj.get("roleRef") or {}
    users: set[str] = set()
    groups: set[str] = set()
    subjects: list[tuple[str, str, str]] = []
    for subject in obj.get("subjects") or []:
        kind, name = subject.get("kind"), subject.get("name") or ""
        if kind == "User":
            users.add(name)
            subjects.append((kind, name, ""))
        elif kind == "Group":
            groups.add(name)
            subjects.append((kind, name, ""))
        elif kind == "ServiceAccount":
            sa_namespace = subject.get("namespace") or namespace
            if sa_namespace and name:
                users.add(f"system:serviceaccount:{sa_namespace}:{name}")
                subjects.append((kind, name, sa_namespace))
    return Binding(ref.get("kind") or "", ref.get("name") or "", namespace, frozenset(users), frozenset(groups),
                   str((obj.get("metadata") or {}).get("name") or ""), tuple(subjects))


def parse_rules(obj: Mapping[str, Any]) -> tuple[Rule, ...]:
    return tuple(Rule.from_dict(rule) for rule in obj.get("rules") or [])


@dataclass(slots=True)
class ClusterPolicy:
    """One logical cluster's RBAC objects."""

    revision: int = 0
    cluster_roles: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    cluster_role_objects: dict[str, Obj] = field(default_factory=dict)
    roles: dict[tuple[str, str], tuple[Rule, ...]] = field(default_factory=dict)
    cluster_role_bindings: dict[str, Binding] = field(default_factory=dict)
    role_bindings: dict[str, dict[str, Binding]] = field(default_factory=dict)


def _not_found(kind: str, name: str) -> str:
    return f'{kind.lower()}.{GROUP} "{name}" not found'


class _Bootstrap:
    def __init__(self) -> None:
        self.cluster_roles = {r["metadata"]["name"]: parse_rules(r) for r in bootstrap.aggregated_cluster_roles()}
        self.root_cluster_roles = {**self.cluster_roles, **{
            r["metadata"]["name"]: parse_rules(r) for r in bootstrap.root_cluster_roles()}}
        self.bindings = tuple(parse_binding(b, "") for b in bootstrap.cluster_role_bindings())
        self.root_bindings = (*self.bindings,
                              *(parse_binding(b, "") for b in bootstrap.root_cluster_role_bindings()))

    def roles_in(self, cluster: str) -> dict[str, tuple[Rule, ...]]:
        return self.root_cluster_roles if cluster == ROOT else self.cluster_roles

    def bindings_in(self, cluster: str) -> tuple[Binding, ...]:
        return self.root_bindings if cluster == ROOT else self.bindings


class PolicyIndex:
    """Used from the event loop only."""

    def __init__(self) -> None:
        self._clusters: dict[str, ClusterPolicy] = {}
        self._bootstrap = _Bootstrap()
        self.revision = 0
        """The store revision of the last RBAC change seen (of any cluster)."""
        self._changed = asyncio.Event()
        self._role_listeners: list[Callable[[str], None]] = []
        self._listed: set[str] = set()

    @property
    def synced(self) -> bool:
        """Whether every RBAC type has been listed once (before that, decisions may miss bindings)."""
        return len(self._listed) == len(RESOURCES)

    # -- reading ----------------------------------------------------------------------------------------------
    def policy_revision(self, cluster: str) -> int:
        policy = self._clusters.get(cluster)
        return 0 if policy is None else policy.revision

    def cluster_role_objects(self, cluster: str) -> dict[str, Obj]:
        policy = self._clusters.get(cluster)
        return {} if policy is None else dict(policy.cluster_role_objects)

    def role_rules(self, cluster: str, kind: str, name: str, namespace: str) -> tuple[Rule, ...] | str:
        """The rules of a role reference, or the resolution error (kube's ``GetRoleReferenceRules``)."""
        policy = self._clusters.get(cluster)
        if kind == "ClusterRole":
            found = None if policy is None else policy.cluster_roles.get(name)
            if found is None:
                found = self._bootstrap.roles_in(cluster).get(name)
            return _not_found("ClusterRole", name) if found is None else found
        if kind == "Role":
            found = None if policy is None else policy.roles.get((namespace, name))
            return _not_found("Role", name) if found is None else found
        return f'unsupported role reference kind: "{kind}"'

    def rules_for(self, user: UserInfo, cluster: str, namespace: str) -> tuple[list[Rule], list[str]]:
        """Every rule that applies to ``user`` in ``namespace`` of ``cluster`` (``""``: cluster-wide only), and
        the errors of bindings that apply but whose role cannot be found."""
        rules: list[Rule] = []
        errors: list[str] = []
        policy = self._clusters.get(cluster)

        def visit(bindings: Iterable[Binding], namespace: str) -> None:
            for binding in bindings:
                if binding.applies_to(user):
                    found = self.role_rules(cluster, binding.role_kind, binding.role_name, namespace)
                    if isinstance(found, str):
                        errors.append(found)
                    else:
                        rules.extend(found)

        if policy is not None:
            visit(policy.cluster_role_bindings.values(), "")
            if namespace:
                visit(policy.role_bindings.get(namespace, {}).values(), namespace)
        roles = self._bootstrap.roles_in(cluster)
        for binding in self._bootstrap.bindings_in(cluster):
            if binding.applies_to(user):
                rules.extend(roles.get(binding.role_name, ()))
        return rules, errors

    def allowed_by(self, user: UserInfo, cluster: str, namespace: str, allows: Callable[[Rule], bool]) -> str:
        """The description of the first binding (in :meth:`rules_for`'s order) whose role has a rule that
        ``allows``, as kube's RBAC authorizer names it in an allowed decision's reason; ``""`` if none."""
        policy = self._clusters.get(cluster)
        own: list[Binding] = []
        if policy is not None:
            own.extend(policy.cluster_role_bindings.values())
            if namespace:
                own.extend(policy.role_bindings.get(namespace, {}).values())
        for binding in own:
            if binding.applies_to(user):
                found = self.role_rules(cluster, binding.role_kind, binding.role_name, binding.namespace)
                if not isinstance(found, str) and any(allows(rule) for rule in found):
                    return binding.describe(user)
        roles = self._bootstrap.roles_in(cluster)
        for binding in self._bootstrap.bindings_in(cluster):
            if binding.applies_to(user) and any(allows(rule) for rule in roles.get(binding.role_name, ())):
                return binding.describe(user)
        return ""

    async def wait_for(self, revision: int) -> None:
        """Return once the index reflects every RBAC change up to ``revision``."""
        while self.revision < revision:
            await self._changed.wait()

    def on_cluster_roles_changed(self, listener: Callable[[str], None]) -> None:
        """``listener(cluster)`` is called after any ClusterRole of ``cluster`` changed (or was listed)."""
        self._role_listeners.append(listener)

    # -- following the store ----------------------------------------------------------------------------------
    async def follow(self, store: storage.Store) -> None:
        """Keep the index current from the store until cancelled: one list+watch per RBAC type, each spanning
        every logical cluster."""
        await asyncio.gather(*(self._follow(store, resource) for resource in RESOURCES))

    async def _follow(self, store: storage.Store, resource: str) -> None:
        """One type's list+watch (which lists again after any failure, so authorization never silently stops
        following the store)."""
        await list_and_watch(store, storage.Prefix(GROUP, resource, ""), name=f"rbac-index-{resource}",
                             on_list=lambda page: self.apply_list(resource, page),
                             on_event=lambda event: self.apply_event(resource, event))

    def apply_list(self, resource: str, page: storage.Page) -> None:
        """A (re)list of one RBAC type across every cluster replaces what the index held of it."""
        touched = {c for c, p in self._clusters.items() if self._clear(p, resource)}
        for record in page.records:
            self._apply(resource, record, deleted=False)
            touched.add(record.key.cluster)
        for cluster in touched:
            self._touch(cluster, resource, page.revision)
        self._listed.add(resource)
        self._advance(page.revision)

    def apply_event(self, resource: str, event: storage.Event) -> None:
        record = event.record
        self._apply(resource, record, deleted=event.type is storage.EventType.DELETED)
        self._touch(record.key.cluster, resource, record.revision)
        self._advance(record.revision)

    @staticmethod
    def _clear(policy: ClusterPolicy, resource: str) -> bool:
        if resource == "clusterroles":
            had = bool(policy.cluster_roles)
            policy.cluster_roles.clear()
            policy.cluster_role_objects.clear()
        elif resource == "roles":
            had = bool(policy.roles)
            policy.roles.clear()
        elif resource == "clusterrolebindings":
            had = bool(policy.cluster_role_bindings)
            policy.cluster_role_bindings.clear()
        else:
            had = bool(policy.role_bindings)
            policy.role_bindings.clear()
        return had

    def _apply(self, resource: str, record: storage.Record, *, deleted: bool) -> None:
        key = record.key
        policy = self._clusters.setdefault(key.cluster, ClusterPolicy())
        obj: Obj | None = None
        if not deleted:
            try:
                obj = orjson.loads(record.value)
            except orjson.JSONDecodeError:
                log.warning("%s %s in cluster %s cannot be read; ignored", resource, key.name, key.cluster)
                deleted = True
        if resource == "clusterroles":
            if obj is None:
                policy.cluster_roles.pop(key.name, None)
                policy.cluster_role_objects.pop(key.name, None)
            else:
                policy.cluster_roles[key.name] = parse_rules(obj)
                policy.cluster_role_objects[key.name] = obj
        elif resource == "roles":
            if obj is None:
                policy.roles.pop((key.namespace, key.name), None)
            else:
                policy.roles[(key.namespace, key.name)] = parse_rules(obj)
        elif resource == "clusterrolebindings":
            if obj is None:
                policy.cluster_role_bindings.pop(key.name, None)
            else:
                policy.cluster_role_bindings[key.name] = parse_binding(obj, "")
        else:
            in_namespace = policy.role_bindings.setdefault(key.namespace, {})
            if obj is None:
                in_namespace.pop(key.name, None)
                if not in_namespace:
                    policy.role_bindings.pop(key.namespace, None)
            else:
                in_namespace[key.name] = parse_binding(obj, key.namespace)

    def _touch(self, cluster: str, resource: str, revision: int) -> None:
        policy = self._clusters.get(cluster)
        if policy is None:
            return
        policy.revision = max(policy.revision + 1, revision)
        if resource == "clusterroles":
            for listener in self._role_listeners:
                listener(cluster)

    def _advance(self, revision: int) -> None:
        self.revision = max(self.revision, revision)
        self._changed.set()
        self._changed = asyncio.Event()
