"""The commands that show or change the current workspace: ``.``/``current``, ``use``, ``-`` and ``~``.

Each command reads the current workspace from the kubeconfig (:class:`Session`), resolves the target with
:mod:`paths`, checks with :mod:`api` that the target exists and may be entered (kcp's rule: the Workspace
object is read in the parent; a top-level workspace such as ``root`` has none, so its discovery is read
instead), computes the kubeconfig edit, writes it, and prints one line from :mod:`messages`. Every check
happens before the write, so a failing command leaves the kubeconfig untouched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubernetes.client import Configuration

from gitplane.cli.ws import kubeconfig, messages
from gitplane.cli.ws.api import ApiError, WorkspaceApi
from gitplane.cli.ws.errors import PluginError
from gitplane.cli.ws.paths import (
    HOME,
    ROOT,
    SEPARATOR,
    Location,
    join_type,
    normalize,
    parse_server_url,
    resolve,
    split_parent,
    workspace_url,
)

PREVIOUS_WORKSPACE = "-"
CURRENT_WORKSPACE = "."
_NOT_FOUND = 404
_TOO_MANY_REQUESTS = 429
HOME_RETRY_SECONDS = 1.0
HOME_TIMEOUT_SECONDS = 60.0
_FORBIDDEN = 403


@dataclass
class Session:
    """The kubeconfig a command works on; its current context is the one commands start from.

    Each context's client configuration is loaded once, since loading may run a credential plugin.
    """

    config: kubeconfig.Kubeconfig
    _configurations: dict[str, Configuration] = field(default_factory=dict)

    def location(self, context: str | None = None) -> Location:
        """Where ``context`` (by default the current one) points; an error if that is not a workspace."""
        name = context or self.config.current_context
        server = self._configuration(name).host
        location = parse_server_url(server)
        if location is None:
            role = "current context" if context is None else "context"
            raise PluginError(f'{role} "{name}" does not point at a workspace (server "{server}")')
        return location

    def api(self, context: str | None = None) -> WorkspaceApi:
        """Requests with the credentials of ``context`` (by default the current one), to its server."""
        name = context or self.config.current_context
        return WorkspaceApi(self._configuration(name), self.location(context).base)

    def _configuration(self, name: str) -> Configuration:
        if name not in self._configurations:
            self._configurations[name] = self.config.configuration(name)
        return self._configurations[name]


def type_of(workspace: Mapping[str, Any]) -> str | None:
    """The Workspace's ``spec.type`` as ``<path>:<name>``; ``None`` when it has none."""
    reference = (workspace.get("spec") or {}).get("type") or {}
    name = reference.get("name")
    return join_type(str(reference.get("path") or ""), str(name)) if name else None


def show_current(session: Session, short: bool) -> None:
    """``kubectl ws .``: print the current workspace."""
    path = session.location().path
    print(path if short else messages.current_workspace(path, None))


def use(session: Session, target: str | None, short: bool) -> None:
    """``kubectl ws [use] <target>``: dispatch on the target's form, then switch."""
    target = normalize(target or HOME, os.path.expanduser("~"))
    if target == HOME:
        go_home(session, short)
    elif target == PREVIOUS_WORKSPACE:
        go_back(session, short)
    elif target == CURRENT_WORKSPACE:
        show_current(session, short)
    elif target.startswith(HOME + SEPARATOR):
        enter(session, resolve(ROOT, SEPARATOR + home_path(session) + target[len(HOME):]), short)
    else:
        enter(session, resolve(session.location().path, target), short)


def enter(session: Session, path: str, short: bool) -> None:
    """Switch to the absolute ``path`` after checking it exists and may be entered."""
    workspace_type = check_access(session.api(), path)
    _commit(session, path, workspace_type, short)


def check_access(api: WorkspaceApi, path: str) -> str | None:
    """kcp's check before entering ``path``; returns the workspace's type, ``None`` for a top-level one."""
    split = split_parent(path)
    try:
        if split is None:
            api.discover(path)
            return None
        return type_of(api.get(*split))
    except ApiError as error:
        if error.status == _NOT_FOUND:
            raise PluginError(f'workspace "{path}" not found') from None
        if error.status == _FORBIDDEN:
            raise PluginError(f'access to workspace "{path}" denied') from None
        raise


def home_path(session: Session) -> str:
    """The path of the user's home workspace, from the ``spec.URL`` of ``root``'s Workspace ``~``. The server
    makes the home on first access and answers 429 until it is ready, as kcp does: asked again each second,
    for up to :data:`HOME_TIMEOUT_SECONDS`."""
    deadline = time.monotonic() + HOME_TIMEOUT_SECONDS
    while True:
        try:
            home = session.api().get(ROOT, HOME)
            break
        except ApiError as error:
            if error.status == _NOT_FOUND:
                raise PluginError("home workspaces are not enabled on this server") from None
            if error.status != _TOO_MANY_REQUESTS or time.monotonic() > deadline:
                raise
            time.sleep(HOME_RETRY_SECONDS)
    url = str((home.get("spec") or {}).get("URL") or "")
    location = parse_server_url(url)
    if location is None:
        raise PluginError(f'invalid home workspace URL "{url}"')
    return location.path


def go_home(session: Session, short: bool) -> None:
    """``kubectl ws`` and ``kubectl ws ~``: switch to the home workspace."""
    _commit(session, home_path(session), None, short)


def go_back(session: Session, short: bool) -> None:
    """``kubectl ws -``: swap the current and the previous workspace."""
    edit = kubeconfig.swap(session.config)
    path = session.location(kubeconfig.PREVIOUS).path
    workspace_type = _readable_type(session.api(kubeconfig.PREVIOUS), path)
    kubeconfig.write(session.config, edit)
    print(path if short else messages.current_workspace(path, workspace_type))


def _readable_type(api: WorkspaceApi, path: str) -> str | None:
    """The type of ``path`` if its Workspace object can be read; going back does not depend on it."""
    split = split_parent(path)
    if split is None:
        return None
    try:
        return type_of(api.get(*split))
    except PluginError:
        return None


def _commit(session: Session, path: str, workspace_type: str | None, short: bool) -> None:
    location = session.location()
    kubeconfig.write(session.config, kubeconfig.switch(session.config, workspace_url(location.base, path)))
    print(path if short else messages.current_workspace(path, workspace_type))
