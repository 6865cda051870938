"""The custom-object steps the server runs on every write and read, in kube's order.

On a write (create, update, patch result, apply result), :func:`prepare_write` does what kube's decoder and
strategy do to a custom resource body, given the version's ``openAPIV3Schema``:

    prune           unknown fields dropped (their paths returned, for fieldValidation Strict/Warn)
    prune nulls     nulls that are neither nullable nor defaulted dropped
    default         defaults applied
    validate        :func:`validate_object` (below); the caller turns the errors into a 422

kube prunes before it defaults (its decoder prunes, its defaulter runs after decoding); since a CRD's defaults
must already be pruned, the order changes nothing but which fields count as unknown: only the client's own.

    validate_object(obj, schema, old=None)
                                   the schema errors (kube-openapi), then embedded resources' type and meta,
                                   then list-type set/map duplicates: every failing field, on kube's paths;
                                   on update, unchanged values are ratcheted (kube's CRDValidationRatcheting)
    validate_status(obj, schema)   the same for the status subresource (errors under ``status``)
    prepare_read(obj, schema)      prune, prune nulls and default an object read from storage

The root's apiVersion/kind/metadata checks (ObjectMeta rules, name format, kind matching the CRD) stay with
the server's generic metadata validation, as in kube's generic registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitplane.api import errors
from gitplane.api.crd import defaulting, embedded, listtype, pruning, ratcheting, result, values

Schema = Mapping[str, Any]

STRICT = "Strict"
WARN = "Warn"
IGNORE = "Ignore"


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What :func:`prepare_write` did: the object is changed in place."""

    unknown_fields: tuple[str, ...]
    errors: tuple[errors.FieldError, ...]

    def strict_errors(self) -> list[str]:
        """kube's messages for the unknown fields: fieldValidation=Strict answers 400 ``strict decoding error: `` and
        these joined with ``, ``; Warn sends one ``Warning: 299 - "<message>"`` header each."""
        return [f'unknown field "{path}"' for path in self.unknown_fields]


def validate_object(obj: Mapping[str, Any], schema: Schema,
                    old: Mapping[str, Any] | None = None) -> list[errors.FieldError]:
    """Every schema error of a (pruned, defaulted) custom object; on update (``old``), values the client left
    unchanged are ratcheted (:mod:`.ratcheting`) and list duplicates count only if the old object had none."""
    previous = ratcheting.NO_OLD if old is None else old
    found = result.to_field_errors(values.validate_schema(schema, obj, previous))
    found.extend(embedded.validate_embedded(obj, schema))
    if old is None or not listtype.validate_list_sets_and_maps(old, schema):
        found.extend(listtype.validate_list_sets_and_maps(obj, schema))
    return found


def validate_status(obj: Mapping[str, Any], schema: Schema,
                    old: Mapping[str, Any] | None = None) -> list[errors.FieldError]:
    """The status subresource's schema errors: ``status`` validated against ``properties.status`` (ratcheted
    against the old object's status on update)."""
    if "status" not in obj:
        return []
    props = schema.get("properties")
    status_schema = props.get("status") if isinstance(props, Mapping) else None
    if not isinstance(status_schema, Mapping):
        return []
    previous = ratcheting.NO_OLD if old is None or "status" not in old else old["status"]
    found = result.to_field_errors(values.validate_schema(status_schema, obj["status"], previous), "status")
    found.extend(embedded.validate_embedded(obj, {"properties": {"status": status_schema}}))
    found.extend(listtype.validate_list_sets_and_maps(obj, {"properties": {"status": status_schema}}))
    return found


def prepare_read(obj: dict[str, Any], schema: Schema) -> dict[str, Any]:
    """Prune, prune nulls and default an object as kube does when it reads it from storage."""
    pruning.prune(obj, schema)
    defaulting.apply_defaults(obj, schema)
    return obj


def prepare_write(obj: dict[str, Any], schema: Schema, *, old: Mapping[str, Any] | None = None,
                  validate: bool = True) -> WriteResult:
    """Prune, prune nulls, default and (unless told not to) validate a custom object written by a client;
    ``old`` is the stored object on update (as read: pruned and defaulted)."""
    unknown = pruning.prune(obj, schema)
    defaulting.apply_defaults(obj, schema)
    found = validate_object(obj, schema, old) if validate else []
    return WriteResult(tuple(unknown), tuple(found))
