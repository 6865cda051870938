"""kcp's system types, served by every logical cluster beside the built-in Kubernetes types.

kcp serves its own APIs (Workspace, WorkspaceType, LogicalCluster) as *system CRDs*: CustomResourceDefinitions
that no workspace owns and every workspace sees. gitplane does the same with the CRD manifests of this folder:
each is read once, taken as Established under its own names, and turned into served versions by the code that
serves a workspace's CRDs (:func:`~gitplane.server.customresources.served.served_versions`), so the system
types get schema validation, pruning, defaults, CEL rules, printer columns, discovery and OpenAPI exactly as
custom types do. Their objects are stored under the built-in identity (``""``), as built-in types are: a
workspace's own CRD can never share their keys.

    *.yaml (CRDs) --load--> Established CRD --served_versions--> ServedVersion (identity "") --> SystemTypes
                                                                  + OpenAPI definitions (kube's names)
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from gitplane.api.resources import ResourceType
from gitplane.server.customresources.served import ServedVersion, definitions, served_versions

CRD_FILES = ("core.kcp.io_logicalclusters.yaml", "tenancy.kcp.io_workspaces.yaml",
             "tenancy.kcp.io_workspacetypes.yaml")


@dataclass(frozen=True)
class SystemTypes:
    """The served versions of the system CRDs, and the OpenAPI definitions their types name."""

    versions: tuple[ServedVersion, ...]
    definitions: Mapping[str, Mapping[str, Any]]

    @property
    def types(self) -> tuple[ResourceType, ...]:
        return tuple(version.type for version in self.versions)

    def served(self, resource_type: ResourceType) -> ServedVersion | None:
        """The served version of a system type (None for any other type)."""
        return self._by_type.get(resource_type)

    def of(self, group: str, plural: str) -> ResourceType:
        """The system type of ``group`` and ``plural`` (its one version); KeyError if there is none."""
        for version in self.versions:
            if version.type.group == group and version.type.plural == plural:
                return version.type
        raise KeyError(f"{plural}.{group}")

    @functools.cached_property
    def _by_type(self) -> dict[ResourceType, ServedVersion]:
        return {version.type: version for version in self.versions}


def read_yaml(name: str) -> list[Any]:
    """The documents of one YAML file of this folder."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return [doc for doc in YAML(typ="safe", pure=True).load_all(text) if doc is not None]


def established(crd: Mapping[str, Any]) -> dict[str, Any]:
    """``crd`` as the CRD controller would leave it: its names accepted and the CRD Established."""
    names = (crd.get("spec") or {}).get("names") or {}
    return {**crd, "status": {"acceptedNames": dict(names), "storedVersions": [
        v["name"] for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")],
        "conditions": [{"type": "NamesAccepted", "status": "True"}, {"type": "Established", "status": "True"}]}}


@functools.cache
def system_types() -> SystemTypes:
    """The system types (read once per process)."""
    versions: list[ServedVersion] = []
    for name in CRD_FILES:
        for crd in read_yaml(name):
            for version in served_versions(established(crd)):
                versions.append(dataclasses.replace(
                    version, type=dataclasses.replace(version.type, storage_identity="")))
    table: dict[str, Mapping[str, Any]] = {}
    for version in versions:
        table.update(definitions(version))
    return SystemTypes(tuple(versions), table)
