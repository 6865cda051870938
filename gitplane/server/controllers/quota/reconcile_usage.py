"""Step 1: measure what a quota limits, as kube's quota controller does for object counts.

Every resource of ``spec.hard`` that names the object count of a type the quota's logical cluster serves
(``count/<resource>[.<group>]`` or a legacy name such as ``configmaps``) is counted in the quota's namespace:
the stored objects, plus the creates admission has charged whose objects the store has not shown yet. A
scoped quota counts no objects (scopes select pods only), so its counts are 0. Resources this server cannot
measure keep the usage they had. Sets no conditions (ResourceQuota has none).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitplane.api.quantity import Quantity
from gitplane.api.resources import ResourceType
from gitplane.server.admission import resource_quota, resource_quota_cache
from gitplane.server.admission.resource_quota_charges import Charges
from gitplane.server.catalog import Catalog
from gitplane.storage import interface as storage

COUNTED_VERBS = frozenset({"create", "list", "watch", "delete"})
"""What a type must serve for kube's quota controller to count it."""

_countable: weakref.WeakKeyDictionary[Catalog, dict[str, ResourceType]] = weakref.WeakKeyDictionary()


def countable_types(catalog: Catalog) -> Mapping[str, ResourceType]:
    """The quota resource names that count the objects of a namespaced type ``catalog`` serves, and that type
    (computed once per catalog)."""
    found = _countable.get(catalog)
    if found is None:
        found = {}
        for resource_type in catalog.types:
            if resource_type.namespaced and COUNTED_VERBS.issubset(resource_type.verbs):
                for name in resource_quota.object_count_names(resource_type.group, resource_type.plural):
                    found.setdefault(name, resource_type)
        _countable[catalog] = found
    return found


def stored_prefix(resource_type: ResourceType, cluster: str, namespace: str) -> storage.Prefix:
    return storage.Prefix(resource_type.stored_group, resource_type.plural, resource_type.storage_identity,
                          cluster, namespace)


@dataclass(frozen=True, slots=True)
class Usage:
    """What ``status.used`` should be, and when to measure again (charges counted that may expire)."""

    used: dict[str, str]
    recheck_after: float | None


async def count_objects(store: storage.Store, charges: Charges,
                        prefix: storage.Prefix) -> tuple[int, float | None]:
    """Objects under ``prefix``, counting charged creates not stored yet; and the seconds until the first of
    those charges expires (None when there is none)."""
    unsettled = charges.unsettled(prefix)
    if not unsettled:
        page = await store.list(prefix, limit=1)
        return len(page.records) + page.remaining, None
    page = await store.list(prefix)
    stored = {record.key.name for record in page.records}
    waiting = [expires for name, expires in unsettled.items() if name not in stored]
    return len(stored) + len(waiting), min(waiting, default=None)


async def measure(*, store: storage.Store, charges: Charges, catalog: Catalog, cluster: str, namespace: str,
                  quota: Mapping[str, Any]) -> Usage:
    """The usage of ``quota`` (a ResourceQuota of ``namespace`` in ``cluster``)."""
    hard: Mapping[str, Any] = (quota.get("spec") or {}).get("hard") or {}
    previous: Mapping[str, Any] = (quota.get("status") or {}).get("used") or {}
    countable = countable_types(catalog)
    scoped = resource_quota_cache.is_scoped(quota)
    counts: dict[storage.Prefix, int] = {}
    used: dict[str, str] = {}
    recheck: float | None = None
    for name in sorted(hard):
        resource_type = countable.get(name)
        if resource_type is None:
            if name in previous:
                used[name] = previous[name]
            continue
        if scoped:
            used[name] = "0"
            continue
        prefix = stored_prefix(resource_type, cluster, namespace)
        if prefix not in counts:
            counts[prefix], expires = await count_objects(store, charges, prefix)
            if expires is not None:
                recheck = expires if recheck is None else min(recheck, expires)
        used[name] = str(Quantity(counts[prefix], 0))
    return Usage(used, recheck)
