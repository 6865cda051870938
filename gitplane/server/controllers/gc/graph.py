"""The garbage collector's graph: who owns whom, by uid, across every type and logical cluster.

Fed by the collector's watches (one per stored type, each over every cluster), it keeps, for each object that
has ``ownerReferences``, its owners' uids, and for each uid the objects that name it as their owner. Objects
are named by their storage key; the graph holds no object bodies. What it knows of each object with owners:

    node(key) -> owners: ((uid, apiVersion, kind, name, blockOwnerDeletion), ...)
    dependents(uid) -> {key, ...}

It answers "which objects name this uid as an owner" (when an owner goes, or waits in foreground deletion) and
"which owners does this object name" (to check them). Objects without owners cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gitplane.storage import interface as storage


@dataclass(frozen=True, slots=True)
class OwnerRef:
    uid: str
    api_version: str
    kind: str
    name: str
    block_owner_deletion: bool


def owner_refs(obj: Mapping[str, Any]) -> tuple[OwnerRef, ...]:
    """An object's well-formed owner references (validation refused the others)."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    out = []
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, Mapping) and all(isinstance(ref.get(k), str) and ref.get(k)
                                            for k in ("uid", "apiVersion", "kind", "name")):
            out.append(OwnerRef(ref["uid"], ref["apiVersion"], ref["kind"], ref["name"],
                                bool(ref.get("blockOwnerDeletion"))))
    return tuple(out)


class Graph:
    """See the module docstring. Used from the event loop only."""

    def __init__(self) -> None:
        self._owners: dict[storage.Key, tuple[OwnerRef, ...]] = {}
        self._dependents: dict[str, set[storage.Key]] = {}

    def __len__(self) -> int:
        return len(self._owners)

    def owners(self, key: storage.Key) -> tuple[OwnerRef, ...]:
        return self._owners.get(key, ())

    def dependents(self, uid: str) -> set[storage.Key]:
        return set(self._dependents.get(uid, ()))

    def set(self, key: storage.Key, refs: Iterable[OwnerRef]) -> None:
        """Record ``key``'s owners (none: forget it)."""
        refs = tuple(refs)
        for old in self._owners.pop(key, ()):
            holders = self._dependents.get(old.uid)
            if holders is not None:
                holders.discard(key)
                if not holders:
                    del self._dependents[old.uid]
        if refs:
            self._owners[key] = refs
            for ref in refs:
                self._dependents.setdefault(ref.uid, set()).add(key)

    def forget_type(self, prefix: storage.Prefix) -> None:
        """Drop every object of one stored type (before the type is listed again)."""
        for key in [k for k in self._owners if prefix.contains(k)]:
            self.set(key, ())
