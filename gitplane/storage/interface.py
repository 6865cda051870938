"""The Store protocol: what every storage backend (memory, SQLite, later etcd) offers the API server.

Data model, as kcp keeps it in etcd:

* a :class:`Key` is ``(group, resource, identity, cluster, namespace, name)``. ``identity`` separates two APIs
  that share a group/resource (``""`` for built-in types, ``customresources`` for a workspace's own CRDs, an
  APIExport identity hash for bound resources); ``cluster`` is the logical cluster name; ``namespace`` is
  ``""`` for cluster-scoped objects. The encoded key orders objects by type, then cluster, namespace and
  name, so one range scan lists a namespace, a cluster, or one type across every cluster.
* a value is the object's JSON bytes. The store stamps ``metadata.resourceVersion`` into them on every write
  (see :mod:`gitplane.storage.stamp`), so reads hand out stored bytes as they are, without re-encoding.
* one global, monotonic *revision* counts every write; an object's ``resourceVersion`` is the revision of
  its last write. Watches resume from any revision still in the history window and fail with
  :class:`Gone` below it; lists may ask for an older revision within the same window.

Backends raise only the errors defined here; the server translates them into API ``Status`` errors.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import orjson

Revision = int


class Key(NamedTuple):
    """The address of one stored object. (Keys and records are named tuples: a list builds one of each per
    object, and tuples are several times cheaper to build than frozen dataclasses.)"""

    group: str
    resource: str
    identity: str
    cluster: str
    namespace: str
    name: str

    def encode(self) -> str:
        """The key as one string. Keys under a :class:`Prefix` begin with its encoding, and lists return
        records in the order of these strings (within a namespace, the order of the names)."""
        return (f"/{self.group}/{self.resource}/{self.identity}/{self.cluster}/"
                f"{self.namespace}/{self.name}")

    @classmethod
    def decode(cls, encoded: str) -> Key:
        _, group, resource, identity, cluster, namespace, name = encoded.split("/")
        return cls(group, resource, identity, cluster, namespace, name)


@dataclass(frozen=True, slots=True)
class Prefix:
    """A range of keys: one type (group, resource, identity), optionally narrowed to a cluster and namespace.

    ``cluster=None`` spans every logical cluster (the wildcard views of later virtual workspaces);
    ``namespace=None`` spans every namespace of a cluster (or the only, empty, one of cluster-scoped types).
    A namespace can only be given together with a cluster.
    """

    group: str
    resource: str
    identity: str = ""
    cluster: str | None = None
    namespace: str | None = None

    def __post_init__(self) -> None:
        if self.namespace is not None and self.cluster is None:
            raise ValueError("a storage prefix with a namespace needs a cluster")

    def encode(self) -> str:
        out = f"/{self.group}/{self.resource}/{self.identity}/"
        if self.cluster is not None:
            out += f"{self.cluster}/"
            if self.namespace is not None:
                out += f"{self.namespace}/"
        return out

    def contains(self, key: Key) -> bool:
        return (key.group == self.group and key.resource == self.resource and key.identity == self.identity
                and (self.cluster is None or key.cluster == self.cluster)
                and (self.namespace is None or key.namespace == self.namespace))


class Record(NamedTuple):
    """One stored object: its key, its JSON bytes (resourceVersion stamped) and the revision that wrote it."""

    key: Key
    value: bytes
    revision: Revision


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list, read at one revision.

    ``revision`` is the revision the page was read at (a list's ``resourceVersion``); when ``more`` is true,
    the next page starts after the last record's key at the same revision. ``remaining`` counts the records
    after this page at that revision.
    """

    records: list[Record]
    revision: Revision
    more: bool
    remaining: int


class EventType(enum.Enum):
    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


class Event(NamedTuple):
    """One change. ``record`` is the object after the change; for DELETED it is the last state of the object
    with the deleting revision stamped in. ``previous`` is the state before the change (None for ADDED)."""

    type: EventType
    record: Record
    previous: Record | None

    @property
    def revision(self) -> Revision:
        return self.record.revision


class StorageError(Exception):
    """Base of the errors a Store raises."""


class NotFound(StorageError):
    def __init__(self, key: Key) -> None:
        super().__init__(f"{key.encode()} not found")
        self.key = key


class AlreadyExists(StorageError):
    def __init__(self, key: Key) -> None:
        super().__init__(f"{key.encode()} already exists")
        self.key = key


class Conflict(StorageError):
    """An expected revision did not match; ``current`` is the record as it is now."""

    def __init__(self, key: Key, expected: Revision, current: Record) -> None:
        super().__init__(f"{key.encode()}: expected revision {expected}, found {current.revision}")
        self.key = key
        self.expected = expected
        self.current = current


class Gone(StorageError):
    """The requested revision has been compacted away (or is otherwise outside the history window)."""

    def __init__(self, requested: Revision, oldest: Revision) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested = requested
        self.oldest = oldest


class FutureRevision(StorageError):
    """A list or watch asked for a revision the store has not reached yet."""

    def __init__(self, requested: Revision, current: Revision) -> None:
        super().__init__(f"revision {requested} is newer than the current revision {current}")
        self.requested = requested
        self.current = current


class Closed(StorageError):
    """The store is shutting down."""


class Locked(StorageError):
    """Another process (or another store in this one) owns the store's data; only one may open it."""


class Corrupted(StorageError):
    """Stored data is damaged: a value failed its checksum, or the database file itself is malformed.

    ``subject`` names what was read (an encoded key, or a prefix for a range read) and ``revision`` the
    revision of the damaged value when it is known. The damaged bytes are never handed out.
    """

    def __init__(self, subject: str, revision: Revision | None, detail: str) -> None:
        at = "" if revision is None else f" at revision {revision}"
        super().__init__(f"stored data of {subject}{at} is corrupted ({detail}); it was not served. Run "
                         f"`gitplane check` on the data directory and restore the object or the data directory "
                         f"from a backup")
        self.subject = subject
        self.revision = revision


class DataLoss(StorageError):
    """Opening found that writes the store acknowledged are missing (or that it cannot tell); the store
    refuses to start until an operator restores a backup or accepts the loss."""


class Watch(Protocol):
    """A stream of events in revision order. Iteration ends when the watch is closed (by the consumer, by the
    store shutting down, or because the consumer fell too far behind: a client then re-watches from the last
    revision it saw)."""

    def __aiter__(self) -> AsyncIterator[Event]: ...

    async def batch(self, wait_seconds: float) -> list[Event] | None:
        """The events available now, waiting up to ``wait_seconds`` for the first: ``[]`` when none came,
        None once the watch has ended (streams to clients read this way, one wait per batch)."""
        ...

    def close(self) -> None: ...


class Store(Protocol):
    """The storage seam. Every write bumps one global revision; values are JSON objects whose
    ``metadata.resourceVersion`` the store stamps (callers pass values without it, or with any value)."""

    async def get(self, key: Key) -> Record:
        """The current record of ``key``; raises :class:`NotFound`."""
        ...

    async def list(self, prefix: Prefix, *, limit: int = 0, start_after: str | None = None,
                   revision: Revision | None = None) -> Page:
        """Records under ``prefix`` in key order, after the encoded key ``start_after``, at most ``limit``
        (0 = all), read at ``revision`` (None = the current one). Raises :class:`Gone` when ``revision`` has
        been compacted and :class:`FutureRevision` when it is ahead of the store."""
        ...

    async def create(self, key: Key, value: bytes) -> Record:
        """Store a new object; raises :class:`AlreadyExists`."""
        ...

    async def update(self, key: Key, value: bytes, *, expect: Revision) -> Record:
        """Replace an object whose current revision is ``expect``; raises :class:`NotFound` or
        :class:`Conflict`."""
        ...

    async def delete(self, key: Key, *, expect: Revision | None = None) -> Record:
        """Remove an object (only if its revision is ``expect``, when given); returns its last state stamped
        with the deleting revision. Raises :class:`NotFound` or :class:`Conflict`."""
        ...

    def watch(self, prefix: Prefix, *, since: Revision) -> Watch:
        """Every change under ``prefix`` after revision ``since``, then live changes. Raises :class:`Gone`
        (possibly only when iteration starts) if ``since`` is below the history window."""
        ...

    def current_revision(self) -> Revision:
        """The revision of the last acknowledged write."""
        ...

    def oldest_revision(self) -> Revision:
        """The lowest revision a watch or list may still start from."""
        ...

    async def compact(self, revision: Revision) -> None:
        """Forget history up to and including ``revision``: watches and lists below it get :class:`Gone`."""
        ...

    async def close(self) -> None:
        """Flush, stop background work, end every watch."""
        ...


async def get_object(store: Store, key: Key) -> dict[str, Any] | None:
    """The object stored at ``key``, decoded, or None when there is none (what a GET of a type that is not
    defaulted on read serves, without a request's pipeline)."""
    try:
        record = await store.get(key)
    except NotFound:
        return None
    obj: dict[str, Any] = orjson.loads(record.value)
    return obj
