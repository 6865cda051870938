"""Type strategies: what differs between resource types on the write path.

The REST handlers are generic; a :class:`Strategy` supplies the per-type behaviour kube-apiserver keeps in
each registry's strategy: defaults on create, what an update may change (the status subresource split),
validation, whether deletion is graceful, and conversion for types served in a second view (a stored core
``v1`` Event read as ``events.k8s.io/v1``).

Validation follows kube's order: the type's own rules first; only when they pass, the generic metadata rules
every type shares (so the most specific message is the one a user sees).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gitplane.api import decoding, tables
from gitplane.api.errors import FieldError
from gitplane.api.resources import ResourceType
from gitplane.api.schema import Definitions, Schema
from gitplane.api.validation import builtin, objectmeta

Obj = dict[str, Any]


class Strategy:
    """Defaults shared by every type; subclasses override what their type does differently."""

    status_subresource = False
    """Whether ``status`` is written only through ``/status`` (and ignored on the main resource)."""
    allow_create_on_update = False
    allow_unconditional_update = True
    strategic_merge_patch = True
    """Whether the type accepts strategic merge patches (built-in types do, custom resources do not)."""
    tracks_generation = False
    """Whether ``metadata.generation`` counts spec changes (types with a spec/status split)."""

    def __init__(self, resource_type: ResourceType) -> None:
        self.type = resource_type
        self._schema: Schema | None = None

    def resolved_schema(self, definitions: Definitions) -> Schema:
        """The type's schema in ``definitions``, resolved once for as long as the table is the same one (the
        router keeps one strategy per type, so requests share it)."""
        schema = self._schema
        if schema is None or schema.definitions is not definitions:
            schema = self._schema = Schema.named(self.type.schema, definitions)
        return schema

    printer: tables.Printer | None = None
    """The type's own table columns and rows; None for the built-in ones (:mod:`gitplane.api.tables`)."""

    # -- shape of the stored object ---------------------------------------------------------------------
    converts = False
    """Whether the served view differs from the stored form (then ``to_view``/``from_view`` convert)."""

    def to_view(self, stored: Obj) -> Obj:
        return stored

    def from_view(self, obj: Obj) -> Obj:
        return obj

    # -- create / update --------------------------------------------------------------------------------
    def decode(self, obj: Obj, schema: Schema, mode: decoding.FieldValidation,
               duplicate_fields: Sequence[str]) -> list[str]:
        """Decode a written object in place as kube's decoder does for the type (built-in types: into their Go
        struct); return the warnings. Raises the 400 for what cannot be decoded."""
        warnings = decoding.decode_typed(obj, schema, mode=mode, duplicate_fields=duplicate_fields)
        self.check_decodable(obj)
        return warnings

    def check_decodable(self, obj: Obj) -> None:
        """Raise the 400 kube's typed decoding gives for values its Go types cannot hold."""
        builtin.check_decodable(self.type, obj)

    def normalize(self, obj: Obj) -> None:
        """Decoding-time defaults, applied to every object written (in place)."""

    def prepare_for_create(self, obj: Obj) -> None:
        self.normalize(obj)
        if self.status_subresource:
            obj.pop("status", None)

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        self.normalize(new)
        if self.status_subresource:
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)

    def prepare_for_subresource_update(self, subresource: str, new: Obj, old: Obj) -> None:
        """A write to ``/status`` (or another subresource): everything but the subresource's part of the
        object is kept as stored; metadata keeps only label, annotation, owner and finalizer changes."""
        part = new.get(subresource)
        meta_new = new.get("metadata") or {}
        kept = {k: v for k, v in old.items() if k not in (subresource, "metadata")}
        metadata = dict(old.get("metadata") or {})
        for key in ("labels", "annotations", "ownerReferences", "finalizers", "managedFields"):
            if key in meta_new:
                metadata[key] = meta_new[key]
            else:
                metadata.pop(key, None)
        new.clear()
        new.update(kept)
        new["metadata"] = metadata
        if part is not None:
            new[subresource] = part
        elif subresource in old:
            new.pop(subresource, None)

    # -- validation -------------------------------------------------------------------------------------
    def validate(self, obj: Obj) -> list[FieldError]:
        errs = builtin.validate_create(self.type, obj)
        if errs or builtin.create_checks_object_meta(self.type):
            return errs
        return objectmeta.validate_common(obj.get("metadata") or {}, namespaced=self.type.namespaced)

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        errs = builtin.validate_update(self.type, new, old)
        return errs or objectmeta.validate_common_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                         namespaced=self.type.namespaced)

    # -- deletion ---------------------------------------------------------------------------------------
    def delete_is_graceful(self, obj: Obj) -> bool:
        """Whether DELETE only marks the object (kube: finalizers present, or a type-specific rule)."""
        return bool((obj.get("metadata") or {}).get("finalizers"))

    def prepare_for_graceful_delete(self, obj: Obj) -> None:
        """Changes beyond ``deletionTimestamp`` that a graceful delete makes (e.g. a phase)."""
