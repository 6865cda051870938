"""DELETE and DELETECOLLECTION.

``DeleteOptions`` come from the body (or the query): preconditions on uid and resourceVersion (409 on a
mismatch), ``propagationPolicy``, ``dryRun``. An object that finalizers (or its type) hold is only marked:
``deletionTimestamp`` is set and the answer is the object, with 200 (202 only when the client sent
``orphanDependents: false``, as kube does); it goes when its finalizers are removed. Anything else is removed at
once and the answer is a ``Status`` of success naming it.

Dependents (``ownerReferences``) are the garbage collector's business (:mod:`gitplane.server.controllers.gc`):
``Background`` (the default) deletes the owner at once and the collector its dependents after; ``Foreground``
marks the owner with the ``foregroundDeletion`` finalizer, which the collector removes once the dependents that
block it are gone; ``Orphan`` (or ``orphanDependents: true``) marks it with the ``orphan`` finalizer, which the
collector removes once it has taken the owner out of its dependents' ``ownerReferences``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.server import admission
from gitplane.server.negotiation import Form
from gitplane.server.request import Response
from gitplane.server.rest import body, listing, objectmeta, output, params
from gitplane.server.rest.context import Obj, ResourceRequest
from gitplane.server.rest.writes import MAX_UPDATE_RETRIES, Writer, copy
from gitplane.storage import interface as storage

PROPAGATION_POLICIES = ("Orphan", "Background", "Foreground")
FOREGROUND_FINALIZER = "foregroundDeletion"
ORPHAN_FINALIZER = "orphan"
_POLICY_FINALIZER = {"Foreground": FOREGROUND_FINALIZER, "Orphan": ORPHAN_FINALIZER}


class DeleteOptions:
    def __init__(self, ctx: ResourceRequest, raw: bytes) -> None:
        options: dict[str, Any] = {}
        if raw.strip():
            value = body.parse(raw, "application/json")
            if not isinstance(value, dict):
                raise errors.bad_request("DeleteOptions must be a JSON object")
            options = value
        query = ctx.request.query
        policy = options.get("propagationPolicy") or query.get("propagationPolicy") or ""
        if policy and policy not in PROPAGATION_POLICIES:
            raise errors.invalid("DeleteOptions.meta.k8s.io", "", [errors.not_supported(
                "propagationPolicy", policy, PROPAGATION_POLICIES)])
        orphan = options.get("orphanDependents")
        if policy and orphan is not None:
            raise errors.invalid("DeleteOptions.meta.k8s.io", "", [errors.invalid_value(
                "propagationPolicy", policy, "orphanDependents and deletionPropagation cannot be both set")])
        if not policy and orphan is not None:
            policy = "Orphan" if orphan else "Background"
        self.propagation = policy or "Background"
        preconditions = options.get("preconditions") or {}
        if not isinstance(preconditions, dict):
            raise errors.bad_request("DeleteOptions.preconditions must be an object")
        self.uid = preconditions.get("uid") or ""
        self.resource_version = preconditions.get("resourceVersion") or ""
        dry_run = options.get("dryRun") or []
        for value in dry_run if isinstance(dry_run, list) else [dry_run]:
            if value != "All":
                raise params.invalid_options(ctx.request, errors.not_supported("dryRun", value, ("All",)))
        self.dry_run = bool(dry_run) or params.dry_run(ctx.request)
        self.accepted = orphan is False

    def check(self, ctx: ResourceRequest, record: storage.Record, obj: Obj) -> None:
        meta = obj.get("metadata") or {}
        if self.uid and self.uid != meta.get("uid"):
            raise errors.conflict(ctx.type.plural, meta.get("name", ""),
                                  f"Precondition failed: UID in precondition: {self.uid}, UID in object meta: "
                                  f"{meta.get('uid', '')}", ctx.type.group)
        if self.resource_version and self.resource_version != str(record.revision):
            raise errors.conflict(ctx.type.plural, meta.get("name", ""),
                                  f"Precondition failed: ResourceVersion in precondition: {self.resource_version}, "
                                  f"ResourceVersion in object meta: {record.revision}", ctx.type.group)


async def _delete_one(ctx: ResourceRequest, writer: Writer, options: DeleteOptions, key_name: str
                      ) -> tuple[int, bytes | None, Obj]:
    """Delete (or mark) one object. Returns the status (200 removed, 202 marked), the served bytes of the
    object as it now is (None for a dry run of a removal) and its decoded last state."""
    named = dataclasses.replace(ctx, name=key_name, subresource="")
    for _ in range(MAX_UPDATE_RETRIES):
        record, obj = await named.read()
        options.check(named, record, obj)
        await writer.chain.validate(writer.attributes(admission.Operation.DELETE, None, obj))
        collector_finalizer = _POLICY_FINALIZER.get(options.propagation)
        if collector_finalizer is not None or ctx.strategy.delete_is_graceful(obj):
            meta = objectmeta.metadata(obj)
            if meta.get("deletionTimestamp"):
                return 202, named.served_bytes(record), obj
            marked = copy(obj)
            marked_meta = objectmeta.metadata(marked)
            if collector_finalizer is not None:
                others = [f for f in marked_meta.get("finalizers") or []
                          if f not in (FOREGROUND_FINALIZER, ORPHAN_FINALIZER)]
                marked_meta["finalizers"] = [*others, collector_finalizer]
            marked_meta["deletionTimestamp"] = writer.timestamp
            marked_meta["deletionGracePeriodSeconds"] = 0
            ctx.strategy.prepare_for_graceful_delete(marked)
            if writer.dry_run or options.dry_run:
                return 202, orjson.dumps(marked), marked
            try:
                updated = await ctx.store.update(named.key(), named.encode_for_storage(marked),
                                                 expect=record.revision)
            except storage.Conflict:
                continue
            return 202, named.served_bytes(updated), marked
        if writer.dry_run or options.dry_run:
            return 200, None, obj
        try:
            deleted = await ctx.store.delete(named.key(), expect=record.revision)
        except storage.Conflict:
            continue
        except storage.NotFound:
            raise named.not_found() from None
        return 200, named.served_bytes(deleted), obj
    raise errors.stale_conflict(ctx.type.plural, key_name, ctx.type.group)


async def delete(ctx: ResourceRequest, writer: Writer, form: Form) -> Response:
    if ctx.subresource:
        raise errors.method_not_allowed()
    options = DeleteOptions(ctx, await ctx.request.body())
    status, served, obj = await _delete_one(ctx, writer, options, ctx.name)
    if status == 202 and served is not None:
        return output.object_response(ctx, form, served, status=202 if options.accepted else 200)
    meta = obj.get("metadata") or {}
    details: dict[str, Any] = {"name": meta.get("name", ctx.name), "kind": ctx.type.plural,
                               "uid": meta.get("uid", "")}
    if ctx.type.group:
        details["group"] = ctx.type.group
    return Response(200, orjson.dumps(errors.status_success(details)))


async def delete_collection(ctx: ResourceRequest, writer: Writer, form: Form) -> Response:
    options = DeleteOptions(ctx, await ctx.request.body())
    pred = listing.predicate(ctx)
    page = await ctx.store.list(ctx.prefix())
    deleted: list[bytes] = []
    for record in page.records:
        stored = orjson.loads(record.value)
        if not pred.empty and not pred.matches(ctx, stored):
            continue
        meta = stored.get("metadata") or {}
        namespaced = dataclasses.replace(ctx, namespace=meta.get("namespace", "") or ctx.namespace, name="",
                                         subresource="")
        try:
            _, served, last = await _delete_one(namespaced, writer, options, meta.get("name", ""))
        except errors.APIError as exc:
            if exc.code == 404:
                continue  # removed concurrently
            raise
        deleted.append(served if served is not None else orjson.dumps(last))
    list_meta = {"resourceVersion": str(ctx.store.current_revision())}
    return output.list_response(ctx, form, deleted, list_meta)
