"""The 409 an apply gets when it would change fields other managers own, worded exactly as kube words it.

    Apply failed with 1 conflict: conflict with "alice": .data.k
    Apply failed with 2 conflicts: conflicts with "alice":
    - .data.a
    - .data.b

Managers are printed by name, with ``with subresource "status"`` when they wrote through a subresource,
and ``using v1`` for ``Update`` managers (the API version they wrote with). Groups are ordered by kube's
manager identifier, paths in field-set order. Each conflicting field is also a ``FieldManagerConflict``
cause carrying the field path, which is what clients such as kubectl read.
"""

from __future__ import annotations

from collections.abc import Mapping

from gitplane.api import errors, gosyntax
from gitplane.api.apply import fieldpath
from gitplane.api.apply.fieldpath import FieldSet
from gitplane.api.apply.managedfields import UPDATE, ManagerKey


def manager_label(key: ManagerKey) -> str:
    """How kube names a manager in conflict messages: ``"alice"``, ``"kubectl-edit" using v1``."""
    label = gosyntax.go_quote(key.manager)
    if key.subresource:
        label += f" with subresource {gosyntax.go_quote(key.subresource)}"
    if key.operation == UPDATE:
        label += f" using {key.api_version}"
    return label


def conflict_error(conflicts: Mapping[ManagerKey, FieldSet]) -> errors.APIError:
    """The ``Conflict`` (409) error for fields that other managers own."""
    grouped = [(manager_label(key), [fieldpath.path_string(p) for p in conflicts[key].paths()])
               for key in sorted(conflicts, key=lambda key: key.identity)]
    causes = [{"reason": errors.FIELD_MANAGER_CONFLICT, "message": f"conflict with {label}", "field": path}
              for label, paths in grouped for path in paths]
    if len(causes) == 1:
        label, (path,) = grouped[0]
        message = f"Apply failed with 1 conflict: conflict with {label}: {path}"
    else:
        lines = []
        for label, paths in grouped:
            lines.append(f"conflicts with {label}:")
            lines.extend(f"- {path}" for path in paths)
        message = f"Apply failed with {len(causes)} conflicts: " + "\n".join(lines)
    return errors.APIError(409, "Conflict", message, {"causes": causes})
