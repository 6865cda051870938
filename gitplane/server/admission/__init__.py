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


class Plugin(Protocol):
    async def mutate(self, attrs: Attributes) -> None: ...

    async def validate(self, attrs: Attributes) -> None: ...


class Chain:
    def __init__(self, plugins: Sequence[Plugin]) -> None:
        self._plugins = tuple(plugins)

    async def mutate(self, attrs: Attributes) -> None:
        for plugin in self._plugins:
            await plugin.mutate(attrs)

    async def validate(self, attrs: Attributes) -> None:
        for plugin in self._plugins:
            await plugin.validate(attrs)
