"""The strategy of custom resources: objects of a type a CustomResourceDefinition serves.

What differs from built-in types, as in kube's customresource registry:

* decoding is not into a Go struct: unknown fields are pruned by the version's structural schema (and
  reported, with duplicates, as fieldValidation says); defaults are applied on every write and read; the
  schema's validation (:mod:`gitplane.api.crd`) and its CEL rules (:mod:`gitplane.api.cel`, compiled once per
  schema) report every invalid field in one 422;
* no strategic merge patch (415, as kube answers);
* ``metadata.generation`` counts changes outside metadata (and outside status, with the status subresource);
* with the status subresource, the main resource ignores ``status`` and ``/status`` writes only ``status``;
* with the scale subresource, every write is checked as kube's validator checks the replicas and selector
  paths (:mod:`gitplane.api.crd.scale`), and a ``/scale`` write (:mod:`gitplane.server.rest.scale`) is an
  update of the whole object that changed the spec replicas;
* objects are stored at the CRD's storage version: another served version is the same object with its
  ``apiVersion`` rewritten (conversion strategy ``None``);
* while the CRD is being deleted, creates are refused (405, as kube answers);
* tables print the version's ``additionalPrinterColumns`` (:mod:`gitplane.api.custom_tables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gitplane.api import cel, crd, decoding, errors
from gitplane.api.crd import scale
from gitplane.api.crd.scale import ScalePaths
from gitplane.api.custom_tables import CustomResourcePrinter
from gitplane.api.errors import FieldError
from gitplane.api.schema import Schema
from gitplane.api.validation import objectmeta
from gitplane.server.customresources.served import OBJECT_META, ServedVersion
from gitplane.server.registry.strategy import Obj, Strategy


class CustomResourceStrategy(Strategy):
    strategic_merge_patch = False
    tracks_generation = True

    def __init__(self, served: ServedVersion, *, defaults_on_read: bool = True) -> None:
        """``defaults_on_read``: apply the schema's defaults to stored objects as they are read, so that a
        default added to a CRD reaches objects written before (kube's behaviour). The system types' schemas
        change only with the server, so their objects carry every default from their last write and skip it."""
        super().__init__(served.type)
        self.served = served
        self.schema: dict[str, Any] = dict(served.schema)
        self.rules = cel.compile_schema(self.schema)
        self.status_subresource = "status" in served.type.subresources
        self.scale = ScalePaths.of(served.scale) if served.scale is not None else None
        self._defaults = _has_defaults(self.schema)
        self._defaults_on_read = self._defaults and defaults_on_read
        self.converts = served.storage_version != served.type.version or self._defaults_on_read
        self.printer = CustomResourcePrinter(served.printer_columns)
        group = served.type.group
        self._served_api_version = served.type.api_version
        self._stored_api_version = f"{group}/{served.storage_version}"

    # -- shape of the stored object ---------------------------------------------------------------------
    def to_view(self, stored: Obj) -> Obj:
        """The stored object at the served version, with the schema's defaults (new defaults reach old
        objects, as in kube)."""
        obj = {**stored, "apiVersion": self._served_api_version}
        return crd.prepare_read(obj, self.schema) if self._defaults_on_read else obj

    def from_view(self, obj: Obj) -> Obj:
        return {**obj, "apiVersion": self._stored_api_version}

    # -- create / update --------------------------------------------------------------------------------
    def prepare_for_create(self, obj: Obj) -> None:
        if self.served.terminating:
            raise errors.APIError(405, "MethodNotAllowed",
                                  "create not allowed while custom resource definition is terminating")
        super().prepare_for_create(obj)
        crd.apply_defaults(obj, self.schema)

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        super().prepare_for_update(new, old)
        crd.apply_defaults(new, self.schema)

    def prepare_for_subresource_update(self, subresource: str, new: Obj, old: Obj) -> None:
        if subresource == "scale":  # the stored object with its spec replicas changed: an update of the object
            self.prepare_for_update(new, old)
            return
        super().prepare_for_subresource_update(subresource, new, old)
        crd.apply_defaults(new, self.schema)

    def decode(self, obj: Obj, schema: Schema, mode: decoding.FieldValidation,
               duplicate_fields: Sequence[str]) -> list[str]:
        """Unknown fields are pruned (kube's decoder does it for custom resources), and reported with the
        duplicates as fieldValidation says. ``metadata`` is decoded as ObjectMeta, as kube coerces it, so a value
        its Go type cannot hold (a label that is a list) is the decoder's 400."""
        unknown = crd.prune(obj, self.schema)
        meta = obj.get("metadata")
        if isinstance(meta, dict):
            decoding.decode_typed(meta, Schema.named(OBJECT_META, schema.definitions), mode="Ignore")
        return decoding.report_strict(schema, unknown, duplicate_fields, mode)

    def check_decodable(self, obj: Obj) -> None:
        """Any JSON is decodable into an unstructured object; the schema's validation finds what is wrong."""

    # -- validation -------------------------------------------------------------------------------------
    def validate(self, obj: Obj) -> list[FieldError]:
        found = objectmeta.validate_common(obj.get("metadata") or {}, namespaced=self.type.namespaced)
        return found + self._schema_errors(crd.validate_object(obj, self.schema), obj, None) + self._scale_errors(
            obj, "")

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        found = objectmeta.validate_common_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                  namespaced=self.type.namespaced)
        if subresource == "status":
            schema_errors = crd.validate_status(new, self.schema, old)
        else:
            schema_errors = crd.validate_object(new, self.schema, old)
        return found + self._schema_errors(schema_errors, new, old) + self._scale_errors(new, subresource)

    def _scale_errors(self, obj: Obj, subresource: str) -> list[FieldError]:
        """kube's scale checks: the spec's on every write but one to ``/status``, the status's on all."""
        if self.scale is None:
            return []
        spec = [] if subresource == "status" else scale.validate_spec(obj, self.scale)
        return spec + scale.validate_status(obj, self.scale)

    def _schema_errors(self, schema_errors: list[FieldError], obj: Obj, old: Obj | None) -> list[FieldError]:
        """The schema's errors, then its CEL rules' (kube runs no rule over a value of the wrong type)."""
        if any(e.type == errors.FIELD_VALUE_TYPE_INVALID for e in schema_errors):
            return [*schema_errors, errors.invalid_value("<nil>", None, UNCHECKED_RULES)]
        return [*schema_errors, *self.rules.validate(obj, old)]


UNCHECKED_RULES = ("some validation rules were not checked because the object was invalid; correct the existing "
                   "errors to complete validation")


def _has_defaults(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "default" in schema or any(_has_defaults(v) for k, v in schema.items() if k != "default")
    if isinstance(schema, list):
        return any(_has_defaults(v) for v in schema)
    return False
