"""``kubectl ws tree``: the workspaces under the current one, drawn as treeprint (kcp's library) draws them.

:func:`collect` LISTs the Workspaces of a workspace and recurses into each child ``<path>:<name>``, children
sorted by name; a child whose LIST answers 403 (or 404) is kept as a leaf. :func:`render` turns the result
into lines: ``.``, then the current workspace's full path, then one ``├──``/``└──`` line per child.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitplane.cli.ws.api import ApiError, WorkspaceApi
from gitplane.cli.ws.paths import SEPARATOR

_UNLISTABLE = (403, 404)


@dataclass(frozen=True)
class Node:
    """A workspace in the tree: the label printed for it and its children, in print order."""

    label: str
    children: tuple[Node, ...] = ()


def collect(api: WorkspaceApi, path: str, label: str) -> Node:
    """The tree below the workspace ``path``, whose own line reads ``label``."""
    try:
        workspaces = api.list(path)
    except ApiError as error:
        if error.status in _UNLISTABLE:
            return Node(label)
        raise
    names = sorted(str(workspace["metadata"]["name"]) for workspace in workspaces)
    return Node(label, tuple(collect(api, f"{path}{SEPARATOR}{name}", name) for name in names))


def render(root: Node) -> list[str]:
    """treeprint's drawing of ``root`` under a ``.`` line."""
    lines = ["."]
    _draw(lines, (root,), "")
    return lines


def _draw(lines: list[str], nodes: tuple[Node, ...], indent: str) -> None:
    for index, node in enumerate(nodes):
        last = index == len(nodes) - 1
        lines.append(f"{indent}{'└── ' if last else '├── '}{node.label}")
        _draw(lines, node.children, indent + ("    " if last else "│   "))
