"""``kubectl ws create`` / ``kubectl create workspace``: POST a Workspace, wait until it is Ready, maybe enter.

The options become a Workspace object (:func:`workspace_object`: ``--type`` -> ``spec.type``,
``--location-selector`` -> ``spec.location.selector.matchLabels``) POSTed to the current workspace. The
server's answer carries the defaulted type, which every printed line names. A 409 is an error unless
``--ignore-existing``; then the existing Workspace is read instead (and must have the requested type). The
Workspace is then read every 100 ms until its ``status.phase`` is Ready or ``--timeout`` passes; ``--enter``
finally switches into it through :func:`commands.enter`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitplane.cli.ws import messages
from gitplane.cli.ws.api import API_VERSION, ApiError, Workspace, WorkspaceApi
from gitplane.cli.ws.commands import Session, enter, type_of
from gitplane.cli.ws.errors import PluginError
from gitplane.cli.ws.paths import SEPARATOR, split_type

READY = "Ready"
POLL_INTERVAL = 0.1
DEFAULT_TIMEOUT = 60.0
_CONFLICT = 409
_LABEL_KEY = re.compile(r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")


@dataclass(frozen=True)
class CreateRequest:
    """The ``create`` command's argument and options."""

    name: str
    workspace_type: str | None = None
    enter: bool = False
    ignore_existing: bool = False
    location_selector: str | None = None
    timeout: float = DEFAULT_TIMEOUT


def match_labels(selector: str) -> dict[str, str]:
    """``k=v,k2=v2`` (``==`` also accepted) as a ``matchLabels`` mapping."""
    labels: dict[str, str] = {}
    for requirement in selector.split(","):
        key, found, value = requirement.strip().partition("=")
        value = value.removeprefix("=")
        if not found or not _LABEL_KEY.fullmatch(key) or not _LABEL_VALUE.fullmatch(value):
            raise PluginError(f'invalid location selector "{selector}": expected key=value pairs')
        labels[key] = value
    return labels


def workspace_object(request: CreateRequest) -> Workspace:
    """The Workspace to POST; without ``--type`` there is no ``spec.type`` and the server defaults it."""
    spec: dict[str, Any] = {}
    if request.workspace_type:
        path, name = split_type(request.workspace_type)
        spec["type"] = {"name": name, "path": path} if path else {"name": name}
    if request.location_selector:
        spec["location"] = {"selector": {"matchLabels": match_labels(request.location_selector)}}
    return {"apiVersion": API_VERSION, "kind": "Workspace", "metadata": {"name": request.name}, "spec": spec}


def create(session: Session, request: CreateRequest) -> None:
    """Create (or with ``--ignore-existing`` find) the workspace, wait for it, and enter it if asked."""
    location = session.location()
    api = session.api()
    body = workspace_object(request)
    try:
        workspace = api.create(location.path, body)
        created = True
    except ApiError as error:
        if error.status != _CONFLICT:
            raise
        if not request.ignore_existing:
            raise PluginError(f'workspace "{request.name}" already exists') from None
        workspace = api.get(location.path, request.name)
        created = False
        _require_type(workspace, request)
    workspace_type = type_of(workspace)
    if _phase(workspace) != READY:
        if created:
            print(messages.created(request.name, workspace_type), flush=True)
        _wait_ready(api, location.path, request.name, request.timeout)
    print(messages.ready(request.name, workspace_type), flush=True)
    if request.enter:
        enter(session, f"{location.path}{SEPARATOR}{request.name}", short=False)


def _require_type(existing: Workspace, request: CreateRequest) -> None:
    """With ``--ignore-existing``, an existing workspace of another type than ``--type`` is an error."""
    if not request.workspace_type:
        return
    path, name = split_type(request.workspace_type)
    actual = (existing.get("spec") or {}).get("type") or {}
    if actual.get("name") != name or (path and actual.get("path") != path):
        raise PluginError(f'workspace "{request.name}" already exists with type {type_of(existing)}')


def _wait_ready(api: WorkspaceApi, path: str, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        phase = _phase(api.get(path, name))
        if phase == READY:
            return
        if time.monotonic() >= deadline:
            raise PluginError(f'timed out waiting for workspace "{name}" to be ready (phase {phase or "unknown"})')
        time.sleep(POLL_INTERVAL)


def _phase(workspace: Mapping[str, Any]) -> str:
    return str((workspace.get("status") or {}).get("phase") or "")
