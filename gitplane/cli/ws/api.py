"""The plugin's requests: Workspaces (``tenancy.kcp.io/v1alpha1``) and discovery, addressed to a workspace.

A :class:`WorkspaceApi` holds the client configuration loaded from the kubeconfig (credentials, TLS) and the
server's base URL; each call copies the configuration with ``host = <base>/clusters/<path>`` and goes through
``kubernetes.client.ApiClient`` (``CustomObjectsApi`` for Workspaces, ``CoreApi`` for discovery). Workspaces
come back as plain JSON objects. A non-2xx answer becomes an :class:`ApiError` carrying the HTTP status and
the Kubernetes ``Status`` message, so callers can tell 403, 404 and 409 apart; an unreachable server becomes
a :class:`PluginError`.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import urllib3
from kubernetes.client import ApiClient, Configuration, CoreApi, CustomObjectsApi
from kubernetes.client.exceptions import ApiException

from gitplane.cli.ws.errors import PluginError
from gitplane.cli.ws.paths import workspace_url

GROUP = "tenancy.kcp.io"
VERSION = "v1alpha1"
PLURAL = "workspaces"
API_VERSION = f"{GROUP}/{VERSION}"

Workspace = dict[str, Any]


class ApiError(PluginError):
    """A non-2xx answer: ``status`` is the HTTP status, the message is the ``Status`` body's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class WorkspaceApi:
    """Requests to the workspaces of one server, with the credentials of one kubeconfig context."""

    def __init__(self, configuration: Configuration, base: str) -> None:
        self._configuration = configuration
        self._base = base

    def get(self, parent: str, name: str) -> Workspace:
        """The Workspace ``name`` in the workspace ``parent``."""
        with self._client(parent) as client:
            return _object(CustomObjectsApi(client).get_cluster_custom_object(GROUP, VERSION, PLURAL, name))

    def list(self, path: str) -> list[Workspace]:
        """The Workspaces in the workspace ``path``."""
        with self._client(path) as client:
            listed = _object(CustomObjectsApi(client).list_cluster_custom_object(GROUP, VERSION, PLURAL))
        return [_object(item) for item in listed.get("items") or []]

    def create(self, path: str, workspace: Workspace) -> Workspace:
        """POST ``workspace`` into the workspace ``path``; the server's answer, with its defaults filled in."""
        with self._client(path) as client:
            return _object(CustomObjectsApi(client).create_cluster_custom_object(GROUP, VERSION, PLURAL, workspace))

    def discover(self, path: str) -> None:
        """GET ``/api`` of the workspace ``path``: succeeds only where the workspace exists and is readable."""
        with self._client(path) as client:
            CoreApi(client).get_api_versions()

    @contextmanager
    def _client(self, path: str) -> Iterator[ApiClient]:
        configuration = _addressed(self._configuration, workspace_url(self._base, path))
        try:
            with warnings.catch_warnings(), ApiClient(configuration) as client:
                if not configuration.verify_ssl:
                    # the kubeconfig asked for insecure-skip-tls-verify; kubectl does not warn about it either
                    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                yield client
        except ApiException as error:
            raise ApiError(int(error.status or 0), _message(error)) from None
        except urllib3.exceptions.HTTPError as error:
            raise PluginError(f"cannot reach {configuration.host}: {error}") from None


def _addressed(configuration: Configuration, host: str) -> Configuration:
    """A copy of ``configuration`` sending to ``host``.

    The kubeconfig loader installs a credential-refresh hook that runs before every request and sets ``host``
    back to the context's server; the copy's hook refreshes the same way, then puts ``host`` back.
    """
    addressed = copy.deepcopy(configuration)
    addressed.host = host
    refresh: Callable[[Configuration], None] | None = configuration.refresh_api_key_hook
    if refresh is not None:
        def refresh_keeping_host(target: Configuration) -> None:
            refresh(target)
            target.host = host

        # the client declares the attribute only by its initial value, None
        addressed.refresh_api_key_hook = refresh_keeping_host  # type: ignore[assignment]
    return addressed


def _message(error: ApiException) -> str:
    """The ``message`` of the ``Status`` body, else the HTTP status line."""
    try:
        status = json.loads(error.body or "")
    except ValueError:
        status = None
    if isinstance(status, Mapping) and status.get("message"):
        return str(status["message"])
    return f"{error.status} {error.reason}"


def _object(value: object) -> Workspace:
    if not isinstance(value, dict):
        raise PluginError(f"unexpected answer from the server: {value!r}")
    return value
