"""Validation of CustomResourceDefinitions (apiextensions.k8s.io/v1) as kube-apiserver validates them, with
its field paths and messages, every problem in one list.

What is checked here: the name (``<plural>.<group>``), the group, the scope, the versions (DNS-1035 names,
unique, exactly one storage version, a schema for each), the names (plural, singular, kind, listKind, short
names, categories), printer columns, the scale subresource's paths, the conversion strategy, the accepted names
and stored versions of the status, and on update what may not change. The schemas themselves (structural
rules, and that the defaults and CEL rules in them are valid) are checked by the schema layer, which the CRD
strategy runs beside this.

Defaults are applied before validation, as kube's decoding does (:func:`apply_defaults`): ``singular`` is the
lower-cased kind, ``listKind`` the kind with ``List``, the conversion strategy ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gitplane.api import errors
from gitplane.api.errors import FieldError
from gitplane.api.validation import names, objectmeta

Obj = Mapping[str, Any]
SCOPES = ("Cluster", "Namespaced")
CONVERSION_STRATEGIES = ("None", "Webhook")
PRINTER_COLUMN_TYPES = ("boolean", "date", "integer", "number", "string")
PRINTER_COLUMN_FORMATS = ("byte", "date", "date-time", "double", "float", "int32", "int64", "password")


def apply_defaults(crd: dict[str, Any]) -> None:
    """kube's defaulting of a v1 CRD, in place."""
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return
    names_ = spec.get("names")
    if isinstance(names_, dict) and isinstance(names_.get("kind"), str) and names_["kind"]:
        if not names_.get("singular"):
            names_["singular"] = names_["kind"].lower()
        if not names_.get("listKind"):
            names_["listKind"] = names_["kind"] + "List"
    conversion = spec.get("conversion")
    if conversion is None:
        spec["conversion"] = {"strategy": "None"}
    elif isinstance(conversion, dict) and not conversion.get("strategy"):
        conversion["strategy"] = "None"


def validate(crd: Obj) -> list[FieldError]:
    meta, spec, status = _part(crd, "metadata"), _part(crd, "spec"), _part(crd, "status")
    required_name = f"{_text(_part(spec, 'names'), 'plural')}.{_text(spec, 'group')}"

    def name_rule(name: str, prefix: bool) -> list[str]:
        problems = names.name_is_dns_subdomain(name, prefix)
        if name != required_name:
            problems.append('must be spec.names.plural+"."+spec.group')
        return problems

    found = objectmeta.validate_object_meta(meta, namespaced=False, name_rule=name_rule)
    found.extend(validate_spec(spec))
    found.extend(validate_names(_part(status, "acceptedNames"), "status.acceptedNames"))
    found.extend(validate_stored_versions(status.get("storedVersions"), _versions(spec)))
    return found


def validate_update(new: Obj, old: Obj) -> list[FieldError]:
    found = objectmeta.validate_object_meta_update(_part(new, "metadata"), _part(old, "metadata"))
    spec, old_spec = _part(new, "spec"), _part(old, "spec")
    found.extend(validate_spec(spec))
    if _established(old):  # these decide where objects are stored and what they are
        found.extend(_immutable(spec.get("scope"), old_spec.get("scope"), "spec.scope"))
        found.extend(_immutable(_part(spec, "names").get("kind"), _part(old_spec, "names").get("kind"),
                                "spec.names.kind"))
    found.extend(_immutable(spec.get("group"), old_spec.get("group"), "spec.group"))
    found.extend(_immutable(_part(spec, "names").get("plural"), _part(old_spec, "names").get("plural"),
                            "spec.names.plural"))
    status = _part(new, "status")
    found.extend(validate_names(_part(status, "acceptedNames"), "status.acceptedNames"))
    found.extend(validate_stored_versions(status.get("storedVersions"), _versions(spec)))
    return found


def validate_status_update(new: Obj, old: Obj) -> list[FieldError]:
    found = objectmeta.validate_object_meta_update(_part(new, "metadata"), _part(old, "metadata"))
    found.extend(validate_names(_part(_part(new, "status"), "acceptedNames"), "status.acceptedNames"))
    return found


def validate_spec(spec: Obj) -> list[FieldError]:
    found: list[FieldError] = []
    group = _text(spec, "group")
    if not group:
        found.append(errors.required("spec.group"))
    elif problems := names.is_dns1123_subdomain(group):
        found.append(errors.invalid_value("spec.group", group, ",".join(problems)))
    elif "." not in group:
        found.append(errors.invalid_value("spec.group", group, "should be a domain with at least one dot"))
    found.extend(_enum("spec.scope", _text(spec, "scope"), SCOPES))
    versions = _versions(spec)
    if not versions:
        found.append(errors.invalid_value("spec.versions", [], "must have exactly one version marked as storage "
                                                               "version"))
    seen: set[str] = set()
    unique = True
    for i, version in enumerate(versions):
        path = f"spec.versions[{i}]"
        name = _text(version, "name")
        if name in seen:
            unique = False
        seen.add(name)
        if problems := names.is_dns1035_label(name):
            found.append(errors.invalid_value(f"{path}.name", name, ",".join(problems)))
        found.extend(_validate_version(version, path))
    if versions:
        if not unique:
            found.append(errors.invalid_value("spec.versions", versions, "must contain unique version names"))
        if sum(1 for v in versions if v.get("storage") is True) != 1:
            found.append(errors.invalid_value("spec.versions", versions,
                                              "must have exactly one version marked as storage version"))
    names_ = _part(spec, "names")
    for field in ("plural", "singular", "kind", "listKind"):
        if not _text(names_, field):
            found.append(errors.required(f"spec.names.{field}"))
    found.extend(validate_names(names_, "spec.names"))
    found.extend(_validate_conversion(_part(spec, "conversion")))
    return found


def validate_names(names_: Obj, path: str) -> list[FieldError]:
    """kube's ``ValidateCustomResourceDefinitionNames``: only what is set is checked."""
    found: list[FieldError] = []
    for field in ("plural", "singular"):
        value = _text(names_, field)
        if value and (problems := names.is_dns1035_label(value)):
            found.append(errors.invalid_value(f"{path}.{field}", value, ",".join(problems)))
    for field in ("kind", "listKind"):
        value = _text(names_, field)
        if value and (problems := names.is_dns1035_label(value.lower())):
            found.append(errors.invalid_value(f"{path}.{field}", value, "may have mixed case, but should otherwise "
                                                                        "match: " + ",".join(problems)))
    for field in ("shortNames", "categories"):
        for i, value in enumerate(_strings(names_.get(field))):
            if problems := names.is_dns1035_label(value):
                found.append(errors.invalid_value(f"{path}.{field}[{i}]", value, ",".join(problems)))
    kind = _text(names_, "kind")
    if kind and kind == _text(names_, "listKind"):
        found.append(errors.invalid_value(f"{path}.listKind", kind, "kind and listKind may not be the same"))
    return found


def validate_stored_versions(stored: Any, versions: Sequence[Obj]) -> list[FieldError]:
    path = "status.storedVersions"
    stored_versions = _strings(stored)
    if not stored_versions:
        return [errors.invalid_value(path, [], "must have at least one stored version")]
    found: list[FieldError] = []
    remaining = {v: i for i, v in enumerate(stored_versions)}
    for version in versions:
        name = _text(version, "name")
        if version.get("storage") is True and name not in remaining:
            found.append(errors.invalid_value(path, dict(version), f"must have the storage version {name}"))
        remaining.pop(name, None)
    found.extend(errors.invalid_value(f"{path}[{i}]", v, "must appear in spec.versions")
                 for v, i in sorted(remaining.items(), key=lambda item: item[1]))
    return found


def _validate_version(version: Obj, path: str) -> list[FieldError]:
    found: list[FieldError] = []
    schema = _part(version, "schema").get("openAPIV3Schema")
    if not isinstance(schema, Mapping):
        found.append(errors.required(f"{path}.schema.openAPIV3Schema", "schemas are required"))
    for i, column in enumerate(_mappings(version.get("additionalPrinterColumns"))):
        found.extend(_validate_column(column, f"{path}.additionalPrinterColumns[{i}]"))
    scale = _part(version, "subresources").get("scale")
    if isinstance(scale, Mapping):
        found.extend(_validate_scale(scale, f"{path}.subresources.scale"))
    for i, selectable in enumerate(_mappings(version.get("selectableFields"))):
        found.extend(_required_json_path(_text(selectable, "jsonPath"), f"{path}.selectableFields[{i}].jsonPath"))
    return found


def _validate_column(column: Obj, path: str) -> list[FieldError]:
    found: list[FieldError] = []
    if not _text(column, "name"):
        found.append(errors.required(f"{path}.name"))
    kinds = "must be one of " + ",".join(PRINTER_COLUMN_TYPES)
    column_type = _text(column, "type")
    if not column_type:
        found.append(errors.required(f"{path}.type", kinds))
    elif column_type not in PRINTER_COLUMN_TYPES:
        found.append(errors.invalid_value(f"{path}.type", column_type, kinds))
    column_format = _text(column, "format")
    if column_format and column_format not in PRINTER_COLUMN_FORMATS:
        found.append(errors.invalid_value(f"{path}.format", column_format,
                                          "must be one of " + ",".join(PRINTER_COLUMN_FORMATS)))
    found.extend(_required_json_path(_text(column, "jsonPath"), f"{path}.JSONPath"))
    return found


def _validate_scale(scale: Obj, path: str) -> list[FieldError]:
    found: list[FieldError] = []
    for field, under in (("specReplicasPath", ".spec."), ("statusReplicasPath", ".status."),
                         ("labelSelectorPath", ".status.")):
        value = _text(scale, field)
        if not value:
            if field != "labelSelectorPath":
                found.append(errors.required(f"{path}.{field}"))
            continue
        problems = _simple_json_path(value, f"{path}.{field}")
        if problems:
            found.extend(problems)
        elif not value.startswith(under):
            found.append(errors.invalid_value(f"{path}.{field}", value,
                                              f"should be a json path under {under.rstrip('.')}"))
    return found


def _validate_conversion(conversion: Obj) -> list[FieldError]:
    strategy = _text(conversion, "strategy")
    found = _enum("spec.conversion.strategy", strategy, CONVERSION_STRATEGIES)
    if strategy == "Webhook":
        webhook = _part(conversion, "webhook")
        if not isinstance(webhook.get("clientConfig"), Mapping):
            found.append(errors.required("spec.conversion.webhook.clientConfig",
                                         "required when strategy is set to Webhook"))
    elif strategy == "None" and conversion.get("webhook") is not None:
        found.append(errors.forbidden("spec.conversion.webhook", "should not be set when strategy is not set to "
                                                                 "Webhook"))
    return found


def _required_json_path(value: str, path: str) -> list[FieldError]:
    return _simple_json_path(value, path) if value else [errors.required(path)]


def _simple_json_path(value: str, path: str) -> list[FieldError]:
    if not value.startswith("."):
        return [errors.invalid_value(path, value, "must be a simple json path starting with .")]
    return []


def _enum(path: str, value: str, accepted: Sequence[str]) -> list[FieldError]:
    if not value:
        return [errors.required(path)]
    return [] if value in accepted else [errors.not_supported(path, value, accepted)]


def _immutable(new: Any, old: Any, path: str) -> list[FieldError]:
    return [] if new == old else [errors.invalid_value(path, new, objectmeta.IMMUTABLE)]


def _established(crd: Obj) -> bool:
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in _mappings(_part(crd, "status").get("conditions")))


def _part(obj: Obj, field: str) -> Obj:
    value = obj.get(field)
    return value if isinstance(value, Mapping) else {}


def _text(obj: Obj, field: str) -> str:
    value = obj.get(field)
    return value if isinstance(value, str) else ""


def _versions(spec: Obj) -> list[Obj]:
    return _mappings(spec.get("versions"))


def _mappings(value: Any) -> list[Obj]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
