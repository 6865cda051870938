"""The context of one resource request: which type, which strategy, which store keys.

Handlers receive a :class:`ResourceRequest` built once by the router; it translates between the request's
view (type, namespace, name in the URL) and storage (keys and prefixes in the logical cluster), and reads
stored objects back into the served view.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.api.resources import ResourceType
from gitplane.api.schema import Definitions, Schema
from gitplane.server.registry.strategy import Strategy
from gitplane.server.request import Request
from gitplane.server.tenancy.index import WILDCARD
from gitplane.storage import interface as storage

Obj = dict[str, Any]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def rfc3339(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _SecondClock:
    """The current time in RFC 3339 to the second, as every write stamps it (formatted once a second)."""

    __slots__ = ("_second", "_text")

    def __init__(self) -> None:
        self._second, self._text = -1, ""

    def __call__(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second, self._text = second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
        return self._text


timestamp = _SecondClock()


@dataclass(slots=True)
class ResourceRequest:
    """Everything a handler needs about the resource a request addresses."""

    request: Request
    type: ResourceType
    strategy: Strategy
    store: storage.Store
    definitions: Definitions
    cluster: str
    namespace: str
    name: str
    subresource: str

    @property
    def schema(self) -> Schema:
        return self.strategy.resolved_schema(self.definitions)

    def key(self, name: str | None = None) -> storage.Key:
        t = self.type
        return storage.Key(t.stored_group, t.plural, t.storage_identity, self.cluster,
                           self.namespace if t.namespaced else "", self.name if name is None else name)

    def prefix(self) -> storage.Prefix:
        t = self.type
        if self.cluster == WILDCARD:  # every logical cluster, every namespace
            return storage.Prefix(t.stored_group, t.plural, t.storage_identity)
        namespace = self.namespace if t.namespaced and self.namespace else None
        if not t.namespaced:
            namespace = ""
        return storage.Prefix(t.stored_group, t.plural, t.storage_identity, self.cluster, namespace)

    def not_found(self) -> errors.APIError:
        return errors.not_found(self.type.plural, self.name, self.type.group)

    # -- reading stored objects into the served view --------------------------------------------------------
    def decode(self, record: storage.Record) -> Obj:
        obj: Obj = orjson.loads(record.value)
        return self.strategy.to_view(obj) if self.strategy.converts else obj

    def served_bytes(self, record: storage.Record) -> bytes:
        """The object's JSON as served: the stored bytes themselves unless the type converts."""
        if self.strategy.converts:
            return orjson.dumps(self.strategy.to_view(orjson.loads(record.value)))
        return record.value

    def encode_for_storage(self, obj: Obj) -> bytes:
        stored = self.strategy.from_view(obj) if self.strategy.converts else obj
        return orjson.dumps(stored)

    async def record(self) -> storage.Record:
        """The current record; 404 when absent."""
        try:
            return await self.store.get(self.key())
        except storage.NotFound:
            raise self.not_found() from None

    async def read(self) -> tuple[storage.Record, Obj]:
        """The current record and its decoded, served view; 404 when absent."""
        record = await self.record()
        return record, self.decode(record)

    async def read_or_none(self) -> tuple[storage.Record, Obj] | tuple[None, None]:
        try:
            record = await self.store.get(self.key())
        except storage.NotFound:
            return None, None
        return record, self.decode(record)
