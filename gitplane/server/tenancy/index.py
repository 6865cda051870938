"""Which logical clusters exist, under which paths, and in which phase: the index every request resolves through.

A logical cluster exists because its singleton LogicalCluster ``cluster`` exists inside it (kcp's rule); the
object's ``kcp.io/path`` annotation is its canonical workspace path (``root:org-a:team-a``) and its
``status.phase`` says whether it may be entered. One list+watch of every cluster's LogicalCluster keeps two
dicts: name → (path, phase) and path → name, a few hundred bytes per logical cluster and no task, thread or
timer per cluster. ``root`` always resolves (it exists before its LogicalCluster is written at bootstrap).

    store (logicalclusters of every cluster) --list+watch--> {name: Entry(path, phase)}, {path: name}

:meth:`LogicalClusterIndex.resolve` turns a URL's ``/clusters/<path-or-name>`` into a cluster name (a path
through the second dict; a name is itself), :meth:`entry` tells whether and how the cluster exists.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import NamedTuple

import orjson

from gitplane.runtime.source import list_and_watch
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.storage import interface as storage

log = logging.getLogger(__name__)

ROOT = "root"
WILDCARD = "*"
"""The URL's cluster segment of a request across every logical cluster (``/clusters/*``)."""

_SEGMENT = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_CLUSTER_NAME = re.compile(_SEGMENT)
_PATH = re.compile(rf"{_SEGMENT}(:{_SEGMENT})*")


class Entry(NamedTuple):
    path: str
    phase: str
    required_groups: tuple[tuple[str, ...], ...] = ()
    """kcp's ``authorization.kcp.io/required-groups``: a user must be in every group of one of these sets."""


def required_groups(value: object) -> tuple[tuple[str, ...], ...]:
    """``a,b;c`` (a AND b, OR c) as ``(("a", "b"), ("c",))``; nothing for an empty or missing value."""
    if not isinstance(value, str):
        return ()
    return tuple(groups for part in value.split(";")
                 if (groups := tuple(g.strip() for g in part.split(",") if g.strip())))


def is_cluster_name(value: str) -> bool:
    """Whether ``value`` has the form of a logical cluster name (one path segment)."""
    return _CLUSTER_NAME.fullmatch(value) is not None


def is_path(value: str) -> bool:
    """Whether ``value`` has the form of a workspace path (segments joined by ``:``)."""
    return _PATH.fullmatch(value) is not None


class LogicalClusterIndex:
    """See the module docstring. Used from the event loop only."""

    def __init__(self) -> None:
        self._by_name: dict[str, Entry] = {}
        self._by_path: dict[str, str] = {}
        self.synced = False
        self.revision = 0
        self._changed = asyncio.Event()

    def resolve(self, path_or_name: str) -> str | None:
        """The logical cluster name a URL's cluster segment stands for: the cluster at that canonical path, or
        the segment itself when it has the form of a cluster name (whether such a cluster exists is
        :meth:`entry`'s answer, asked by authorization); None for anything else."""
        found = self._by_path.get(path_or_name)
        if found is not None:
            return found
        if path_or_name == ROOT or is_cluster_name(path_or_name):
            return path_or_name
        return None

    def entry(self, name: str) -> Entry | None:
        """The cluster's path and phase, or None when its LogicalCluster does not exist."""
        return self._by_name.get(name)

    def path_of(self, name: str) -> str | None:
        entry = self._by_name.get(name)
        return entry.path if entry is not None else None

    def __len__(self) -> int:
        return len(self._by_name)

    async def wait_for(self, revision: int) -> None:
        """Return once the index reflects every LogicalCluster change up to ``revision``."""
        while self.revision < revision:
            await self._changed.wait()

    # -- following the store ----------------------------------------------------------------------------
    async def follow(self, store: storage.Store) -> None:
        """Keep the index current from the store's LogicalClusters, until cancelled."""
        await list_and_watch(store, lc.PREFIX, name="logical-cluster-index", on_list=self._listed,
                             on_event=self._event)

    def _listed(self, page: storage.Page) -> None:
        self._by_name, self._by_path = {}, {}
        for record in page.records:
            self._keep(record)
        self.synced = True
        self._advance(page.revision)

    def _event(self, event: storage.Event) -> None:
        if event.type is storage.EventType.DELETED:
            self._forget(event.record.key.cluster)
        else:
            self._keep(event.record)
        self._advance(event.record.revision)

    def _keep(self, record: storage.Record) -> None:
        if record.key.name != lc.NAME:
            return
        try:
            obj = orjson.loads(record.value)
        except orjson.JSONDecodeError:
            log.warning("the LogicalCluster of cluster %s cannot be read; not served", record.key.cluster)
            return
        name = record.key.cluster
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        path = annotations.get(lc.PATH_ANNOTATION)
        if not isinstance(path, str) or not is_path(path):
            path = name
        phase = str((obj.get("status") or {}).get("phase") or "Scheduling")
        required = required_groups(annotations.get(lc.REQUIRED_GROUPS_ANNOTATION))
        before = self._by_name.get(name)
        if before is not None and before.path != path and self._by_path.get(before.path) == name:
            del self._by_path[before.path]
        self._by_name[name] = Entry(path, phase, required)
        self._by_path[path] = name

    def _forget(self, name: str) -> None:
        entry = self._by_name.pop(name, None)
        if entry is not None and self._by_path.get(entry.path) == name:
            del self._by_path[entry.path]

    def _advance(self, revision: int) -> None:
        self.revision = max(self.revision, revision)
        self._changed.set()
        self._changed = asyncio.Event()
