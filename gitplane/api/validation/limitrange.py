"""LimitRange validation (kube's ``ValidateLimitRange``) and the defaulting that precedes it.

Each item of ``spec.limits`` has a unique ``type`` (``Pod``, ``Container``, ``PersistentVolumeClaim`` or a
qualified name) and resource maps whose values must be ordered ``min <= defaultRequest <= default <= max``,
with ``maxLimitRequestRatio`` at least 1 and at most ``max/min``. ``Pod`` items take no defaults, and
resources that cannot be overcommitted (huge pages, extended resources) need ``default == defaultRequest``.
kube defaults Container items while decoding (:func:`default`), so validation sees the defaulted object;
updates are checked like creates.

Messages show quantities as Go prints a ``resource.Quantity`` value (``%#v``), as kube's do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from gitplane.api import errors, quantity
from gitplane.api.validation import goerrors, names, objectmeta, resourcenames

POD = "Pod"
CONTAINER = "Container"
PERSISTENT_VOLUME_CLAIM = "PersistentVolumeClaim"
STANDARD_TYPES = frozenset({POD, CONTAINER, PERSISTENT_VOLUME_CLAIM})
_MAPS = ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")
_STORAGE_REQUIRED = "either minimum or maximum storage value is required, but neither was provided"

Quantities = dict[str, quantity.Quantity]


def default(obj: Mapping[str, Any]) -> dict[str, Any]:
    """kube's ``SetDefaults_LimitRangeItem``: a Container item's ``default`` falls back to ``max``, its
    ``defaultRequest`` to ``default``, then to ``min``. Returns a new object; the input is left alone."""
    spec = obj.get("spec") or {}
    items = []
    for item in spec.get("limits") or []:
        if item.get("type") != CONTAINER:
            items.append(item)
            continue
        defaults = dict(item.get("default") or {})
        for key, value in (item.get("max") or {}).items():
            defaults.setdefault(key, value)
        requests = dict(item.get("defaultRequest") or {})
        for key, value in defaults.items():
            requests.setdefault(key, value)
        for key, value in (item.get("min") or {}).items():
            requests.setdefault(key, value)
        items.append({**item, "default": defaults, "defaultRequest": requests})
    return {**obj, "spec": {**spec, "limits": items}} if "limits" in spec else dict(obj)


def validate(obj: Mapping[str, Any]) -> list[errors.FieldError]:
    found = objectmeta.validate_object_meta(obj.get("metadata") or {}, namespaced=True,
                                            name_rule=names.name_is_dns_subdomain, core_finalizer_names=True)
    seen_types: set[str] = set()
    for index, item in enumerate((obj.get("spec") or {}).get("limits") or []):
        path = f"spec.limits[{index}]"
        limit_type = item.get("type") or ""
        found.extend(_type_name(limit_type, f"{path}.type"))
        if limit_type in seen_types:
            found.append(errors.duplicate(f"{path}.type", limit_type))
        seen_types.add(limit_type)
        found.extend(_item(item, limit_type, path))
    return found


def validate_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[errors.FieldError]:
    """kube checks an updated LimitRange exactly as a new one."""
    return validate(new)


def _type_name(limit_type: str, path: str) -> list[errors.FieldError]:
    found = [goerrors.invalid_rendered(path, limit_type, problem)
             for problem in names.is_qualified_name(limit_type)]
    if not found and "/" not in limit_type and limit_type not in STANDARD_TYPES:
        found.append(goerrors.invalid_rendered(path, limit_type,
                                               "must be a standard limit type or fully qualified"))
    return found


def _resource_name(limit_type: str, name: str, path: str) -> list[errors.FieldError]:
    if limit_type in (POD, CONTAINER):
        return resourcenames.validate_container_resource_name(name, path)
    return resourcenames.validate_resource_name(name, path)


def _item(item: Mapping[str, Any], limit_type: str, path: str) -> list[errors.FieldError]:
    found: list[errors.FieldError] = []
    maps: dict[str, Quantities] = {name: {} for name in _MAPS}
    for name in ("max", "min"):
        found.extend(_collect(item, name, limit_type, path, maps[name]))
    if limit_type == POD:
        for name in ("default", "defaultRequest"):
            if item.get(name):
                found.append(errors.forbidden(f"{path}.{name}", "may not be specified when `type` is 'Pod'"))
    else:
        for name in ("default", "defaultRequest"):
            found.extend(_collect(item, name, limit_type, path, maps[name]))
    if limit_type == PERSISTENT_VOLUME_CLAIM and "storage" not in (item.get("min") or {}) \
            and "storage" not in (item.get("max") or {}):
        found.append(errors.required(f"{path}.limits", _STORAGE_REQUIRED))
    found.extend(_collect(item, "maxLimitRequestRatio", limit_type, path, maps["maxLimitRequestRatio"]))
    keys: set[str] = set().union(*maps.values())
    for key in sorted(keys):
        found.extend(_ordering(key, maps, path))
    return found


def _collect(item: Mapping[str, Any], name: str, limit_type: str, path: str,
             into: Quantities) -> list[errors.FieldError]:
    """Check the names of one resource map and parse its quantities into ``into``."""
    found = []
    for resource, raw in (item.get(name) or {}).items():
        entry = f"{path}.{name}[{resource}]"
        found.extend(_resource_name(limit_type, resource, entry))
        value, problems = resourcenames.parse(raw, entry)
        found.extend(problems)
        if value is not None:
            into[resource] = value
    return found


def _ordering(key: str, maps: dict[str, Quantities], path: str) -> list[errors.FieldError]:
    """The order and ratio rules between one resource's values across the item's maps."""
    low, high = maps["min"].get(key), maps["max"].get(key)
    limit, request = maps["default"].get(key), maps["defaultRequest"].get(key)
    ratio = maps["maxLimitRequestRatio"].get(key)
    found = []

    def greater(at: str, shown: quantity.Quantity, detail: str) -> None:
        found.append(goerrors.invalid_rendered(f"{path}.{at}[{key}]", shown.go_syntax(), detail))

    if low is not None and high is not None and low.compare(high) > 0:
        greater("min", low, f"min value {low} is greater than max value {high}")
    if request is not None and low is not None and low.compare(request) > 0:
        greater("defaultRequest", request, f"min value {low} is greater than default request value {request}")
    if request is not None and high is not None and request.compare(high) > 0:
        greater("defaultRequest", request,
                f"default request value {request} is greater than max value {high}")
    if request is not None and limit is not None and request.compare(limit) > 0:
        greater("defaultRequest", request,
                f"default request value {request} is greater than default limit value {limit}")
    if limit is not None and low is not None and low.compare(limit) > 0:
        greater("default", low, f"min value {low} is greater than default value {limit}")
    if limit is not None and high is not None and limit.compare(high) > 0:
        greater("default", high, f"default value {limit} is greater than max value {high}")
    if ratio is not None and ratio.compare(quantity.Quantity(1, 0)) < 0:
        greater("maxLimitRequestRatio", ratio, f"ratio {ratio} is less than 1")
    if ratio is not None and low is not None and high is not None:
        bound = _max_over_min(ratio, low, high)
        if bound is not None:
            greater("maxLimitRequestRatio", ratio, f"ratio {ratio} is greater than max/min = {bound}")
    if not resourcenames.is_overcommit_allowed(key) and limit is not None and request is not None \
            and limit.compare(request) != 0:
        greater("defaultRequest", request,
                f"default value {limit} must equal to defaultRequest value {request} in {key}")
    return found


def _max_over_min(ratio: quantity.Quantity, low: quantity.Quantity, high: quantity.Quantity) -> str | None:
    """kube's float comparison of the ratio against ``max/min``; the bound as Go's ``%f`` prints it when the
    ratio exceeds it, else ``None``."""
    ratio_value = float(ratio.value())
    low_value, high_value = low.value(), high.value()
    if ratio.value() < quantity.MAX_MILLI_VALUE and low_value < quantity.MAX_MILLI_VALUE \
            and high_value < quantity.MAX_MILLI_VALUE:
        ratio_value = ratio.milli_value() / 1000
        low_value, high_value = low.milli_value(), high.milli_value()
    if low_value == 0:
        bound = math.nan if high_value == 0 else math.copysign(math.inf, high_value)
    else:
        bound = float(high_value) / float(low_value)
    if not ratio_value > bound:
        return None
    if math.isinf(bound):
        return "+Inf" if bound > 0 else "-Inf"
    return f"{bound:f}"
