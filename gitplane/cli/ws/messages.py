"""The plugin's stdout lines, in one place, because they are compared line by line with kcp's.

Commands pass in a workspace path and, where known, its type reference (already joined, ``root:team``); a
missing type leaves out the ``(type ...)`` part, as for the root workspace, which has no Workspace object.
"""

from __future__ import annotations


def current_workspace(path: str, workspace_type: str | None) -> str:
    """``Current workspace is "root:org-a" (type root:organization).``"""
    return f'Current workspace is "{path}"{_type_suffix(workspace_type)}.'


def created(name: str, workspace_type: str | None) -> str:
    """The line printed after the POST, before waiting for readiness."""
    return f"{_workspace(name, workspace_type)} created. Waiting for it to be ready..."


def ready(name: str, workspace_type: str | None) -> str:
    """The line printed once the workspace's phase is Ready."""
    return f"{_workspace(name, workspace_type)} is ready to use."


def _workspace(name: str, workspace_type: str | None) -> str:
    return f'Workspace "{name}"{_type_suffix(workspace_type)}'


def _type_suffix(workspace_type: str | None) -> str:
    return f" (type {workspace_type})" if workspace_type else ""
