"""``metadata.managedFields``: reading, writing and housekeeping of the ownership entries kube stores.

    {"manager": "kubectl", "operation": "Apply", "apiVersion": "v1", "time": "2024-05-01T10:00:00Z",
     "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:k": {}}}, "subresource": "status"}

Entries are decoded into a :data:`Managed` mapping keyed by :class:`ManagerKey`, kube's manager identity:
the manager name, the operation, the subresource, and for ``Update`` entries the API version (an applier is
one entry whatever version it applies with). Writing sorts entries as kube does: ``Apply`` before
``Update``, then by time, manager, API version and subresource. Times are RFC 3339 in UTC, to the second.

Decoding is strict in the way kube's is (operation, apiVersion, fieldsType and fieldsV1 must be valid);
callers decide what an invalid list means (a client's is replaced by the stored one, a stored one fails).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from gitplane.api.apply import fieldsv1
from gitplane.api.apply.fieldpath import FieldSet

APPLY = "Apply"
UPDATE = "Update"
FIELDS_V1 = "FieldsV1"
MAX_UPDATE_MANAGERS = 10
"""Update entries beyond this are merged, oldest first, into ``ancient-changes`` entries per version."""
ANCIENT_CHANGES = "ancient-changes"

_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})")
_EPOCH = "1970-01-01T00:00:00Z"


@dataclass(frozen=True, slots=True)
class ManagerKey:
    """Who owns a set of fields: kube's manager identifier (the entry without fields and time)."""

    manager: str
    operation: str
    api_version: str = ""
    """Set for ``Update`` entries only: updates through different versions are different managers."""
    subresource: str = ""

    @classmethod
    def of(cls, manager: str, operation: str, api_version: str, subresource: str) -> ManagerKey:
        return cls(manager, operation, api_version if operation == UPDATE else "", subresource)

    @property
    def identity(self) -> str:
        """The identifier as kube writes it (JSON of the entry's identifying fields, empty ones omitted);
        kube orders managers by it in conflict messages."""
        fields = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version,
                  "subresource": self.subresource}
        return orjson.dumps({k: v for k, v in fields.items() if v}).decode()


@dataclass(frozen=True, slots=True)
class ManagedEntry:
    """The fields one manager owns, the API version they were recorded in, and when they last changed."""

    fields: FieldSet
    api_version: str
    time: str | None = None


Managed = dict[ManagerKey, ManagedEntry]


def normalize_time(value: Any) -> str | None:
    """An entry's time as kube re-encodes it (UTC, seconds), None for no time.

    Raises:
        ValueError: not an RFC 3339 time.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("time must be a string")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise ValueError(f"time {value!r} is not RFC 3339")
    seconds, zone = match.groups()
    parsed = datetime.fromisoformat(seconds + ("+00:00" if zone == "Z" else zone))
    if zone == "Z" and len(value) == 20:
        return value
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_reset(entries: Any) -> bool:
    """Whether a client sent ``managedFields`` to clear them: an empty list, or one empty entry."""
    return isinstance(entries, list) and (not entries or (len(entries) == 1 and entries[0] == {}))


def decode(entries: Any) -> Managed:
    """The managers recorded in a ``metadata.managedFields`` value (None or absent: no managers).

    Raises:
        ValueError: an entry is invalid (kube's checks).
    """
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise ValueError("managedFields must be a list")
    managed: Managed = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise ValueError(f"managed fields entry {index} must be an object")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise ValueError("operation must be `Apply` or `Update`")
        api_version = entry.get("apiVersion")
        if not isinstance(api_version, str) or not api_version:
            raise ValueError("apiVersion must not be empty")
        fields_type = entry.get("fieldsType")
        if not fields_type:
            raise ValueError(f"missing fieldsType in managed fields entry {index}")
        if fields_type != FIELDS_V1:
            raise ValueError(f"invalid fieldsType {fields_type!r} in managed fields entry {index}")
        manager, subresource = entry.get("manager", ""), entry.get("subresource", "")
        if not isinstance(manager, str) or not isinstance(subresource, str):
            raise ValueError(f"manager and subresource of managed fields entry {index} must be strings")
        encoded = entry.get("fieldsV1")
        fields = fieldsv1.from_fields_v1(encoded) if encoded is not None else FieldSet.of()
        key = ManagerKey.of(manager, operation, api_version, subresource)
        managed[key] = ManagedEntry(fields, api_version, normalize_time(entry.get("time")))
    return managed


def encode(managed: Managed) -> list[dict[str, Any]]:
    """The ``metadata.managedFields`` value for ``managed``, sorted as kube sorts it."""
    ordered = sorted(managed.items(), key=lambda item: (
        item[0].operation, item[1].time or _EPOCH, item[0].manager, item[1].api_version, item[0].subresource))
    return [encode_entry(key, entry.api_version, entry.time, fieldsv1.to_fields_v1(entry.fields))
            for key, entry in ordered]


def encode_entry(key: ManagerKey, api_version: str, time: str | None, fields_v1: dict[str, Any]
                 ) -> dict[str, Any]:
    """One ``metadata.managedFields`` entry, its keys in kube's order."""
    encoded: dict[str, Any] = {}
    if key.manager:
        encoded["manager"] = key.manager
    encoded["operation"] = key.operation
    encoded["apiVersion"] = api_version
    if time is not None:
        encoded["time"] = time
    encoded["fieldsType"] = FIELDS_V1
    encoded["fieldsV1"] = fields_v1
    if key.subresource:
        encoded["subresource"] = key.subresource
    return encoded


def cap_update_managers(managed: Managed, limit: int = MAX_UPDATE_MANAGERS) -> Managed:
    """Merge the oldest ``Update`` entries into one ``ancient-changes`` entry per API version until at
    most ``limit`` ``Update`` entries remain (kube's cap on update managers)."""
    updaters = [key for key in managed if key.operation == UPDATE]
    if len(updaters) <= limit:
        return managed
    updaters.sort(key=lambda key: (managed[key].time or _EPOCH, key.identity))
    capped = dict(managed)
    first_of_version: dict[str, ManagerKey] = {}
    remaining = len(updaters)
    for key in updaters:
        if remaining <= limit:
            break
        entry = capped[key]
        bucket = ManagerKey.of(ANCIENT_CHANGES, UPDATE, entry.api_version, "")
        first = first_of_version.get(entry.api_version)
        if first is None:
            first_of_version[entry.api_version] = key
            continue
        if bucket not in capped:
            capped[bucket] = capped.pop(first)
        merged = entry.fields.union(capped[bucket].fields)
        capped[bucket] = ManagedEntry(merged, entry.api_version, entry.time)
        del capped[key]
        remaining -= 1
    return capped
