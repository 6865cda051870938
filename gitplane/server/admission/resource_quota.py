"""Admission plugin ResourceQuota, as kube-apiserver's: object counts of a namespace stay within its quotas,
exactly, however many creates race.

A CREATE of a namespaced object (events excepted, as in kube) is checked against every ResourceQuota of its
namespace whose ``hard`` names the object's count (``count/<resource>[.<group>]``, or a legacy name such as
``configmaps``). The check uses the quota's *status*: ``used + 1 <= status.hard``, refused with kube's 403
``exceeded quota: …`` otherwise, and with ``status unknown for quota: …`` while the quota controller has not yet
filled ``status.hard`` and ``status.used`` for that resource. A quota with scopes never limits object counts
(kube's object-count evaluator matches no scope).

Charging is the write of ``used + 1`` into the quota's ``status.used``, through the store with the quota's
revision as the expected one, before the object is stored. Creates are serialised per namespace and batched,
as kube's quota evaluator does: one waiting create leads, takes the namespace's turn and checks every create
waiting there against one read of the quotas, writing each changed quota once; the others only wait for their
outcome, and those that arrived meanwhile elect the next leader. A conflict (someone else wrote the quota)
re-reads the quotas that conflicted and checks their creates again. Dry runs are checked but charge nothing.

:class:`Charges` is shared with the quota controller (``gitplane.server.controllers.quota``): the same
per-namespace turn orders the controller's recounts against charging, and its ledger of admitted creates whose
objects the store has not shown yet lets a recount include them, so a recount racing a create cannot give
away quota that is already promised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.api.quantity import Quantity
from gitplane.server.admission import Attributes, Operation
from gitplane.server.admission.resource_quota_cache import QuotaCache, limited_names
from gitplane.server.admission.resource_quota_charges import Charges
from gitplane.storage import interface as storage

IGNORED = frozenset({("", "events"), ("events.k8s.io", "events")})
"""Group/resources quota never counts (kube's default ignored resources that we serve)."""
LEGACY_NAMES = {("", "configmaps"): "configmaps", ("", "resourcequotas"): "resourcequotas",
                ("", "replicationcontrollers"): "replicationcontrollers", ("", "secrets"): "secrets"}
"""The names kube still accepts for the object counts it tracked before ``count/…`` existed."""
MAX_ATTEMPTS = 4
"""Quota writes per batch before a create is refused with the last conflict (kube: one try, three retries)."""
QUOTAS = "resourcequotas"
ONE = Quantity(1, 0)


def object_count_names(group: str, resource: str) -> tuple[str, ...]:
    """The quota resource names that count objects of ``group``/``resource`` (empty for ignored types)."""
    if (group, resource) in IGNORED:
        return ()
    count = f"count/{resource}.{group}" if group else f"count/{resource}"
    legacy = LEGACY_NAMES.get((group, resource))
    return (count, legacy) if legacy else (count,)


def quotas_prefix(cluster: str, namespace: str) -> storage.Prefix:
    return storage.Prefix("", QUOTAS, "", cluster, namespace)


@dataclass(frozen=True, slots=True)
class Quota:
    """One ResourceQuota as admission reads it."""

    record: storage.Record
    obj: dict[str, Any]
    name: str
    limited: frozenset[str]
    """Every resource named in ``spec.hard`` or ``status.hard``; empty when the quota is scoped."""
    hard: Mapping[str, Any]
    used: Mapping[str, Any]

    @classmethod
    def read(cls, record: storage.Record) -> Quota:
        obj: dict[str, Any] = orjson.loads(record.value)
        status = obj.get("status") or {}
        return cls(record, obj, record.key.name, limited_names(obj), status.get("hard") or {},
                   status.get("used") or {})

    def constrained(self, names: Sequence[str]) -> tuple[str, ...]:
        return tuple(name for name in names if name in self.limited)

    def with_used(self, used: Mapping[str, Quantity]) -> bytes:
        """The stored form of this quota with ``status.used`` updated by ``used``."""
        status = dict(self.obj.get("status") or {})
        status["used"] = {**self.used, **{name: str(value) for name, value in used.items()}}
        return orjson.dumps({**self.obj, "status": status})


async def read_quotas(store: storage.Store, cluster: str, namespace: str) -> list[Quota]:
    """The namespace's quotas, in name order."""
    page = await store.list(quotas_prefix(cluster, namespace))
    return [Quota.read(record) for record in page.records]


def charged_prefix(attrs: Attributes) -> storage.Prefix:
    """Where the objects of the type ``attrs`` creates are stored, in its namespace."""
    t = attrs.type
    return storage.Prefix(t.stored_group, t.plural, t.storage_identity, attrs.cluster, attrs.namespace)


def _forbidden(attrs: Attributes, reason: str) -> errors.APIError:
    resource = f"{attrs.type.plural}.{attrs.type.group}" if attrs.type.group else attrs.type.plural
    return errors.forbidden_error(f'{resource} "{attrs.name}" is forbidden: {reason}', resource=attrs.type.plural,
                                  group=attrs.type.group, name=attrs.name)


def _listed(values: Iterable[tuple[str, object]]) -> str:
    """kube's ``prettyPrint`` of a resource list: ``name=value`` in name order, joined by commas."""
    return ",".join(f"{name}={value}" for name, value in sorted(values))


def _plus_one(value: Quantity) -> Quantity:
    if value.scale >= 0:
        return Quantity(value.unscaled * 10**value.scale + 1, 0, value.format)
    return Quantity(value.unscaled + 10**-value.scale, value.scale, value.format)


class RunningUsage:
    """Usage as a batch would leave it: each quota's ``status.used``, with the batch's charges added."""

    def __init__(self) -> None:
        self.charged: dict[str, dict[str, Quantity]] = {}

    def used(self, quota: Quota, name: str) -> Quantity:
        charged = self.charged.get(quota.name, {}).get(name)
        return charged if charged is not None else Quantity.from_json(quota.used[name])

    def charge(self, quota: Quota, names: Iterable[str]) -> None:
        charged = self.charged.setdefault(quota.name, {})
        for name in names:
            charged[name] = _plus_one(self.used(quota, name))


def check(attrs: Attributes, names: Sequence[str], quotas: Sequence[Quota], usage: RunningUsage) -> frozenset[str]:
    """Check one create against ``quotas`` as kube's ``CheckRequest`` does; charge ``usage`` unless it is a
    dry run, and return the names of the quotas charged.

    Raises:
        errors.APIError: 403 when a quota's usage is unknown or the create would exceed it.
    """
    matched: list[tuple[Quota, tuple[str, ...]]] = []
    for quota in quotas:
        constrained = quota.constrained(names)
        if not constrained:
            continue
        if any(name not in quota.hard or name not in quota.used for name in constrained):
            raise _forbidden(attrs, f"status unknown for quota: {quota.name}, resources: "
                                    f"{','.join(sorted(constrained))}")
        matched.append((quota, constrained))
    for quota, constrained in matched:
        hard = {name: Quantity.from_json(quota.hard[name]) for name in constrained}
        exceeded = [name for name in constrained if _plus_one(usage.used(quota, name)).compare(hard[name]) > 0]
        if exceeded:
            raise _forbidden(attrs, f"exceeded quota: {quota.name}, "
                                    f"requested: {_listed((name, ONE) for name in exceeded)}, "
                                    f"used: {_listed((name, usage.used(quota, name)) for name in exceeded)}, "
                                    f"limited: {_listed((name, hard[name]) for name in exceeded)}")
    if attrs.dry_run:
        return frozenset()
    for quota, constrained in matched:
        usage.charge(quota, constrained)
    return frozenset(quota.name for quota, _ in matched)


@dataclass(eq=False)
class _Create:
    """A create waiting for its namespace's turn."""

    attrs: Attributes
    names: tuple[str, ...]
    outcome: asyncio.Future[None]
    charged: frozenset[str] = field(default=frozenset())


class ResourceQuotaAdmission:
    """The plugin. ``charges`` is shared with the quota controller; :meth:`follow_quotas` keeps the cache that
    lets creates in namespaces without quotas skip the store (until it runs, every create reads the store)."""

    def __init__(self, charges: Charges | None = None) -> None:
        self.charges = charges if charges is not None else Charges()
        self.cache = QuotaCache()
        self._waiting: dict[tuple[str, str], list[_Create]] = {}
        self._leaders: dict[tuple[str, str], asyncio.Future[None]] = {}

    async def follow_quotas(self, store: storage.Store) -> None:
        """Keep the quota cache current from ``store``'s watch, until cancelled."""
        await self.cache.follow(store)

    async def validate(self, attrs: Attributes) -> None:
        if attrs.operation is not Operation.CREATE or not attrs.type.namespaced or attrs.subresource:
            return
        names = object_count_names(attrs.type.group, attrs.type.plural)
        if not names or not self.cache.may_limit(attrs.cluster, attrs.namespace, names):
            return
        if not self.cache.listed.is_set():
            quotas = await read_quotas(attrs.store, attrs.cluster, attrs.namespace)
            if not any(quota.constrained(names) for quota in quotas):
                return
        create = _Create(attrs, names, asyncio.get_running_loop().create_future())
        where = (attrs.cluster, attrs.namespace)
        self._waiting.setdefault(where, []).append(create)
        while not create.outcome.done():
            leader = self._leaders.get(where)
            if leader is None:
                await self._lead(attrs.store, where, create)
            else:
                await asyncio.wait((create.outcome, leader), return_when=asyncio.FIRST_COMPLETED)
        create.outcome.result()

    async def _lead(self, store: storage.Store, where: tuple[str, str], own: _Create) -> None:
        """Take the namespace's turn and admit what waits there, until ``own`` is decided; then hand over (the
        creates that arrived meanwhile elect the next leader)."""
        finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._leaders[where] = finished
        batch: list[_Create] = []
        try:
            while not own.outcome.done():
                async with self.charges.turn(*where):
                    batch = self._waiting.pop(where, [])
                    if not batch:  # a create being decided is always waiting or in its leader's batch
                        raise errors.internal("resource quota evaluation lost a create")
                    await self._admit(store, batch)
        except Exception:
            for create in batch:
                if create is not own and not create.outcome.done():
                    create.outcome.set_exception(errors.internal("resource quota evaluation failed"))
            raise
        finally:
            interrupted = [create for create in batch if create is not own and not create.outcome.done()]
            if interrupted:
                self._waiting.setdefault(where, [])[:0] = interrupted
            del self._leaders[where]
            finished.set_result(None)

    async def _admit(self, store: storage.Store, batch: list[_Create]) -> None:
        """Check and charge every create of ``batch`` (one namespace), settling each one's outcome."""
        first = batch[0].attrs
        quotas = await read_quotas(store, first.cluster, first.namespace)
        undecided = batch
        conflicted: set[str] = set()
        for _ in range(MAX_ATTEMPTS):
            usage = RunningUsage()
            for create in undecided:
                try:
                    create.charged = check(create.attrs, create.names, quotas, usage)
                except errors.APIError as exc:
                    create.outcome.set_exception(exc)
            conflicted, revision = await self._write(store, quotas, usage)
            for create in undecided:
                if not create.outcome.done() and not create.charged & conflicted:
                    if create.charged:
                        self.charges.record(charged_prefix(create.attrs), create.attrs.name, revision)
                    create.outcome.set_result(None)
            undecided = [create for create in undecided if not create.outcome.done()]
            if not undecided:
                return
            quotas = [quota for quota in await read_quotas(store, first.cluster, first.namespace)
                      if quota.name in conflicted]
        for create in undecided:
            create.outcome.set_exception(errors.stale_conflict(QUOTAS, min(create.charged & conflicted)))

    @staticmethod
    async def _write(store: storage.Store, quotas: Sequence[Quota], usage: RunningUsage) -> tuple[set[str], int]:
        """Write the charged quotas; the names of those that changed meanwhile, and the last revision written."""
        conflicted: set[str] = set()
        revision = 0
        for quota in quotas:
            used = usage.charged.get(quota.name)
            if not used:
                continue
            try:
                record = await store.update(quota.record.key, quota.with_used(used), expect=quota.record.revision)
            except storage.Conflict:
                conflicted.add(quota.name)
            except storage.NotFound:
                continue  # deleted meanwhile: it limits nothing any more
            else:
                revision = max(revision, record.revision)
        return conflicted, revision
