"""The rules every object's ``metadata`` obeys, on create and on update, worded as kube words them.

``validate_object_meta`` is kube's ``ValidateObjectMeta`` (``k8s.io/apimachinery/pkg/api/validation``): name
or generateName and the type's name rule, namespace required or forbidden by scope, labels, annotations (keys
and the 256 KiB total), owner references, finalizers and managed fields. ``validate_object_meta_update`` is
``ValidateObjectMetaUpdate``: identity fields are immutable, the generation only grows, a resourceVersion is
present, and an object being deleted takes no new finalizers. The core API group's variants add the check that
a finalizer without a ``/`` is one of kube's own (``core_finalizer_names=True``).

kube's generic registry additionally runs :func:`validate_common` on every create (after the type's own rules
passed) and :func:`validate_common_update` on every update, with the path-segment name rule; the server calls
those for all types, custom resources included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gitplane.api import duration, errors, gosyntax
from gitplane.api.validation import goerrors, names

TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
FIELD_MANAGER_MAX_LENGTH = 128
MAX_SUBRESOURCE_NAME_LENGTH = 256
IMMUTABLE = "field is immutable"
IS_NEGATIVE = "must be greater than or equal to 0"
_ORPHAN = "orphan"
_FOREGROUND = "foregroundDeletion"
_STANDARD_FINALIZERS = frozenset({"kubernetes", _ORPHAN, _FOREGROUND})

Meta = Mapping[str, Any]


def validate_object_meta(meta: Meta, *, namespaced: bool, name_rule: names.NameRule, path: str = "metadata",
                         core_finalizer_names: bool = False) -> list[errors.FieldError]:
    """kube's ``ValidateObjectMeta`` (name generation already done)."""
    found: list[errors.FieldError] = []
    generate_name = meta.get("generateName") or ""
    if generate_name:
        found.extend(errors.invalid_value(f"{path}.generateName", generate_name, problem)
                     for problem in name_rule(generate_name, True))
    name = meta.get("name") or ""
    if not name:
        found.append(errors.required(f"{path}.name", "name or generateName is required"))
    else:
        found.extend(errors.invalid_value(f"{path}.name", name, problem)
                     for problem in name_rule(name, False))
    namespace = meta.get("namespace") or ""
    if namespaced:
        if not namespace:
            found.append(errors.required(f"{path}.namespace"))
        else:
            found.extend(errors.invalid_value(f"{path}.namespace", namespace, problem)
                         for problem in names.name_is_dns_label(namespace, False))
    elif namespace:
        found.append(errors.forbidden(f"{path}.namespace", "not allowed on this type"))
    generation = meta.get("generation") or 0
    if generation < 0:
        found.append(errors.invalid_value(f"{path}.generation", generation, IS_NEGATIVE))
    found.extend(_labels_and_more(meta, path))
    finalizers = meta.get("finalizers") or []
    found.extend(validate_finalizers(finalizers, f"{path}.finalizers"))
    found.extend(validate_managed_fields(meta.get("managedFields") or [], f"{path}.managedFields"))
    if core_finalizer_names:
        found.extend(_core_finalizer_names(finalizers, path))
    return found


def validate_object_meta_update(new: Meta, old: Meta, *, path: str = "metadata",
                                core_finalizer_names: bool = False) -> list[errors.FieldError]:
    """kube's ``ValidateObjectMetaUpdate``: what may not change, and the new metadata's own rules."""
    found: list[errors.FieldError] = []
    if old.get("deletionTimestamp"):
        added = sorted(set(new.get("finalizers") or []) - set(old.get("finalizers") or []))
        if added:
            found.append(errors.forbidden(
                f"{path}.finalizers",
                "no new finalizers can be added if the object is being deleted, found new finalizers "
                + gosyntax.go_string_slice(added)))
    if not new.get("resourceVersion"):
        found.append(errors.invalid_value(f"{path}.resourceVersion", new.get("resourceVersion") or "",
                                          "must be specified for an update"))
    new_generation = new.get("generation") or 0
    if new_generation < (old.get("generation") or 0):
        found.append(errors.invalid_value(f"{path}.generation", new_generation, "must not be decremented"))
    for field in ("name", "namespace", "uid"):
        if (new.get(field) or "") != (old.get(field) or ""):
            found.append(errors.invalid_value(f"{path}.{field}", new.get(field) or "", IMMUTABLE))
    created = new.get("creationTimestamp") or ""
    if not same_time(created, old.get("creationTimestamp") or ""):
        found.append(goerrors.invalid_rendered(f"{path}.creationTimestamp", gosyntax.go_time(created),
                                               IMMUTABLE))
    deleted = new.get("deletionTimestamp")
    if not same_time(deleted or "", old.get("deletionTimestamp") or ""):
        found.append(goerrors.invalid_rendered(f"{path}.deletionTimestamp", gosyntax.go_time(deleted or None),
                                               IMMUTABLE))
    grace = new.get("deletionGracePeriodSeconds")
    if grace != old.get("deletionGracePeriodSeconds"):
        found.append(errors.invalid_value(f"{path}.deletionGracePeriodSeconds", grace, IMMUTABLE))
    found.extend(_labels_and_more(new, path))
    found.extend(validate_managed_fields(new.get("managedFields") or [], f"{path}.managedFields"))
    if core_finalizer_names:
        found.extend(_core_finalizer_names(new.get("finalizers") or [], path))
    return found


def validate_common(meta: Meta, *, namespaced: bool) -> list[errors.FieldError]:
    """The generic registry's check on create, for every type: metadata with the path-segment name rule."""
    return validate_object_meta(meta, namespaced=namespaced, name_rule=names.path_segment_name)


def validate_common_update(new: Meta, old: Meta, *, namespaced: bool) -> list[errors.FieldError]:
    """The generic registry's check on update, for every type, before the type's own update rules."""
    return [*validate_common(new, namespaced=namespaced), *validate_object_meta_update(new, old)]


def validate_annotations(annotations: Mapping[str, str], path: str) -> list[errors.FieldError]:
    """Keys are qualified names, case aside; keys and values together stay under 256 KiB."""
    found: list[errors.FieldError] = []
    total = 0
    for key, value in annotations.items():
        found.extend(errors.invalid_value(path, key, problem)
                     for problem in names.is_qualified_name(key.lower()))
        total += names.byte_length(key) + names.byte_length(value)
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        found.append(errors.too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return found


def validate_finalizers(finalizers: Sequence[str], path: str) -> list[errors.FieldError]:
    """Each finalizer a qualified name, and not both ``orphan`` and ``foregroundDeletion``."""
    found: list[errors.FieldError] = []
    for finalizer in finalizers:
        found.extend(errors.invalid_value(path, finalizer, problem)
                     for problem in names.is_qualified_name(finalizer))
    if _ORPHAN in finalizers and _FOREGROUND in finalizers:
        found.append(goerrors.invalid_rendered(path, gosyntax.go_string_slice(finalizers),
                                               f"finalizer {_ORPHAN} and {_FOREGROUND} cannot be both set"))
    return found


def core_finalizer_name(finalizer: str, path: str) -> list[errors.FieldError]:
    """The core group's extra rule: an unprefixed finalizer must be one of kube's standard ones."""
    if "/" not in finalizer and finalizer not in _STANDARD_FINALIZERS:
        return [errors.invalid_value(path, finalizer,
                                     "name is neither a standard finalizer name nor is it fully qualified")]
    return []


def validate_owner_references(references: Sequence[Mapping[str, Any]], path: str) -> list[errors.FieldError]:
    """kube's ``ValidateOwnerReferences`` (its paths carry no index: ``metadata.ownerReferences.uid``)."""
    found: list[errors.FieldError] = []
    first_controller = ""
    for reference in references:
        api_version = reference.get("apiVersion") or ""
        kind = reference.get("kind") or ""
        group, version = _group_version(api_version)
        if not version:
            found.append(errors.invalid_value(f"{path}.apiVersion", api_version, "version must not be empty"))
        for field in ("kind", "name", "uid"):
            if not reference.get(field):
                found.append(errors.invalid_value(f"{path}.{field}", reference.get(field) or "",
                                                  f"{field} must not be empty"))
        if (group, version, kind) == ("", "v1", "Event"):
            found.append(goerrors.invalid_rendered(path, _go_owner_reference(reference),
                                                   "/v1, Kind=Event is disallowed from being an owner"))
        if reference.get("controller") is True:
            current = f"{kind}/{reference.get('name') or ''}"
            if first_controller:
                listed = ", ".join(_go_owner_reference(each) for each in references)
                rendered = "[]v1.OwnerReference{" + listed + "}"
                found.append(goerrors.invalid_rendered(
                    path, rendered, 'Only one reference can have Controller set to true. Found "true" in '
                    f"references for {first_controller} and {current}"))
            else:
                first_controller = current
    return found


def validate_managed_fields(entries: Sequence[Mapping[str, Any]], path: str) -> list[errors.FieldError]:
    """kube's ``ValidateManagedFields``: operation, fields type, manager name, subresource length."""
    found = []
    for index, entry in enumerate(entries):
        item = f"{path}[{index}]"
        operation = entry.get("operation") or ""
        if operation not in ("Apply", "Update"):
            found.append(errors.invalid_value(f"{item}.operation", operation, "must be `Apply` or `Update`"))
        fields_type = entry.get("fieldsType") or ""
        if fields_type and fields_type != "FieldsV1":
            found.append(errors.invalid_value(f"{item}.fieldsType", fields_type, "must be `FieldsV1`"))
        found.extend(validate_field_manager(entry.get("manager") or "", f"{item}.manager"))
        if names.byte_length(entry.get("subresource") or "") > MAX_SUBRESOURCE_NAME_LENGTH:
            found.append(errors.too_long(f"{item}.subresource", MAX_SUBRESOURCE_NAME_LENGTH))
    return found


def validate_field_manager(manager: str, path: str) -> list[errors.FieldError]:
    """At most 128 bytes of printable characters."""
    found = []
    if names.byte_length(manager) > FIELD_MANAGER_MAX_LENGTH:
        found.append(errors.too_long(path, FIELD_MANAGER_MAX_LENGTH))
    if manager.isprintable():
        return found
    offset = 0
    for char in manager:
        if not char.isprintable():
            found.append(errors.invalid_value(path, manager,
                                              f"invalid character U+{ord(char):04X} (at position {offset})"))
        offset += names.byte_length(char)
    return found


def _labels_and_more(meta: Meta, path: str) -> list[errors.FieldError]:
    return [*names.validate_labels(meta.get("labels") or {}, f"{path}.labels"),
            *validate_annotations(meta.get("annotations") or {}, f"{path}.annotations"),
            *validate_owner_references(meta.get("ownerReferences") or [], f"{path}.ownerReferences")]


def _core_finalizer_names(finalizers: Sequence[str], path: str) -> list[errors.FieldError]:
    found = []
    for index, finalizer in enumerate(finalizers):
        found.extend(core_finalizer_name(finalizer, f"{path}.finalizers[{index}]"))
    return found


def _group_version(api_version: str) -> tuple[str, str]:
    """kube's ``ParseGroupVersion``; an unparseable value has no version."""
    if not api_version:
        return "", ""
    parts = api_version.split("/")
    if len(parts) == 1:
        return "", api_version
    if len(parts) == 2:
        return parts[0], parts[1]
    return "", ""


def same_time(first: str | None, second: str | None) -> bool:
    """Two timestamps name the same instant (kube compares times semantically, not as text)."""
    if (first or "") == (second or ""):
        return True
    if not first or not second:
        return False
    parsed = duration.parse_timestamp(first)
    return parsed is not None and parsed == duration.parse_timestamp(second)


def _go_owner_reference(reference: Mapping[str, Any]) -> str:
    """``%#v`` of a ``metav1.OwnerReference``; kube prints set pointers as addresses, shown here as values."""
    def pointer(value: Any) -> str:
        if value is None:
            return "(*bool)(nil)"
        return f"(*bool)({'true' if value else 'false'})"
    return ("v1.OwnerReference{"
            f"APIVersion:{gosyntax.go_quote(reference.get('apiVersion') or '')}, "
            f"Kind:{gosyntax.go_quote(reference.get('kind') or '')}, "
            f"Name:{gosyntax.go_quote(reference.get('name') or '')}, "
            f"UID:{gosyntax.go_quote(reference.get('uid') or '')}, "
            f"Controller:{pointer(reference.get('controller'))}, "
            f"BlockOwnerDeletion:{pointer(reference.get('blockOwnerDeletion'))}}}")
