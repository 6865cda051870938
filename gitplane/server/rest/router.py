"""Routing a resource request to its verb handler.

Checks what kube-apiserver's route table would refuse (an unknown resource or subresource, a verb the type
does not serve, a namespaced type addressed without its namespace, a path beginning with ``//``) and what its
storage refuses before reading (a name that cannot be one path segment, such as ``..``; a ``resourceVersion``
that is not a revision), builds the :class:`ResourceRequest` and calls the handler for the verb.
"""

from __future__ import annotations

from collections.abc import Callable

from gitplane.api import errors
from gitplane.api.gosyntax import go_quote
from gitplane.api.resources import ResourceType
from gitplane.api.validation.names import path_segment_name
from gitplane.server import admission
from gitplane.server.catalog import Catalog
from gitplane.server.negotiation import negotiate
from gitplane.server.registry.strategy import Strategy
from gitplane.server.request import AnyResponse, Request
from gitplane.server.rest import deletion, listing, output, patching, scale, watch, writes
from gitplane.server.rest.body import read_object
from gitplane.server.rest.context import ResourceRequest
from gitplane.server.rest.listing import parse_revision
from gitplane.server.rest.params import field_manager, field_validation
from gitplane.server.serviceaccounts import tokenrequest
from gitplane.server.serviceaccounts.signing import Signer
from gitplane.storage.interface import Store

# Which verbs each subresource serves (kube: status and scale get/update/patch; namespaces/finalize update).
SUBRESOURCE_VERBS = {"status": ("get", "update", "patch"), "scale": ("get", "update", "patch"),
                     "finalize": ("update",), "token": ("create",)}
STRATEGY_CACHE_SIZE = 4096


class ResourceRouter:
    def __init__(self, *, store: Store, catalog_for: Callable[[str], Catalog],
                 strategy_for: Callable[[ResourceType], Strategy], chain: admission.Chain,
                 bookmark_seconds: float, signer: Signer) -> None:
        self.store = store
        self.catalog_for = catalog_for
        self.strategy_for = strategy_for
        self._strategies: dict[int, Strategy] = {}
        self.chain = chain
        self.bookmark_seconds = bookmark_seconds
        self.signer = signer

    def context(self, request: Request) -> ResourceRequest:
        info = request.require_info()
        catalog = self.catalog_for(request.cluster)
        resource_type = catalog.lookup(info.group, info.version, info.resource)
        if resource_type is None or info.path.startswith("//"):
            # kube's director hands a path that begins with // to no API group (no path cleaning, no redirect)
            raise errors.route_not_found()
        verb = info.verb
        if info.subresource:
            allowed = SUBRESOURCE_VERBS.get(info.subresource, ())
            if info.subresource not in resource_type.subresources or not info.name:
                raise errors.route_not_found()
            if verb not in allowed:
                raise errors.method_not_allowed()
        elif verb not in resource_type.verbs or (verb in ("update", "patch") and not info.name):
            raise errors.method_not_allowed()
        if info.name in (".", "..") or "%" in info.name or "/" in info.name:
            # kube's storage key functions: a name must be usable as one segment of a path
            raise errors.bad_request(f"Name parameter invalid: {go_quote(info.name)}: "
                                     + ";".join(path_segment_name(info.name, prefix=False)))
        namespace = info.namespace
        if resource_type.namespaced:
            if not namespace and (info.name or verb in ("create", "deletecollection")):
                raise errors.route_not_found() if info.name else errors.method_not_allowed()
        else:
            # a cluster-scoped type has no namespace; a namespace's own URL carries its name as the namespace
            if namespace and not (info.resource == "namespaces" and info.name == namespace):
                raise errors.route_not_found()
            namespace = ""
        strategy = self._strategies.get(id(resource_type))
        if strategy is None or strategy.type is not resource_type:
            if len(self._strategies) >= STRATEGY_CACHE_SIZE:  # custom types come and go with their CRDs
                self._strategies.clear()
            strategy = self._strategies[id(resource_type)] = self.strategy_for(resource_type)
        return ResourceRequest(request, resource_type, strategy, self.store,
                               catalog.definitions, request.cluster, namespace, info.name, info.subresource)

    async def __call__(self, request: Request) -> AnyResponse:
        ctx = self.context(request)
        verb = request.require_info().verb
        form = negotiate(request.header(b"accept"))
        if ctx.subresource == "scale":
            return await scale.serve(ctx, self.chain, form)
        if verb == "get":
            if request.query.get("resourceVersion", "0") != "0":
                parse_revision(request.query["resourceVersion"])  # a valid one is satisfied by the latest state
            return output.object_response(ctx, form, ctx.served_bytes(await ctx.record()))
        if verb == "list":
            return await listing.list_objects(ctx, form)
        if verb == "watch":
            return await watch.watch_objects(ctx, form, bookmark_seconds=self.bookmark_seconds)
        if verb == "create" and ctx.subresource == "token":
            return await tokenrequest.create(ctx, self.signer)
        writer = writes.Writer(ctx, self.chain)
        if verb == "create":
            if ctx.name:
                raise errors.method_not_allowed()
            obj = await read_object(ctx, field_validation(request))
            return await writer.create(obj, manager=field_manager(request), form=form)
        if verb == "update":
            return await writer.replace(form)
        if verb == "patch":
            return await patching.patch(ctx, writer, form)
        if verb == "delete":
            return await deletion.delete(ctx, writer, form)
        if verb == "deletecollection":
            return await deletion.delete_collection(ctx, writer, form)
        raise errors.method_not_allowed()
