"""The admission policy index: every logical cluster's ValidatingAdmissionPolicies, compiled, and their
bindings, in memory, as the (policy, binding) pairs that enforce something.

How it is fed: :meth:`PolicyIndex.follow` lists and watches both types across every logical cluster (two
watches in all, never a task per cluster), as the RBAC index does. A policy is compiled when a new generation
of it is seen (a status write keeps the compiled form); a binding is parsed when written. After each change
the cluster's pairs are worked out again: a binding pairs with the policy it names in its own cluster, and a
binding of a missing policy pairs with nothing, as in kube.

Reading is one dict lookup (:meth:`PolicyIndex.pairs`), so a write in a cluster without policies pays
nothing more; clusters without pairs are not in the dict at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.api.labels import LabelSelector
from gitplane.runtime.source import list_and_watch
from gitplane.server.admission.policy_eval import CompiledPolicy, compile_policy
from gitplane.server.admission.policy_match import Match
from gitplane.storage import interface as storage

log = logging.getLogger(__name__)

GROUP = "admissionregistration.k8s.io"
POLICIES = "validatingadmissionpolicies"
BINDINGS = "validatingadmissionpolicybindings"


@dataclass(frozen=True, slots=True)
class ParamRef:
    name: str
    namespace: str
    selector: LabelSelector | None
    deny_when_missing: bool


@dataclass(frozen=True, slots=True)
class Binding:
    name: str
    policy_name: str
    deny: bool
    warn: bool
    audit: bool
    param_ref: ParamRef | None
    match: Match | None


def parse_binding(obj: Mapping[str, Any]) -> Binding:
    """Raises APIError for a selector kube could not parse (validation refuses such objects)."""
    spec = obj.get("spec") or {}
    actions = set(spec.get("validationActions") or ())
    ref = spec.get("paramRef")
    param_ref = None
    if ref is not None:
        selector = ref.get("selector")
        param_ref = ParamRef(str(ref.get("name") or ""), str(ref.get("namespace") or ""),
                             None if selector is None else LabelSelector.from_dict(selector),
                             ref.get("parameterNotFoundAction") == "Deny")
    match = spec.get("matchResources")
    return Binding(str((obj.get("metadata") or {}).get("name") or ""), str(spec.get("policyName") or ""),
                   "Deny" in actions, "Warn" in actions, "Audit" in actions, param_ref,
                   None if match is None else Match.parse(match))


Pair = tuple[CompiledPolicy, Binding]


@dataclass(slots=True)
class _Cluster:
    policies: dict[str, tuple[str, CompiledPolicy]] = field(default_factory=dict)
    """name → (uid, compiled policy)."""
    bindings: dict[str, Binding] = field(default_factory=dict)


class PolicyIndex:
    """Used from the event loop only."""

    def __init__(self) -> None:
        self._clusters: dict[str, _Cluster] = {}
        self._pairs: dict[str, tuple[Pair, ...]] = {}
        self.revision = 0
        """The store revision of the last policy or binding change seen (of any cluster)."""
        self._changed = asyncio.Event()
        self._listed: set[str] = set()

    @property
    def synced(self) -> bool:
        """Whether policies and bindings have both been listed once (before that, writes would be admitted
        without the policies that apply to them)."""
        return len(self._listed) == 2

    def pairs(self, cluster: str) -> tuple[Pair, ...]:
        """The (policy, binding) pairs of ``cluster``, in binding name order."""
        return self._pairs.get(cluster, ())

    async def wait_for(self, revision: int) -> None:
        """Return once the index reflects every change up to ``revision``."""
        while self.revision < revision:
            await self._changed.wait()

    # -- following the store ----------------------------------------------------------------------------
    async def follow(self, store: storage.Store) -> None:
        await asyncio.gather(self._follow(store, POLICIES), self._follow(store, BINDINGS))

    async def _follow(self, store: storage.Store, resource: str) -> None:
        await list_and_watch(store, storage.Prefix(GROUP, resource, ""), name=f"policy-index-{resource}",
                             on_list=lambda page: self.apply_list(resource, page),
                             on_event=lambda event: self.apply_event(resource, event))

    def apply_list(self, resource: str, page: storage.Page) -> None:
        touched: set[str] = set()
        for name, cluster in self._clusters.items():
            held = cluster.policies if resource == POLICIES else cluster.bindings
            if held:
                touched.add(name)
            if resource == POLICIES:
                listed = {r.key.name for r in page.records if r.key.cluster == name}
                cluster.policies = {k: v for k, v in cluster.policies.items() if k in listed}
            else:
                cluster.bindings.clear()
        for record in page.records:
            self._apply(resource, record, deleted=False)
            touched.add(record.key.cluster)
        for name in touched:
            self._pair(name)
        self._listed.add(resource)
        self._advance(page.revision)

    def apply_event(self, resource: str, event: storage.Event) -> None:
        record = event.record
        self._apply(resource, record, deleted=event.type is storage.EventType.DELETED)
        self._pair(record.key.cluster)
        self._advance(record.revision)

    def _apply(self, resource: str, record: storage.Record, *, deleted: bool) -> None:
        key = record.key
        cluster = self._clusters.setdefault(key.cluster, _Cluster())
        held: dict[str, Any] = cluster.policies if resource == POLICIES else cluster.bindings
        if deleted:
            held.pop(key.name, None)
            return
        try:
            obj = orjson.loads(record.value)
            if resource == POLICIES:
                uid = str((obj.get("metadata") or {}).get("uid") or "")
                before = cluster.policies.get(key.name)
                generation = int((obj.get("metadata") or {}).get("generation") or 0)
                if before is None or before[0] != uid or before[1].generation != generation:
                    cluster.policies[key.name] = (uid, compile_policy(obj))
            else:
                cluster.bindings[key.name] = parse_binding(obj)
        except (orjson.JSONDecodeError, errors.APIError):
            log.warning("%s %s in cluster %s cannot be read; ignored", resource, key.name, key.cluster)
            held.pop(key.name, None)

    def _pair(self, name: str) -> None:
        cluster = self._clusters.get(name)
        pairs: list[Pair] = []
        if cluster is not None:
            for binding_name in sorted(cluster.bindings):
                binding = cluster.bindings[binding_name]
                found = cluster.policies.get(binding.policy_name)
                if found is not None:
                    pairs.append((found[1], binding))
            if not cluster.policies and not cluster.bindings:
                del self._clusters[name]
        if pairs:
            self._pairs[name] = tuple(pairs)
        else:
            self._pairs.pop(name, None)

    def _advance(self, revision: int) -> None:
        self.revision = max(self.revision, revision)
        self._changed.set()
        self._changed = asyncio.Event()
