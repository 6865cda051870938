"""WorkspaceTypes as kcp resolves them: references, inheritance through ``extend.with``, parent/child limits.

A type is named by a reference ``{name, path}``; ``path`` is the workspace that holds the WorkspaceType object.
A reference without a path is looked for in the workspace it is used from, then in each ancestor up to root
(kcp's ``resolveWorkspaceTypeReference``). A type *is* every type it extends, transitively (its aliases): the
initializers of all of them apply, and a parent/child pair is allowed only if no alias of either side forbids
it. Refusals use kcp's words, because users match on them.

    reference --resolve--> WorkspaceType (read from the store, in the cluster at its path)
              --aliases--> [the extended types, depth first, then the type itself]
              --allowed_parents / allowed_children--> errors
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from gitplane.runtime.source import list_and_watch
from gitplane.server.tenancy.index import ROOT
from gitplane.storage import interface as storage

GROUP = "tenancy.kcp.io"
RESOURCE = "workspacetypes"


class UnusableType(Exception):
    """A type that cannot be resolved or used (the message is kcp's)."""


class Paths(Protocol):
    def resolve(self, path_or_name: str) -> str | None: ...


@dataclass(frozen=True)
class WorkspaceType:
    """One WorkspaceType object and the canonical path of the workspace it lives in."""

    path: str
    name: str
    spec: Mapping[str, Any]

    @property
    def qualified(self) -> str:
        """``root:universal``: the type's path and name, as kcp names a type in messages and initializers."""
        return f"{self.path}:{self.name}"


@dataclass(frozen=True)
class Reference:
    name: str
    path: str = ""

    @classmethod
    def of(cls, value: Any) -> Reference | None:
        if not isinstance(value, Mapping) or not isinstance(value.get("name"), str) or not value["name"]:
            return None
        path = value.get("path")
        return cls(value["name"], path if isinstance(path, str) else "")

    @property
    def qualified(self) -> str:
        return f"{self.path}:{self.name}" if self.path else self.name


def parent_path(path: str) -> str | None:
    head, sep, _ = path.rpartition(":")
    return head if sep else None


class WorkspaceTypeCache:
    """Every cluster's WorkspaceTypes by ``(cluster, name)``, kept by one list+watch (there are few, and every
    Workspace create and schedule reads several). Used from the event loop only."""

    def __init__(self) -> None:
        self._specs: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.synced = False

    def spec(self, cluster: str, name: str) -> Mapping[str, Any] | None:
        return self._specs.get((cluster, name))

    async def follow(self, store: storage.Store) -> None:
        await list_and_watch(store, storage.Prefix(GROUP, RESOURCE, ""), name="workspace-type-cache",
                             on_list=self._listed, on_event=self._event)

    def _listed(self, page: storage.Page) -> None:
        self._specs = {}
        for record in page.records:
            self._keep(record)
        self.synced = True

    def _event(self, event: storage.Event) -> None:
        if event.type is storage.EventType.DELETED:
            self._specs.pop((event.record.key.cluster, event.record.key.name), None)
        else:
            self._keep(event.record)

    def _keep(self, record: storage.Record) -> None:
        try:
            spec = orjson.loads(record.value).get("spec") or {}
        except orjson.JSONDecodeError:
            return
        self._specs[(record.key.cluster, record.key.name)] = spec


class Resolver:
    """Reads WorkspaceTypes in the cluster each path resolves to (``paths``): from ``cache`` once it has
    listed the store, else from ``store``."""

    def __init__(self, store: storage.Store, paths: Paths, cache: WorkspaceTypeCache | None = None) -> None:
        self.store = store
        self.paths = paths
        self.cache = cache

    async def get(self, path: str, name: str) -> WorkspaceType | None:
        cluster = self.paths.resolve(path)
        if cluster is None:
            return None
        if self.cache is not None and self.cache.synced:
            spec = self.cache.spec(cluster, name)
            return None if spec is None else WorkspaceType(path, name, spec)
        try:
            record = await self.store.get(storage.Key(GROUP, RESOURCE, "", cluster, "", name))
        except storage.NotFound:
            return None
        obj = orjson.loads(record.value)
        return WorkspaceType(path, name, obj.get("spec") or {})

    async def resolve(self, workspace_path: str, ref: Reference) -> WorkspaceType:
        """The type ``ref`` names, seen from the workspace at ``workspace_path``."""
        if ref.path:
            found = await self.get(ref.path, ref.name)
            if found is None:
                raise UnusableType(f'workspace type "{ref.qualified}" cannot be resolved')
            return found
        current = workspace_path
        while True:
            found = await self.get(current, ref.name)
            if found is not None:
                return found
            parent = parent_path(current)
            if parent is None:
                if current == ROOT:
                    raise UnusableType(f'workspace type "{ref.name}" cannot be resolved')
                parent = ROOT
            current = parent

    async def aliases(self, wt: WorkspaceType) -> list[WorkspaceType]:
        """Every type ``wt`` extends, transitively and depth first, then ``wt`` itself (kcp's order)."""
        seen: set[str] = set()
        found = await self._extended(wt, seen, [])
        return [*found, wt]

    async def _extended(self, wt: WorkspaceType, seen: set[str], chain: list[str]) -> list[WorkspaceType]:
        seen.add(wt.qualified)
        chain = [*chain, wt.qualified]
        result: list[WorkspaceType] = []
        for item in (wt.spec.get("extend") or {}).get("with") or []:
            ref = Reference.of(item)
            if ref is None:
                continue
            try:
                base = await self.resolve(wt.path, ref)
            except UnusableType:
                raise UnusableType(f"unable to find inherited workspace type {ref.name}") from None
            if base.qualified in chain:
                cycle = chain[chain.index(base.qualified):]
                raise UnusableType(f"circular dependency detected in workspace type {base.qualified}: "
                                 f"{' -> '.join(cycle)}")
            if base.qualified in seen:
                continue
            result.append(base)
            result.extend(await self._extended(base, seen, chain))
        return result


def _limits(wt: WorkspaceType, field: str) -> Mapping[str, Any] | None:
    value = wt.spec.get(field)
    return value if isinstance(value, Mapping) else None


def _allowed(limits: Mapping[str, Any]) -> set[str]:
    return {ref.qualified for ref in (Reference.of(t) for t in limits.get("types") or []) if ref is not None}


def allowed_parents(parents: Sequence[WorkspaceType], children: Sequence[WorkspaceType], parent_type: str,
                    child_type: str) -> list[str]:
    """kcp's ``validateAllowedParents``: each alias of the child that limits its parents must find one of them
    among the parent's aliases."""
    return _limit_errors(children, parents, field="limitAllowedParents", relation="parent", limited_type=child_type,
                         other_type=parent_type)


def allowed_children(parents: Sequence[WorkspaceType], children: Sequence[WorkspaceType], parent_type: str,
                     child_type: str) -> list[str]:
    """kcp's ``validateAllowedChildren``: each alias of the parent that limits its children must find one of
    them among the child's aliases."""
    return _limit_errors(parents, children, field="limitAllowedChildren", relation="child",
                         limited_type=parent_type, other_type=child_type)


def _limit_errors(limiting: Sequence[WorkspaceType], others: Sequence[WorkspaceType], *, field: str, relation: str,
                  limited_type: str, other_type: str) -> list[str]:
    """What each alias of one side that limits its ``relation`` (``field``) says of the other side's aliases."""
    errors: list[str] = []
    implemented = {t.qualified for t in others}
    for alias in limiting:
        limits = _limits(alias, field)
        if limits is None:
            continue
        if limits.get("none"):
            errors.append(f"workspace type {limited_type} cannot have any {relation}")
            continue
        allowed = _allowed(limits)
        if allowed and not allowed & implemented:
            extending = f" extends {alias.qualified}, which" if alias.qualified != limited_type else ""
            errors.append(f"workspace type {limited_type}{extending} only allows {_list(allowed)} {relation} "
                          f"workspaces, but {relation} type {other_type} only implements {_list(implemented)}")
    return errors


def _list(names: set[str]) -> str:
    """A Go ``%v`` of a sorted string slice: ``[a b]``."""
    return "[" + " ".join(sorted(names)) + "]"


def initializers(aliases: Sequence[WorkspaceType]) -> list[str]:
    """The initializers a workspace of a type with these aliases gets: each alias with ``initializer: true``."""
    return [alias.qualified for alias in aliases if alias.spec.get("initializer") is True]


def terminators(aliases: Sequence[WorkspaceType]) -> list[str]:
    """The terminators a workspace of a type with these aliases gets: each alias with ``terminator: true``."""
    return [alias.qualified for alias in aliases if alias.spec.get("terminator") is True]
