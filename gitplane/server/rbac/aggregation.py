"""ClusterRole aggregation (kube's clusterrole-aggregation controller): a ClusterRole with an
``aggregationRule`` gets as ``rules`` the rules of every other ClusterRole of its logical cluster that one of
its ``clusterRoleSelectors`` selects, without duplicates, roles taken by name within each selector.

    aggregated_rules(role, roles)   the rules the role must have (kube's order)
    aggregate_all(roles)            every aggregating role filled, until nothing changes (view → edit → admin)
    AggregationController           keys ``(cluster, name)`` of aggregating roles, enqueued whenever any
                                    ClusterRole of that cluster changes (the index tells), reconciled by writing
                                    ``rules`` through the in-process API when they differ

The controller reads ClusterRoles from the RBAC index (one watch for every cluster) and writes with a
``resourceVersion`` precondition, so a concurrent edit makes it retry with the newer object.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import orjson

from gitplane.api.errors import APIError
from gitplane.api.labels import LabelSelector
from gitplane.runtime.queue import WorkQueue
from gitplane.runtime.workers import run_controller
from gitplane.server.inprocess import InProcessClient
from gitplane.server.rbac.index import PolicyIndex

CONTROLLER_NAME = "clusterrole-aggregation"
Obj = dict[str, Any]
Key = tuple[str, str]


def _selectors(role: Mapping[str, Any]) -> list[LabelSelector] | None:
    rule = role.get("aggregationRule")
    if rule is None:
        return None
    out = []
    for selector in rule.get("clusterRoleSelectors") or []:
        try:
            out.append(LabelSelector.from_dict(selector))
        except APIError:
            continue
    return out


def aggregated_rules(role: Mapping[str, Any], roles: Sequence[Mapping[str, Any]]) -> list[Any] | None:
    """The rules ``role`` aggregates from ``roles``, or None when it has no aggregation rule."""
    selectors = _selectors(role)
    if selectors is None:
        return None
    name = (role.get("metadata") or {}).get("name")
    by_name = sorted(roles, key=lambda r: (r.get("metadata") or {}).get("name") or "")
    rules: list[Any] = []
    for selector in selectors:
        for other in by_name:
            meta = other.get("metadata") or {}
            if meta.get("name") == name or not selector.matches(meta.get("labels") or {}):
                continue
            for rule in other.get("rules") or []:
                if rule not in rules:
                    rules.append(copy.deepcopy(rule))
    return rules


def aggregate_all(roles: list[Obj]) -> list[Obj]:
    for _ in range(len(roles) + 1):
        changed = False
        for role in roles:
            rules = aggregated_rules(role, roles)
            if rules is not None and rules != (role.get("rules") or []):
                role["rules"] = rules
                changed = True
        if not changed:
            break
    return roles


class AggregationController:
    def __init__(self, *, index: PolicyIndex, api: InProcessClient, workers: int = 1) -> None:
        self.index = index
        self.api = api
        self.workers = workers
        self.queue: WorkQueue[Key] = WorkQueue()
        index.on_cluster_roles_changed(self._changed)

    def _changed(self, cluster: str) -> None:
        for name, role in self.index.cluster_role_objects(cluster).items():
            if role.get("aggregationRule") is not None:
                self.queue.add((cluster, name))

    async def run(self) -> None:
        await run_controller(self.queue, self.reconcile, name=CONTROLLER_NAME, workers=self.workers,
                             sources=[asyncio.Event().wait()])  # the policy index feeds the queue

    async def reconcile(self, key: Key) -> float | None:
        cluster, name = key
        roles = self.index.cluster_role_objects(cluster)
        role = roles.get(name)
        if role is None:
            return None
        rules = aggregated_rules(role, list(roles.values()))
        if rules is None or rules == (role.get("rules") or []):
            return None
        updated = copy.deepcopy(role)
        updated["rules"] = rules
        path = f"/clusters/{cluster}/apis/rbac.authorization.k8s.io/v1/clusterroles/{quote(name, safe='')}"
        reply = await self.api.request("PUT", path, body=orjson.dumps(updated))
        if reply.status == 404:
            return None
        reply.raise_for_status()
        return None
