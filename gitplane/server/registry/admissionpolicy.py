"""The strategies of ``admissionregistration.k8s.io`` ValidatingAdmissionPolicies and their bindings: kube's v1
defaults at decoding, kube's validation (:mod:`gitplane.api.validation.admissionpolicy`, which compiles every CEL
expression, so a policy that is stored always compiles), then the generic metadata rules. A policy has a
status subresource and counts its spec changes in ``metadata.generation``. Both print as kube prints them
(``kubectl get``: Validations and ParamKind of a policy, PolicyName and ParamRef of a binding)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from gitplane.api import builtin_schemas, duration, labels
from gitplane.api.errors import FieldError
from gitplane.api.validation import admissionpolicy as validation
from gitplane.api.validation import objectmeta
from gitplane.server.registry.strategy import Obj, Strategy

_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


class Printer:
    """kube's ``printValidatingAdmissionPolicy``/``printValidatingAdmissionPolicyBinding``: Name, two columns of
    the object's own, Age."""

    def __init__(self, middle: tuple[tuple[str, str, str], ...], cells: Callable[[Mapping[str, Any]], list[Any]]
                 ) -> None:
        self._middle = middle
        self._cells = cells

    def columns(self) -> list[dict[str, Any]]:
        meta = builtin_schemas.builtin_definitions()[_META]["properties"]
        return [{"name": "Name", "type": "string", "format": "name", "description": meta["name"]["description"],
                 "priority": 0},
                *({"name": name, "type": kind, "format": "", "description": text, "priority": 0}
                  for name, kind, text in self._middle),
                {"name": "Age", "type": "string", "format": "",
                 "description": meta["creationTimestamp"]["description"], "priority": 0}]

    def row(self, obj: Mapping[str, Any], now: datetime) -> list[Any]:
        meta = obj.get("metadata") or {}
        return [meta.get("name", ""), *self._cells(obj.get("spec") or {}),
                duration.age(meta.get("creationTimestamp"), now)]


def _policy_cells(spec: Mapping[str, Any]) -> list[Any]:
    kind = spec.get("paramKind")
    shown = "<unset>" if kind is None else f"{kind.get('apiVersion', '')}/{kind.get('kind', '')}"
    return [len(spec.get("validations") or ()), shown]


def _binding_cells(spec: Mapping[str, Any]) -> list[Any]:
    ref, shown = spec.get("paramRef"), "<unset>"
    if ref is not None:
        if ref.get("name"):
            shown = f"{ref.get('namespace') or '*'}/{ref['name']}"
        elif ref.get("selector") is not None:
            shown = str(labels.LabelSelector.from_dict(ref["selector"]))
    return [spec.get("policyName", ""), shown]


class ValidatingAdmissionPolicyStrategy(Strategy):
    status_subresource = True
    printer = Printer((("Validations", "integer",
                        "Validations indicates the number of validation rules defined in this configuration"),
                       ("ParamKind", "string",
                        "ParamKind specifies the kind of resources used to parameterize this policy")), _policy_cells)
    tracks_generation = True

    def normalize(self, obj: Obj) -> None:
        validation.default_policy(obj)

    def validate(self, obj: Obj) -> list[FieldError]:
        errs = validation.validate_policy(obj)
        return errs or objectmeta.validate_common(obj.get("metadata") or {}, namespaced=False)

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        errs = [] if subresource == "status" else validation.validate_policy(new)
        return errs or objectmeta.validate_common_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                         namespaced=False)


class ValidatingAdmissionPolicyBindingStrategy(Strategy):
    printer = Printer((("PolicyName", "string",
                        "PolicyName indicates the policy definition which the policy binding binded to"),
                       ("ParamRef", "string",
                        "ParamRef indicates the param resource which sets the configration param")), _binding_cells)

    def normalize(self, obj: Obj) -> None:
        validation.default_binding(obj)

    def validate(self, obj: Obj) -> list[FieldError]:
        errs = validation.validate_binding(obj)
        return errs or objectmeta.validate_common(obj.get("metadata") or {}, namespaced=False)

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        errs = validation.validate_binding(new)
        return errs or objectmeta.validate_common_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                         namespaced=False)
