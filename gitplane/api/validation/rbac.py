"""RBAC validation (kube's ``pkg/apis/rbac/validation``) and the v1 defaults it relies on.

    Role / ClusterRole            metadata (path-segment names), every rule (``validate_policy_rule``);
                                  a ClusterRole's ``aggregationRule`` needs selectors, each a valid selector
    RoleBinding / ClusterRoleBinding
                                  ``roleRef`` (apiGroup ``rbac.authorization.k8s.io``, kind Role|ClusterRole,
                                  a name), subjects (User/Group in the RBAC group, ServiceAccount in ``""``
                                  with a namespace in cluster bindings); on update ``roleRef`` may not change

Field paths and messages are kube's. ``default_binding`` applies kube's v1 defaulting (``roleRef.apiGroup`` and
each subject's ``apiGroup``) that runs at decoding, before validation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gitplane.api import errors, gosyntax, labels
from gitplane.api.validation import goerrors, names, objectmeta

GROUP = "rbac.authorization.k8s.io"
Obj = Mapping[str, Any]


def default_binding(obj: dict[str, Any]) -> None:
    """kube's ``SetDefaults_RoleBinding``/``ClusterRoleBinding`` and ``SetDefaults_Subject`` (in place)."""
    role_ref = obj.get("roleRef")
    if isinstance(role_ref, dict) and not role_ref.get("apiGroup"):
        role_ref["apiGroup"] = GROUP
    for subject in obj.get("subjects") or []:
        if isinstance(subject, dict) and not subject.get("apiGroup"):
            kind = subject.get("kind")
            if kind in ("User", "Group"):
                subject["apiGroup"] = GROUP
            elif kind == "ServiceAccount":
                subject["apiGroup"] = ""


def validate_policy_rule(rule: Obj, namespaced: bool, path: str) -> list[errors.FieldError]:
    found: list[errors.FieldError] = []
    if not rule.get("verbs"):
        found.append(errors.required(f"{path}.verbs", "verbs must contain at least one value"))
    urls = rule.get("nonResourceURLs") or []
    if urls:
        rendered = gosyntax.go_string_slice(urls)
        if namespaced:
            found.append(goerrors.invalid_rendered(f"{path}.nonResourceURLs", rendered,
                                                   "namespaced rules cannot apply to non-resource URLs"))
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            found.append(goerrors.invalid_rendered(
                f"{path}.nonResourceURLs", rendered,
                "rules cannot apply to both regular resources and non-resource URLs"))
        return found
    if not rule.get("apiGroups"):
        found.append(errors.required(f"{path}.apiGroups", "resource rules must supply at least one api group"))
    if not rule.get("resources"):
        found.append(errors.required(f"{path}.resources", "resource rules must supply at least one resource"))
    return found


def _rules(rules: Sequence[Obj] | None, namespaced: bool) -> list[errors.FieldError]:
    found: list[errors.FieldError] = []
    for i, rule in enumerate(rules or []):
        found.extend(validate_policy_rule(rule, namespaced, f"rules[{i}]"))
    return found


def _meta(obj: Obj, namespaced: bool) -> list[errors.FieldError]:
    return objectmeta.validate_object_meta(obj.get("metadata") or {}, namespaced=namespaced,
                                           name_rule=names.path_segment_name)


def _meta_update(new: Obj, old: Obj) -> list[errors.FieldError]:
    return objectmeta.validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {})


def validate_role(obj: Obj) -> list[errors.FieldError]:
    return [*_meta(obj, True), *_rules(obj.get("rules"), True)]


def validate_role_update(new: Obj, old: Obj) -> list[errors.FieldError]:
    return [*validate_role(new), *_meta_update(new, old)]


def validate_cluster_role(obj: Obj) -> list[errors.FieldError]:
    found = [*_meta(obj, False), *_rules(obj.get("rules"), False)]
    rule = obj.get("aggregationRule")
    if rule is not None:
        selectors = rule.get("clusterRoleSelectors") or []
        if not selectors:
            found.append(errors.required("aggregationRule.clusterRoleSelectors",
                                         "at least one clusterRoleSelector required if aggregationRule is "
                                         "non-nil"))
        for i, selector in enumerate(selectors):
            found.extend(labels.validate_label_selector(selector, f"aggregationRule.clusterRoleSelectors[{i}]"))
    return found


def validate_cluster_role_update(new: Obj, old: Obj) -> list[errors.FieldError]:
    return [*validate_cluster_role(new), *_meta_update(new, old)]


def _role_ref(role_ref: Obj) -> list[errors.FieldError]:
    found: list[errors.FieldError] = []
    api_group = role_ref.get("apiGroup") or ""
    if api_group != GROUP:
        found.append(errors.not_supported("roleRef.apiGroup", api_group, [GROUP]))
    kind = role_ref.get("kind") or ""
    if kind not in ("Role", "ClusterRole"):
        found.append(errors.not_supported("roleRef.kind", kind, ["Role", "ClusterRole"]))
    name = role_ref.get("name") or ""
    if not name:
        found.append(errors.required("roleRef.name"))
    else:
        found.extend(errors.invalid_value("roleRef.name", name, msg) for msg in names.path_segment_name(name, False))
    return found


def validate_subject(subject: Obj, namespaced: bool, path: str) -> list[errors.FieldError]:
    found: list[errors.FieldError] = []
    name = subject.get("name") or ""
    api_group = subject.get("apiGroup") or ""
    if not name:
        found.append(errors.required(f"{path}.name"))
    kind = subject.get("kind") or ""
    if kind == "ServiceAccount":
        if name:
            found.extend(errors.invalid_value(f"{path}.name", name, msg)
                         for msg in names.name_is_dns_subdomain(name, False))
        if api_group:
            found.append(errors.not_supported(f"{path}.apiGroup", api_group, [""]))
        if not namespaced and not subject.get("namespace"):
            found.append(errors.required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if api_group != GROUP:
            found.append(errors.not_supported(f"{path}.apiGroup", api_group, [GROUP]))
    else:
        found.append(errors.not_supported(f"{path}.kind", kind, ["ServiceAccount", "User", "Group"]))
    return found


def _binding(obj: Obj, namespaced: bool) -> list[errors.FieldError]:
    found = [*_meta(obj, namespaced), *_role_ref(obj.get("roleRef") or {})]
    for i, subject in enumerate(obj.get("subjects") or []):
        found.extend(validate_subject(subject, namespaced, f"subjects[{i}]"))
    return found


def _go_role_ref(role_ref: Obj) -> str:
    return ("rbac.RoleRef{"
            f"APIGroup:{gosyntax.go_quote(role_ref.get('apiGroup') or '')}, "
            f"Kind:{gosyntax.go_quote(role_ref.get('kind') or '')}, "
            f"Name:{gosyntax.go_quote(role_ref.get('name') or '')}}}")


def _binding_update(new: Obj, old: Obj, namespaced: bool) -> list[errors.FieldError]:
    found = [*_binding(new, namespaced), *_meta_update(new, old)]
    new_ref, old_ref = new.get("roleRef") or {}, old.get("roleRef") or {}
    if any((new_ref.get(k) or "") != (old_ref.get(k) or "") for k in ("apiGroup", "kind", "name")):
        found.append(goerrors.invalid_rendered("roleRef", _go_role_ref(new_ref), "cannot change roleRef"))
    return found


def validate_role_binding(obj: Obj) -> list[errors.FieldError]:
    return _binding(obj, True)


def validate_role_binding_update(new: Obj, old: Obj) -> list[errors.FieldError]:
    return _binding_update(new, old, True)


def validate_cluster_role_binding(obj: Obj) -> list[errors.FieldError]:
    return _binding(obj, False)


def validate_cluster_role_binding_update(new: Obj, old: Obj) -> list[errors.FieldError]:
    return _binding_update(new, old, False)
