"""Admission: the plugins that may change (mutating) or refuse (validating) a write, after the handler has
built the object and before it is stored.

Plugins run in the order the chain lists them: every mutating step first, then every validating step, as in
kube-apiserver. A plugin raises an API error to refuse. Schema validation and the type's own validation run
between the two phases, inside the handlers.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from gitplane.api.resources import ResourceType
from gitplane.server.request import UserInfo
from gitplane.storage.interface import Store


class Operation(enum.Enum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


@dataclass(frozen=True, slots=True)
class Attributes:
    """What is being written, by whom, where."""

    operation: Operation
    type: ResourceType
    subresource: str
    cluster: str
    namespace: str
    name: str
    obj: dict[str, Any] | None
    old: dict[str, Any] | None
    user: UserInfo
    dry_run: bool
    store: Store
    warnings: list[str] = field(default_factory=list)
    """The request's ``Warning`` headers: a plugin that warns (rather than refuses) appends to it."""


class Mutating(Protocol):
    """A plugin that may change the object (none of kube's defaults that gitplane serves needs one yet)."""

    async def mutate(self, attrs: Attributes) -> None: ...


class Validating(Protocol):
    """A plugin that may refuse the write."""

    async def validate(self, attrs: Attributes) -> None: ...


class Chain:
    """The plugins in kube's order: every mutating one, then (after the type's validation) every validating
    one; a plugin takes part only in the phases it implements, so a write awaits no plugin with nothing to
    do."""

    def __init__(self, validating: Sequence[Validating], mutating: Sequence[Mutating] = ()) -> None:
        self._mutating = tuple(mutating)
        self._validating = tuple(validating)

    async def mutate(self, attrs: Attributes) -> None:
        for plugin in self._mutating:
            await plugin.mutate(attrs)

    async def validate(self, attrs: Attributes) -> None:
        for plugin in self._validating:
            await plugin.validate(attrs)
