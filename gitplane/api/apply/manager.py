"""Server-side apply and field ownership: the two entry points every write goes through.

:func:`apply` serves ``PATCH`` with ``application/apply-patch+yaml``; :func:`update` serves every other
write (create, update, patch) so that ownership stays true whoever writes. Both take and return plain
objects and keep ``metadata.managedFields`` as kube-apiserver does (its field manager chain over
structured-merge-diff):

    apply(live, config)
      decode live managedFields; check the configuration (kind, version, no managedFields)
      no managers yet on an existing object → its fields go to "before-first-apply" (an Update entry)
      merged = merge(live, config); applier's fields = fields(config) - ignored
      merged = prune(merged): drop what the applier set last time, omits now, and nobody else owns
      changes = compare(live, merged) - ignored
      changes ∩ another manager's fields → 409 Conflict, unless force (then they lose those fields)
        (manager "kubectl" may take fields its client-side last-applied annotation still describes)
      removed fields leave every manager; empty entries go; apiVersion, kind and identity metadata are
      never owned; the applier's time moves only if the object changed

    update(old, new)
      managers = new's managedFields if sent and valid ([] clears them), else old's
      no managers on an existing object → nothing is tracked (kube starts tracking on create or apply)
      changes = compare(old, new) - ignored: other managers lose changed and removed fields, the writer's
      Update entry (per manager, version and subresource) gains changed ones and the current time;
      more than ten Update entries → the oldest merge into "ancient-changes"

``ignored`` lists field paths (by name, e.g. ``[("status",)]`` for the main resource of a type with a
status subresource) whose changes nobody gains or loses; the caller still resets their values as its
strategy requires. Results share untouched sub-objects with the inputs (see :mod:`.merge`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitplane.api import errors
from gitplane.api.apply import conflicts, fieldpath, fieldsv1, lastapplied, managedfields, schematype, typed
from gitplane.api.apply import merge as merging
from gitplane.api.apply.fieldpath import EMPTY, FieldSet
from gitplane.api.apply.managedfields import APPLY, UPDATE, Managed, ManagedEntry, ManagerKey
from gitplane.api.schema import Schema

BEFORE_FIRST_APPLY = "before-first-apply"
UNKNOWN_MANAGER = "unknown"

NEVER_OWNED = FieldSet.from_paths([
    ("f:apiVersion",), ("f:kind",), ("f:metadata",),
    *(("f:metadata", "f:" + name) for name in (
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
        "managedFields", "resourceVersion")),
])
"""Fields kube strips from the writer's entry after every write (the node ``metadata`` itself included,
though not what lies below it)."""

FieldNamePath = Sequence[str]
"""A field path by field names, e.g. ``("metadata", "labels")``."""


@dataclass(frozen=True, slots=True)
class _Write:
    """What one write is: who writes, through which version, when, against which type."""

    key: ManagerKey
    node: schematype.TypeNode
    ignore: FieldSet
    api_version: str
    now: str


class _Conflicts(Exception):
    """Fields of other managers an apply would change, by manager (turned into a 409 by the caller)."""

    def __init__(self, found: Mapping[ManagerKey, FieldSet]) -> None:
        super().__init__("apply conflicts")
        self.found = found


def apply(live: dict[str, Any] | None, config: dict[str, Any], *, manager: str, force: bool,
          schema: Schema | None, api_version: str, now: str, subresource: str = "", kind: str = "",
          ignored: Iterable[FieldNamePath] = ()) -> dict[str, Any]:
    """Server-side apply ``config`` to ``live`` (None: the object does not exist yet).

    Args:
        live: the stored object, or None to create it.
        config: the applied configuration (the decoded patch body).
        manager: the field manager (``?fieldManager=``).
        force: take fields from other managers instead of failing (``?force=true``).
        schema: the type's schema, or None for schema-less objects (granular maps, atomic lists).
        api_version: the version being served; the configuration must be in it.
        now: the time of the write, RFC 3339 to the second in UTC.
        subresource: the subresource written through, if any.
        kind: the expected kind; when given, the configuration must have it.
        ignored: field-name paths nobody owns in this write (their values are the caller's business).

    Returns:
        The new object with ``metadata.managedFields`` updated (the live object itself when the apply
        changed no field).

    Raises:
        APIError: 400 for a configuration of another kind or version, one carrying managedFields, or one
            whose lists cannot be keyed; 409 Conflict when it would change fields other managers own.
    """
    live_obj, live_entries = _without_managed_fields(live)
    try:
        managed = managedfields.decode(live_entries)
    except ValueError as exc:
        raise errors.internal(f"failed to decode managed fields: {exc}") from exc
    _check_config(config, api_version, kind)
    node = schematype.type_of(schema)
    ignore = _field_set(ignored)
    try:
        applied = typed.applied_fields(config, node).recursive_difference(ignore)
    except typed.TypedError as exc:
        raise errors.bad_request(f"failed to create typed patch object ({_describe(config)}): {exc}") from exc
    key = ManagerKey.of(manager or UNKNOWN_MANAGER, APPLY, api_version, subresource)
    write = _Write(key, node, ignore, api_version, now)
    try:
        if not managed and live is not None:
            before = ManagerKey.of(BEFORE_FIRST_APPLY, UPDATE, api_version, subresource)
            managed = _record_update(_Write(before, node, ignore, api_version, now), {}, live_obj, managed)
        merged, managed, changed = _apply_or_upgrade(write, live_obj, config, applied, managed, force=force)
    except typed.TypedError as exc:
        raise errors.internal(f"failed to create typed live object ({_describe(live_obj)}): {exc}") from exc
    entry = managed.get(key)
    if entry is not None:
        fields = entry.fields.difference(NEVER_OWNED)
        if fields.empty:
            del managed[key]
        else:
            managed[key] = ManagedEntry(fields, entry.api_version, now if changed else entry.time)
    result = merged if changed else live_obj
    if key.manager == lastapplied.UPGRADING_MANAGER:
        result = lastapplied.record_applied(result, config)
    return _with_managed_fields(result, managed)


def update(old: dict[str, Any] | None, new: dict[str, Any], *, manager: str, schema: Schema | None,
           api_version: str, now: str, subresource: str = "",
           ignored: Iterable[FieldNamePath] = ()) -> dict[str, Any]:
    """Record the ownership of a non-apply write (create when ``old`` is None, update, patch).

    Args:
        old: the stored object, or None for a create.
        new: the object about to be stored (after the patch, if any).
        manager: the field manager (``?fieldManager=``, else derived from the user agent).
        schema: the type's schema, or None for schema-less objects.
        api_version: the version being served (Update entries are kept per version).
        now: the time of the write, RFC 3339 to the second in UTC.
        subresource: the subresource written through, if any (its writes never set managedFields).
        ignored: field-name paths nobody owns in this write.

    Returns:
        ``new`` with ``metadata.managedFields`` set as kube sets it. Objects that never had managed
        fields stay without them; a client sending ``managedFields: []`` clears them.
    """
    new_obj, new_entries = _without_managed_fields(new)
    old_obj, old_entries = _without_managed_fields(old)
    key = ManagerKey.of(manager or UNKNOWN_MANAGER, UPDATE, api_version, subresource)
    write = _Write(key, schematype.type_of(schema), _field_set(ignored), api_version, now)
    if old is None and new_entries is None:
        return _created(new_obj, write)
    managed = _live_or_new_managers(old_entries, new_entries, from_subresource=bool(subresource))
    if not managed and old is not None:
        return new_obj
    try:
        managed = _record_update(write, old_obj, new_obj, managed)
    except typed.TypedError:
        return _with_entries(new_obj, old_entries)  # kube keeps the stored entries when it cannot tell
    return _with_managed_fields(new_obj, managed)


def _created(obj: dict[str, Any], write: _Write) -> dict[str, Any]:
    """A create without managed fields of its own: the writer owns every field it set (what
    :func:`_record_update` from nothing gives, without comparing, written straight in the encoding)."""
    try:
        fields = typed.added_fields_v1(obj, write.node)
    except typed.TypedError:
        return obj
    own = fieldsv1.difference(fieldsv1.difference(fields, write.ignore, recursive=True), NEVER_OWNED)
    if not own:
        return obj
    return _with_entries(obj, [managedfields.encode_entry(write.key, write.api_version, write.now, own)])


def _apply_or_upgrade(write: _Write, live: dict[str, Any], config: dict[str, Any], applied: FieldSet,
                      managed: Managed, *, force: bool) -> tuple[dict[str, Any], Managed, bool]:
    """Apply; for ``kubectl``, conflicts its client-side last-applied configuration explains are forced."""
    try:
        return _apply(write, live, config, applied, managed, force=force)
    except _Conflicts as conflicted:
        found = conflicted.found
    if write.key.manager == lastapplied.UPGRADING_MANAGER:
        allowed = lastapplied.allowed_conflicts(live, write.node, write.api_version)
        if allowed is not None:
            found = {k: rest for k, fields in found.items() if not (rest := fields.difference(allowed)).empty}
            if not found:
                return _apply(write, live, config, applied, managed, force=True)
    raise conflicts.conflict_error(found)


def _apply(write: _Write, live: dict[str, Any], config: dict[str, Any], applied: FieldSet, managed: Managed,
           *, force: bool) -> tuple[dict[str, Any], Managed, bool]:
    """The structured-merge-diff apply: the merged object, the managers after it, whether it changed."""
    key, node = write.key, write.node
    merged = merging.merge(live, config, node)
    previous = managed.get(key)
    managers = dict(managed)
    managers[key] = ManagedEntry(applied, write.api_version, previous.time if previous else None)
    if previous is not None and not previous.fields.empty:
        owned = EMPTY
        for entry in managers.values():
            owned = owned.union(entry.fields)
        merged = merging.prune(merged, node, previous.fields, owned)
    changes = typed.compare(live, merged, node).excluding(write.ignore)
    changed_fields = changes.changed
    found = {}
    if not changed_fields.empty:
        for other, entry in managers.items():
            if other != key:
                conflicting = entry.fields.intersection(changed_fields)
                if not conflicting.empty:
                    found[other] = conflicting
    if found and not force:
        raise _Conflicts(found)
    for other, entry in list(managers.items()):
        fields = entry.fields
        if other != key:
            fields = fields.difference(found.get(other, EMPTY)).difference(changes.removed)
        if fields.empty:
            del managers[other]
        elif fields is not entry.fields:
            managers[other] = ManagedEntry(fields, entry.api_version, entry.time)
    return merged, managers, not typed.json_equal(live, merged)


def _record_update(write: _Write, old: dict[str, Any], new: dict[str, Any], managed: Managed) -> Managed:
    """The managers after a non-apply write: changed fields move to the writer's Update entry."""
    key = write.key
    changes = typed.compare(old, new, write.node).excluding(write.ignore)
    changed = changes.changed
    managers: Managed = {}
    for other, entry in managed.items():
        fields = entry.fields.difference(changed).difference(changes.removed)
        if fields is entry.fields:
            managers[other] = entry
        elif not fields.empty:
            managers[other] = ManagedEntry(fields, entry.api_version, entry.time)
    own = changed.difference(NEVER_OWNED)
    if not own.empty:
        previous = managers.get(key)
        fields = own.union(previous.fields) if previous else own
        managers[key] = ManagedEntry(fields, write.api_version, write.now)
    return managedfields.cap_update_managers(managers)


def _live_or_new_managers(old_entries: Any, new_entries: Any, *, from_subresource: bool) -> Managed:
    """Whose managedFields count for a non-apply write: the client's if it sent valid ones (an empty list
    resets them), else the stored ones; writes through a subresource cannot set them."""
    if not from_subresource:
        if managedfields.is_reset(new_entries):
            return {}
        try:
            sent = managedfields.decode(new_entries)
        except ValueError:
            sent = {}
        if sent:
            return sent
    try:
        return managedfields.decode(old_entries)
    except ValueError:
        return {}


def _check_config(config: dict[str, Any], api_version: str, kind: str) -> None:
    applied_version, applied_kind = config.get("apiVersion"), config.get("kind")
    if applied_version != api_version or (kind and applied_kind != kind):
        raise errors.bad_request(f"invalid object type: {_group_version_kind(config)}")
    metadata = config.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("managedFields"), list):
        raise errors.bad_request("metadata.managedFields must be nil")


def _group_version_kind(obj: Mapping[str, Any]) -> str:
    """Go's ``GroupVersionKind.String()`` of an object (``/v1, Kind=ConfigMap``)."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    text = api_version if isinstance(api_version, str) else ""
    if text.count("/") > 1:
        return "/, Kind="
    group, _, version = text.rpartition("/")
    return f"{group}/{version}, Kind={kind if isinstance(kind, str) else ''}"


def _describe(obj: Mapping[str, Any]) -> str:
    """kube's ``namespace/name; group/version, Kind=kind`` in typed-conversion errors."""
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    return f"{metadata.get('namespace', '')}/{metadata.get('name', '')}; {_group_version_kind(obj)}"


def _field_set(paths: Iterable[FieldNamePath]) -> FieldSet:
    if paths == ():
        return EMPTY  # most writes ignore nothing
    return FieldSet.from_paths(tuple(map(fieldpath.field, path)) for path in paths)


def _without_managed_fields(obj: dict[str, Any] | None) -> tuple[dict[str, Any], Any]:
    """The object without ``metadata.managedFields`` ({} for None), and their raw value (None if absent)."""
    if obj is None:
        return {}, None
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict) or "managedFields" not in metadata:
        return obj, None
    rest = {k: v for k, v in metadata.items() if k != "managedFields"}
    return {**obj, "metadata": rest}, metadata["managedFields"]


def _with_entries(obj: dict[str, Any], entries: Any) -> dict[str, Any]:
    metadata = obj.get("metadata")
    if not entries:
        return obj
    return {**obj, "metadata": {**(metadata if isinstance(metadata, dict) else {}), "managedFields": entries}}


def _with_managed_fields(obj: dict[str, Any], managed: Managed) -> dict[str, Any]:
    return _with_entries(obj, managedfields.encode(managed) if managed else None)
