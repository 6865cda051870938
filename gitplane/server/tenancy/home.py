"""Home workspaces, as kcp's ``--enable-home-workspaces`` serves them: a private workspace per user, made on
first access, of which the user is ``cluster-admin``.

The root cluster answers ``GET /clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~`` (what ``kubectl ws``
without a target asks) with a Workspace describing the caller's home, after the request passed authorization
(``get`` on ``workspaces`` named ``~``, which root's policy grants every authenticated user). The home is a
logical cluster with no Workspace object: its name is derived from the user name (base36 of the first 8 bytes
of its SHA-224, as kcp derives it), its path is ``user:<name>``, its type ``root:home``. The first access
creates its LogicalCluster (the user must also be allowed ``create`` on ``workspaces/~``) with the user as
owner, which starts ``Initializing``: the logical-cluster controller then binds the owner to
``cluster-admin`` (``workspace-admin``) and runs the ``root:universal`` initializer. Until it is ``Ready`` the
answer is kcp's 429 with ``Retry-After: 1``; then the Workspace, with ``spec.URL`` pointing at the home.

Users whose names cannot be a workspace path segment (``system:serviceaccount:...``, e-mail addresses) have no
home; they get the same 403 as any workspace they may not enter.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.server.app import Handler
from gitplane.server.inprocess import InProcessClient
from gitplane.server.request import AnyResponse, Request, Response
from gitplane.server.requestinfo import RequestInfo
from gitplane.server.reviews.self_subject import user_info
from gitplane.server.stages.authz import REQUEST_AUTHORIZATION
from gitplane.server.tenancy import logicalclusters as lc
from gitplane.server.tenancy import workspacetypes as wst
from gitplane.server.tenancy.index import ROOT, is_cluster_name
from gitplane.storage import interface as storage

HOME = "~"
HOME_TYPE = wst.Reference("home", ROOT)
GROUP = "tenancy.kcp.io"
_NAME_BYTES = 8
_NAME_LENGTH = 13
"""The base36 digits of a 64-bit number: every home cluster name has this length."""


def home_cluster_name(user: str) -> str:
    return lc.base36(hashlib.sha224(user.encode()).digest()[:_NAME_BYTES]).rjust(_NAME_LENGTH, "0")


def home_path(user: str) -> str:
    return f"user:{user}"


def _is_home_request(request: Request) -> bool:
    info = request.require_info()
    return (request.cluster == ROOT and info.is_resource and info.verb == "get" and info.group == GROUP
            and info.resource == "workspaces" and info.name == HOME and not info.subresource)


class HomeWorkspaces:
    """The handler in front of the resource routes that answers ``workspaces/~`` in root."""

    def __init__(self, resources: Handler, *, store: storage.Store, types: wst.Resolver, external_url: str) -> None:
        self._resources = resources
        self._store = store
        self._types = types
        self._external_url = external_url
        self._api: InProcessClient | None = None

    def bind(self, api: InProcessClient) -> None:
        """The system's client, made from the app this handler is part of."""
        self._api = api

    async def __call__(self, request: Request) -> AnyResponse:
        if not _is_home_request(request):
            return await self._resources(request)
        user = request.require_user().name
        if not is_cluster_name(user):
            raise errors.forbidden_error(f'forbidden: User "{user}" cannot get path '
                                         f'"{request.raw_path.split("?", 1)[0]}": workspace access not permitted')
        name = home_cluster_name(user)
        try:
            logical = orjson.loads((await self._store.get(lc.key(name))).value)
        except storage.NotFound:
            logical = await self._create(request, name)
        path = ((logical.get("metadata") or {}).get("annotations") or {}).get(lc.PATH_ANNOTATION)
        if path != home_path(user):  # the name is taken by another cluster: no home can be served from it
            raise errors.internal(f"the home workspace of {user} cannot be made: its logical cluster is taken")
        status = logical.get("status") or {}
        if status.get("phase") in (None, "", "Scheduling", "Initializing"):  # admission starts it Initializing
            raise errors.too_many_requests("Creating the home workspace")
        return Response(200, orjson.dumps(self._workspace(user, name, logical)))

    def _system(self) -> InProcessClient:
        if self._api is None:
            raise errors.internal("home workspaces are not bound to the server's client")
        return self._api

    async def _create(self, request: Request, name: str) -> dict[str, Any]:
        current = REQUEST_AUTHORIZATION.get()
        user = request.require_user()
        create = RequestInfo(ROOT, True, "", "create", True, "apis", GROUP, "v1alpha1", "", "workspaces", HOME)
        if current is None or not current.allows(create):
            raise errors.forbidden_error(f'workspaces.{GROUP} "{HOME}" is forbidden: User "{user.name}" cannot '
                                         f'create resource "workspaces" in API group "{GROUP}" at the cluster scope',
                                         resource="workspaces", group=GROUP, name=HOME)
        wt = await self._types.resolve(ROOT, HOME_TYPE)
        initializers = wst.initializers(await self._types.aliases(wt))
        body = {"apiVersion": lc.API_VERSION, "kind": "LogicalCluster",
                "metadata": {"name": lc.NAME, "annotations": {
                    lc.OWNER_ANNOTATION: lc.owner_annotation(user), lc.TYPE_ANNOTATION: wt.qualified,
                    lc.PATH_ANNOTATION: home_path(user.name)}},
                "spec": {"initializers": initializers, "createdBy": user_info(user)}}
        reply = await self._system().request("POST", f"/clusters/{name}/apis/{lc.API_VERSION}/{lc.RESOURCE}",
                                             body=body)
        if reply.status == 409:
            return orjson.loads((await self._store.get(lc.key(name))).value)  # type: ignore[no-any-return]
        reply.raise_for_status()
        created: dict[str, Any] = reply.json()
        return created

    def _workspace(self, user: str, name: str, logical: dict[str, Any]) -> dict[str, Any]:
        status = logical.get("status") or {}
        return {"apiVersion": f"{GROUP}/v1alpha1", "kind": "Workspace",
                "metadata": {"name": HOME, "creationTimestamp": (logical.get("metadata") or {}).get(
                    "creationTimestamp"), "annotations": {"kcp.io/cluster": ROOT}},
                "spec": {"type": {"name": HOME_TYPE.name, "path": HOME_TYPE.path}, "cluster": name,
                         "URL": lc.url(self._external_url, home_path(user))},
                "status": {"phase": status.get("phase"), **({"conditions": status["conditions"]}
                                                            if status.get("conditions") else {})}}
