"""Step 1: the accepted names and the ``NamesAccepted`` and ``Established`` conditions of one CRD.

kube's naming controller, per group: a name is free unless another CRD of the same group (in the same logical
cluster) has accepted it; resources (plural, singular, short names) and kinds (kind, list kind) are separate
name spaces. A CRD that conflicts keeps the names it had accepted (none, for a new one) and is told why; one
that does not gets the names it asked for and, the first time, ``Established``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

NAMES_ACCEPTED = "NamesAccepted"
ESTABLISHED = "Established"


@dataclass(frozen=True)
class Names:
    plural: str = ""
    singular: str = ""
    kind: str = ""
    list_kind: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @classmethod
    def of(cls, names: Any) -> Names:
        if not isinstance(names, Mapping):
            return cls()

        def text(field: str) -> str:
            value = names.get(field)
            return value if isinstance(value, str) else ""

        def texts(field: str) -> tuple[str, ...]:
            value = names.get(field)
            return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

        return cls(text("plural"), text("singular"), text("kind"), text("listKind"), texts("shortNames"),
                   texts("categories"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"plural": self.plural, "kind": self.kind}
        if self.singular:
            out["singular"] = self.singular
        if self.short_names:
            out["shortNames"] = list(self.short_names)
        if self.list_kind:
            out["listKind"] = self.list_kind
        if self.categories:
            out["categories"] = list(self.categories)
        return out

    @property
    def resources(self) -> set[str]:
        return {n for n in (self.plural, self.singular, *self.short_names) if n}

    @property
    def kinds(self) -> set[str]:
        return {n for n in (self.kind, self.list_kind) if n}


@dataclass(frozen=True)
class Condition:
    status: str
    reason: str
    message: str


def decide(requested: Names, accepted: Names, others: Iterable[Names]) -> tuple[Names, Condition]:
    """The names to accept and the ``NamesAccepted`` condition, given the other CRDs' accepted names."""
    resources: set[str] = set()
    kinds: set[str] = set()
    for other in others:
        resources |= other.resources
        kinds |= other.kinds
    checks = [(requested.plural, resources, "PluralConflict"), (requested.singular, resources, "SingularConflict"),
              *((short, resources, "ShortNamesConflict") for short in requested.short_names),
              (requested.kind, kinds, "KindConflict"), (requested.list_kind, kinds, "ListKindConflict")]
    for name, taken, reason in checks:
        if name and name in taken:
            return accepted, Condition("False", reason, f'"{name}" is already in use')
    return requested, Condition("True", "NoConflicts", "no conflicts found")


def updated_status(crd: Mapping[str, Any], others: Iterable[Names], now: str) -> dict[str, Any] | None:
    """The CRD's status with its names decided, or None when it already says so."""
    status = dict(crd.get("status") or {})
    requested = Names.of((crd.get("spec") or {}).get("names"))
    names, accepted = decide(requested, Names.of(status.get("acceptedNames")), others)
    conditions = [dict(c) for c in status.get("conditions") or [] if isinstance(c, Mapping)]
    conditions = _set(conditions, NAMES_ACCEPTED, accepted, now)
    if accepted.status == "True" or _is_true(conditions, ESTABLISHED):
        conditions = _set(conditions, ESTABLISHED, Condition("True", "InitialNamesAccepted",
                                                             "the initial names have been accepted"), now)
    new = {**status, "acceptedNames": names.to_json(), "conditions": conditions}
    return None if new == status else new


def _is_true(conditions: list[dict[str, Any]], kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)


def _set(conditions: list[dict[str, Any]], kind: str, condition: Condition, now: str) -> list[dict[str, Any]]:
    """Set one condition; its transition time moves only when its status does."""
    for i, existing in enumerate(conditions):
        if existing.get("type") == kind:
            if (existing.get("status"), existing.get("reason"), existing.get("message")) == \
                    (condition.status, condition.reason, condition.message):
                return conditions
            moved = existing.get("status") != condition.status
            conditions[i] = {"type": kind, "status": condition.status,
                             "lastTransitionTime": now if moved else existing.get("lastTransitionTime", now),
                             "reason": condition.reason, "message": condition.message}
            return conditions
    return [*conditions, {"type": kind, "status": condition.status, "lastTransitionTime": now,
                          "reason": condition.reason, "message": condition.message}]
