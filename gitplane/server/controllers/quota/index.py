"""Which quotas count which stored types, per namespace: it routes an object event to the quotas that must be
recounted, and tells the controller which types it must watch (a type is watched while any quota counts it)."""

from __future__ import annotations

from collections import Counter

Cluster = str
Namespace = str
QuotaKey = tuple[str, str, str]
"""``(cluster, namespace, name)`` of a ResourceQuota."""
StoredType = tuple[str, str, str]
"""``(group, resource, identity)`` of stored objects, as a storage prefix names them."""


class QuotaIndex:
    def __init__(self) -> None:
        self._namespaces: dict[tuple[Cluster, Namespace], dict[str, frozenset[StoredType]]] = {}
        self._users: Counter[StoredType] = Counter()

    def set(self, key: QuotaKey, counted: frozenset[StoredType]) -> None:
        """Quota ``key`` counts the objects of ``counted`` in its namespace."""
        cluster, namespace, name = key
        quotas = self._namespaces.setdefault((cluster, namespace), {})
        self._users.subtract(quotas.get(name, ()))
        self._users.update(counted)
        quotas[name] = counted
        self._users = +self._users

    def remove(self, key: QuotaKey) -> None:
        cluster, namespace, name = key
        quotas = self._namespaces.get((cluster, namespace))
        if quotas is None or name not in quotas:
            return
        self._users.subtract(quotas.pop(name))
        self._users = +self._users
        if not quotas:
            del self._namespaces[(cluster, namespace)]

    def clear(self) -> None:
        self._namespaces.clear()
        self._users.clear()

    def counting(self, cluster: Cluster, namespace: Namespace, stored: StoredType) -> list[QuotaKey]:
        """The quotas of a namespace that count objects of ``stored``."""
        quotas = self._namespaces.get((cluster, namespace), {})
        return [(cluster, namespace, name) for name, counted in quotas.items() if stored in counted]

    def counting_anywhere(self, stored: StoredType) -> list[QuotaKey]:
        """The quotas of every namespace that count objects of ``stored``."""
        return [(cluster, namespace, name) for (cluster, namespace), quotas in self._namespaces.items()
                for name, counted in quotas.items() if stored in counted]

    def quotas(self) -> list[QuotaKey]:
        return [(cluster, namespace, name) for (cluster, namespace), quotas in self._namespaces.items()
                for name in quotas]

    def watched(self) -> frozenset[StoredType]:
        """Every type some quota counts."""
        return frozenset(self._users)
