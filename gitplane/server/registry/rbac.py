"""The strategies of ``rbac.authorization.k8s.io``: kube's v1 defaults for bindings, kube's validation
(:mod:`gitplane.api.validation.rbac`), and escalation prevention (:mod:`gitplane.server.rbac.escalation`),
checked before validation as kube's policy-based storage checks it before the inner store. Bindings print as
kube prints them (``Role`` as ``Kind/name``, and users, groups and ServiceAccounts in the wide columns); roles
have kube's default table (Name, Created At)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from gitplane.api import builtin_schemas, duration
from gitplane.api.errors import FieldError
from gitplane.api.validation import objectmeta
from gitplane.api.validation import rbac as validation
from gitplane.server.rbac import escalation
from gitplane.server.registry.strategy import Obj, Strategy

Rules = Callable[[Obj], list[FieldError]]
UpdateRules = Callable[[Obj, Obj], list[FieldError]]
Check = Callable[[str, Obj, "Obj | None"], None]


class _RBACStrategy(Strategy):
    """Escalation check, then the type's rules, then the generic metadata rules (as every built-in type)."""

    create_rules: Rules
    update_rules: UpdateRules
    check: Check

    def validate(self, obj: Obj) -> list[FieldError]:
        type(self).check(self.type.plural, obj, None)
        errs = type(self).create_rules(obj)
        return errs or objectmeta.validate_common(obj.get("metadata") or {}, namespaced=self.type.namespaced)

    def validate_update(self, new: Obj, old: Obj, subresource: str = "") -> list[FieldError]:
        type(self).check(self.type.plural, new, old)
        errs = type(self).update_rules(new, old)
        return errs or objectmeta.validate_common_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                         namespaced=self.type.namespaced)


class RoleStrategy(_RBACStrategy):
    create_rules = staticmethod(validation.validate_role)
    update_rules = staticmethod(validation.validate_role_update)
    check = staticmethod(escalation.check_role_write)


class ClusterRoleStrategy(RoleStrategy):
    create_rules = staticmethod(validation.validate_cluster_role)
    update_rules = staticmethod(validation.validate_cluster_role_update)


def _doc(definition: str, prop: str) -> str:
    return str(builtin_schemas.builtin_definitions()[definition]["properties"][prop].get("description", ""))


class BindingPrinter:
    """kube's ``printRoleBinding``/``printClusterRoleBinding`` and their column definitions."""

    def __init__(self, definition: str, label: str) -> None:
        self._definition = definition
        self._label = label
        self._columns: list[dict[str, Any]] | None = None

    def columns(self) -> list[dict[str, Any]]:
        """Computed on first use (the descriptions come from the served OpenAPI definitions)."""
        if self._columns is None:
            self._columns = self._compute()
        return self._columns

    def _compute(self) -> list[dict[str, Any]]:
        meta, definition, label = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", self._definition, self._label
        return [
            {"name": "Name", "type": "string", "format": "name", "description": _doc(meta, "name"), "priority": 0},
            {"name": "Role", "type": "string", "format": "", "description": _doc(definition, "roleRef"),
             "priority": 0},
            {"name": "Age", "type": "string", "format": "", "description": _doc(meta, "creationTimestamp"),
             "priority": 0},
            *({"name": name, "type": "string", "format": "", "description": f"{name} in the {label}",
               "priority": 1} for name in ("Users", "Groups", "ServiceAccounts")),
        ]

    def row(self, obj: Mapping[str, Any], now: datetime) -> list[Any]:
        meta = obj.get("metadata") or {}
        ref = obj.get("roleRef") or {}
        kinds: dict[str, list[str]] = {"User": [], "Group": [], "ServiceAccount": []}
        for subject in obj.get("subjects") or []:
            name = subject.get("name") or ""
            if subject.get("kind") == "ServiceAccount" and subject.get("namespace"):
                name = f"{subject['namespace']}/{name}"
            kinds.get(subject.get("kind") or "", []).append(name)
        return [meta.get("name", ""), f"{ref.get('kind', '')}/{ref.get('name', '')}",
                duration.age(meta.get("creationTimestamp"), now),
                ", ".join(kinds["User"]), ", ".join(kinds["Group"]), ", ".join(kinds["ServiceAccount"])]


class RoleBindingStrategy(_RBACStrategy):
    create_rules = staticmethod(validation.validate_role_binding)
    update_rules = staticmethod(validation.validate_role_binding_update)
    check = staticmethod(escalation.check_binding_write)
    printer = BindingPrinter("io.k8s.api.rbac.v1.RoleBinding", "roleBinding")

    def normalize(self, obj: Obj) -> None:
        validation.default_binding(obj)


class ClusterRoleBindingStrategy(RoleBindingStrategy):
    create_rules = staticmethod(validation.validate_cluster_role_binding)
    update_rules = staticmethod(validation.validate_cluster_role_binding_update)
    printer = BindingPrinter("io.k8s.api.rbac.v1.ClusterRoleBinding", "clusterRoleBinding")
