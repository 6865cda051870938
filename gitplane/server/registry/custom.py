"""The strategy of custom resources: objects of a type a CustomResourceDefinition serves.

What differs from built-in types, as in kube's customresource registry:

* decoding is not into a Go struct: the body stays as written (no type errors at decode; the schema's
  validation reports them as 422 field errors), and only duplicate fields are reported per fieldValidation;
* no strategic merge patch (415, as kube answers);
* ``metadata.generation`` counts changes outside metadata (and outside status, with the status subresource);
* with the status subresource, the main resource ignores ``status`` and ``/status`` writes only ``status``;
* objects are stored at the CRD's storage version: another served version is the same object with its
  ``apiVersion`` rewritten (conversion strategy ``None``);
* while the CRD is being deleted, creates are refused (405, as kube answers);
* tables print the version's ``additionalPrinterColumns`` (:mod:`gitplane.api.custom_tables`).
"""

from __future__ import annotations

from collections.abc import Sequence

from gitplane.api import decoding, errors
from gitplane.api.custom_tables import CustomResourcePrinter
from gitplane.api.errors import FieldError
from gitplane.api.schema import Schema
from gitplane.api.validation import objectmeta
from gitplane.server.customresources.served import ServedVersion
from gitplane.server.registry.strategy import Obj, Strategy


class CustomResourceStrategy(Strategy):
    strategic_merge_patch = False
    tracks_generation = True

    def __init__(self, served: ServedVersion) -> None:
        super().__init__(served.type)
        self.served = served
        self.status_subresource = "status" in served.type.subresources
        self.converts = served.storage_version != served.type.version
        self.printer = CustomResourcePrinter(served.printer_columns)
        group = served.type.group
        self._served_api_version = served.type.api_version
        self._stored_api_version = f"{group}/{served.storage_version}"

    # -- shape of the stored object ---------------------------------------------------------------------
    def to_view(self, stored: Obj) -> Obj:
        return {**stored, "apiVersion": self._served_api_version}

    def from_view(self, obj: Obj) -> Obj:
        return {**obj, "apiVersion": self._stored_api_version}

    # -- create / update --------------------------------------------------------------------------------
    def prepare_for_create(self, obj: Obj) -> None:
        if self.served.terminating:
            raise errors.APIError(405, "MethodNotAllowed",
                                  "create not allowed while custom resource definition is terminating")
        super().prepare_for_create(obj)

    def decode(self, obj: Obj, schema: Schema, mode: decoding.FieldValidation,
               duplicate_fields: Sequence[str]) -> list[str]:
        return decoding.report_strict(schema, [], duplicate_fields, mode)

    def check_decodable(self, obj: Obj) -> None:
        """Any JSON is decodable into an unstructured object."""

    # -- validation -------------------------------------------------------------------------------------
    def validate(self, obj: Obj) -> list[FieldError]:
        return objectmeta.validate_common(obj.get("metadata") or {}, namespaced=self.type.namespaced)

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        return objectmeta.validate_common_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                 namespaced=self.type.namespaced)
