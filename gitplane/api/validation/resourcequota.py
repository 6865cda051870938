"""ResourceQuota validation (kube's ``ValidateResourceQuota`` and its update and status variants).

``spec.hard`` (and ``status.hard``/``status.used``) map quota resource names (``pods``, ``requests.cpu``,
``count/configmaps``...) to non-negative quantities, whole for countable resources. ``scopes`` and
``scopeSelector`` restrict a quota to kinds of pods: each scope must be known, must fit every standard
resource the quota limits, and may not be paired with its opposite. Scopes are immutable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gitplane.api import errors, gosyntax
from gitplane.api.validation import goerrors, names, objectmeta, resourcenames

TERMINATING = "Terminating"
NOT_TERMINATING = "NotTerminating"
BEST_EFFORT = "BestEffort"
NOT_BEST_EFFORT = "NotBestEffort"
PRIORITY_CLASS = "PriorityClass"
CROSS_NAMESPACE_POD_AFFINITY = "CrossNamespacePodAffinity"
STANDARD_SCOPES = frozenset({TERMINATING, NOT_TERMINATING, BEST_EFFORT, NOT_BEST_EFFORT, PRIORITY_CLASS,
                             CROSS_NAMESPACE_POD_AFFINITY})
_CONFLICTING = ((BEST_EFFORT, NOT_BEST_EFFORT), (TERMINATING, NOT_TERMINATING))
_POD_COUNT = frozenset({"pods"})
_POD_COMPUTE = frozenset({"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"})
_EXISTS_ONLY = frozenset({BEST_EFFORT, NOT_BEST_EFFORT, TERMINATING, NOT_TERMINATING,
                          CROSS_NAMESPACE_POD_AFFINITY})
_SCOPES_TYPE = "[]core.ResourceQuotaScope"
_UNFIT = "unsupported scope applied to resource"
_EXISTS_REQUIRED = ("must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, "
                    "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
                    "ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity")
_VALUES_REQUIRED = "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"


def validate(obj: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta(obj.get("metadata") or {}, namespaced=True,
                                            name_rule=names.name_is_dns_subdomain, core_finalizer_names=True)
    found.extend(_spec(obj.get("spec") or {}))
    found.extend(_status(obj.get("status") or {}))
    return found


def validate_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta_update(new.get("metadata") or {}, old.get("metadata") or {},
                                                   core_finalizer_names=True)
    spec = new.get("spec") or {}
    found.extend(_spec(spec))
    if set(spec.get("scopes") or []) != set((old.get("spec") or {}).get("scopes") or []):
        found.append(goerrors.invalid_rendered("spec.scopes", _go_scopes(spec), objectmeta.IMMUTABLE))
    return found


def validate_status_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    """An update through ``/status``."""
    meta = new.get("metadata") or {}
    found = objectmeta.validate_object_meta_update(meta, old.get("metadata") or {}, core_finalizer_names=True)
    if not meta.get("resourceVersion"):
        found.append(errors.required("resourceVersion"))
    found.extend(_status(new.get("status") or {}))
    return found


def scope_fits_resource(scope: str, resource: str) -> bool:
    """Whether a quota scope can limit a standard resource (``IsResourceQuotaScopeValidForResource``)."""
    if scope in (TERMINATING, NOT_TERMINATING, NOT_BEST_EFFORT, PRIORITY_CLASS, CROSS_NAMESPACE_POD_AFFINITY):
        return resource in _POD_COUNT or resource in _POD_COMPUTE
    if scope == BEST_EFFORT:
        return resource in _POD_COUNT
    return True


def _spec(spec: Mapping[str, Any]) -> list[errors.FieldError]:
    hard: Mapping[str, Any] = spec.get("hard") or {}
    found = resourcenames.validate_resource_list(hard, "spec.hard")
    found.extend(_scopes(spec, hard))
    if spec.get("scopeSelector") is not None:
        found.extend(_scope_selector(spec, hard))
    return found


def _status(status: Mapping[str, Any]) -> list[errors.FieldError]:
    return [*resourcenames.validate_resource_list(status.get("hard") or {}, "status.hard"),
            *resourcenames.validate_resource_list(status.get("used") or {}, "status.used")]


def _limited_standard(hard: Mapping[str, Any]) -> list[str]:
    return [name for name in sorted(hard) if resourcenames.is_standard_quota_resource(name)]


def _scopes(spec: Mapping[str, Any], hard: Mapping[str, Any]) -> list[errors.FieldError]:
    scopes: Sequence[str] = spec.get("scopes") or []
    if not scopes:
        return []
    found = []
    rendered = _go_scopes(spec)
    for scope in scopes:
        if scope not in STANDARD_SCOPES:
            found.append(goerrors.invalid_rendered("spec.scopes", rendered, "unsupported scope"))
        found.extend(goerrors.invalid_rendered("spec.scopes", rendered, _UNFIT)
                     for resource in _limited_standard(hard) if not scope_fits_resource(scope, resource))
    found.extend(goerrors.invalid_rendered("spec.scopes", rendered, "conflicting scopes")
                 for first, second in _CONFLICTING if first in scopes and second in scopes)
    return found


def _scope_selector(spec: Mapping[str, Any], hard: Mapping[str, Any]) -> list[errors.FieldError]:
    path = "spec.scopeSelector.matchExpressions"
    expressions: Sequence[Mapping[str, Any]] = (spec.get("scopeSelector") or {}).get("matchExpressions") or []
    found: list[errors.FieldError] = []
    seen = set()
    for expression in expressions:
        scope = expression.get("scopeName") or ""
        operator = expression.get("operator") or ""
        values = expression.get("values")
        if scope not in STANDARD_SCOPES:
            found.append(errors.invalid_value(f"{path}.scopeName", scope, "unsupported scope"))
        found.extend(goerrors.invalid_rendered(path, _go_scope_selector(spec), _UNFIT)
                     for resource in _limited_standard(hard) if not scope_fits_resource(scope, resource))
        if scope in _EXISTS_ONLY and operator != "Exists":
            found.append(errors.invalid_value(f"{path}.operator", operator, _EXISTS_REQUIRED))
        if operator in ("In", "NotIn"):
            if not values:
                found.append(errors.required(f"{path}.values", _VALUES_REQUIRED))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                found.append(goerrors.invalid_rendered(
                    f"{path}.values", gosyntax.go_string_slice(values),
                    "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
        else:
            found.append(errors.invalid_value(f"{path}.operator", operator, "not a valid selector operator"))
        seen.add(scope)
    found.extend(goerrors.invalid_rendered(path, _go_scopes(spec), "conflicting scopes")
                 for first, second in _CONFLICTING if first in seen and second in seen)
    return found


def _go_scopes(spec: Mapping[str, Any]) -> str:
    """``%#v`` of the spec's scopes (``[]core.ResourceQuotaScope(nil)`` when absent)."""
    return gosyntax.go_string_slice(spec.get("scopes"), _SCOPES_TYPE)


def _go_scope_selector(spec: Mapping[str, Any]) -> str:
    """``%#v`` of the spec's ``core.ScopeSelector``."""
    expressions = (spec.get("scopeSelector") or {}).get("matchExpressions")
    kind = "core.ScopedResourceSelectorRequirement"
    if expressions is None:
        listed = f"[]{kind}(nil)"
    else:
        listed = f"[]{kind}{{" + ", ".join(
            f"{kind}{{ScopeName:{gosyntax.go_quote(each.get('scopeName') or '')}, "
            f"Operator:{gosyntax.go_quote(each.get('operator') or '')}, "
            f"Values:{gosyntax.go_string_slice(each.get('values'))}}}" for each in expressions) + "}"
    return f"core.ScopeSelector{{MatchExpressions:{listed}}}"
