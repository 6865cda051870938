"""CREATE and UPDATE, and the commit steps PATCH shares with them.

Create: body → namespace and name → strategy defaults → system metadata → managed fields → mutating admission
→ validation → validating admission → store (or, with dryRun, the would-be object).

Update (PUT, and every PATCH after the patch is applied): the current object → optimistic concurrency (the
body's resourceVersion must be the stored one; without one, core types update unconditionally) → strategy
(status subresource split) → system metadata → managed fields → admission and validation → nothing stored when
nothing changed → store with the expected revision. A conflict with a concurrent writer is retried for
unconditional writes and answered 409 otherwise.
"""

from __future__ import annotations

from typing import Any

import orjson

from gitplane.api import errors
from gitplane.api.apply import manager as fieldmanager
from gitplane.server import admission
from gitplane.server.negotiation import Form
from gitplane.server.request import Response
from gitplane.server.rest import body, objectmeta, output, params
from gitplane.server.rest.context import Obj, ResourceRequest, timestamp
from gitplane.storage import interface as storage

MAX_UPDATE_RETRIES = 5
MAX_OBJECT_BYTES = 1536 * 1024  # etcd's default request limit: objects stay portable to an etcd store
MAX_GENERATE_NAME_RETRIES = 8


class Writer:
    """The write steps, bound to one request."""

    def __init__(self, ctx: ResourceRequest, chain: admission.Chain) -> None:
        self.ctx = ctx
        self.chain = chain
        self.dry_run = params.dry_run(ctx.request)
        self.timestamp = timestamp()

    def ignored_fields(self, subresource: str) -> tuple[tuple[str, ...], ...]:
        """Field paths a write through ``subresource`` does not own (status, on the main resource of a type
        with a status subresource)."""
        if not self.ctx.strategy.status_subresource:
            return ()
        return (("status",),) if subresource == "" else ()

    def attributes(self, operation: admission.Operation, obj: Obj | None, old: Obj | None,
                   subresource: str = "") -> admission.Attributes:
        ctx = self.ctx
        name = ((obj or old or {}).get("metadata") or {}).get("name") or ctx.name
        return admission.Attributes(operation, ctx.type, subresource, ctx.cluster, ctx.namespace, name, obj, old,
                                    ctx.request.require_user(), self.dry_run, ctx.store, ctx.request.warnings)

    def encode(self, obj: Obj) -> bytes:
        """The stored form of ``obj``; 413 when it is larger than any store may keep."""
        value = self.ctx.encode_for_storage(obj)
        if len(value) > MAX_OBJECT_BYTES:
            raise errors.too_large(f"the object is {len(value)} bytes; objects are limited to {MAX_OBJECT_BYTES} "
                                   "bytes")
        return value

    def invalid(self, obj: Obj, errs: list[errors.FieldError]) -> errors.APIError:
        name = (obj.get("metadata") or {}).get("name") or ""
        return errors.invalid(self.ctx.type.kind, name, errs, self.ctx.type.group)

    # -- create -----------------------------------------------------------------------------------------
    async def create(self, obj: Obj, *, manager: str | None, form: Form) -> Response:
        """Store a new object built from ``obj`` (managed fields already set when ``manager`` is None)."""
        ctx = self.ctx
        objectmeta.ensure_namespace(ctx, obj)
        ctx.strategy.prepare_for_create(obj)
        objectmeta.prepare_create(ctx, obj, timestamp=self.timestamp)
        if manager is not None:
            obj = fieldmanager.update(None, obj, manager=manager, schema=ctx.schema,
                                      api_version=ctx.type.api_version, now=self.timestamp,
                                      ignored=self.ignored_fields(""))
        objectmeta.stamp_cluster(ctx, obj)
        attrs = self.attributes(admission.Operation.CREATE, obj, None)
        await self.chain.mutate(attrs)
        errs = ctx.strategy.validate(obj)
        if errs:
            raise self.invalid(obj, errs)
        await self.chain.validate(attrs)
        if self.dry_run:
            return output.object_response(ctx, form, orjson.dumps(obj), status=201)
        for _ in range(MAX_GENERATE_NAME_RETRIES):
            key = ctx.key(objectmeta.metadata(obj)["name"])
            try:
                record = await ctx.store.create(key, self.encode(obj))
            except storage.AlreadyExists:
                if objectmeta.regenerate_name(obj):
                    continue
                raise errors.already_exists(ctx.type.plural, key.name, ctx.type.group) from None
            return output.object_response(ctx, form, ctx.served_bytes(record), status=201)
        raise errors.already_exists(ctx.type.plural, objectmeta.metadata(obj).get("name", ""), ctx.type.group)

    # -- update -----------------------------------------------------------------------------------------
    async def commit_update(self, record: storage.Record, old: Obj, new: Obj, *, subresource: str,
                            manager: str | None, form: Form) -> Response:
        """Finish an update of ``old`` (stored as ``record``) to ``new``; raises storage.Conflict when the
        object changed meanwhile (callers retry or answer 409)."""
        ctx = self.ctx
        strategy = ctx.strategy
        if subresource:
            strategy.prepare_for_subresource_update(subresource, new, old)
        else:
            strategy.prepare_for_update(new, old)
        objectmeta.prepare_update(ctx, new, old)
        if manager is not None:
            new = fieldmanager.update(old, new, manager=manager, schema=ctx.schema,
                                      api_version=ctx.type.api_version, now=self.timestamp,
                                      subresource=subresource, ignored=self.ignored_fields(subresource))
        objectmeta.stamp_cluster(ctx, new)
        attrs = self.attributes(admission.Operation.UPDATE, new, old, subresource)
        await self.chain.mutate(attrs)
        errs = strategy.validate_update(new, old, subresource)
        if errs:
            raise self.invalid(new, errs)
        await self.chain.validate(attrs)
        if objectmeta.unchanged(new, old):
            return output.object_response(ctx, form, ctx.served_bytes(record))
        if self.dry_run:
            objectmeta.metadata(new)["resourceVersion"] = str(record.revision)
            return output.object_response(ctx, form, orjson.dumps(new))
        meta = objectmeta.metadata(new)
        if meta.get("deletionTimestamp") and not strategy.delete_is_graceful(new):
            deleted = await ctx.store.delete(ctx.key(), expect=record.revision)
            return output.object_response(ctx, form, ctx.served_bytes(deleted))
        updated = await ctx.store.update(ctx.key(), self.encode(new), expect=record.revision)
        return output.object_response(ctx, form, ctx.served_bytes(updated))

    async def try_commit(self, record: storage.Record, old: Obj, new: Obj, *, subresource: str, manager: str | None,
                         form: Form, pinned: bool) -> Response | None:
        """:meth:`commit_update`; None when a concurrent write won and the caller may apply its change again,
        409 when the request pinned the revision it saw."""
        try:
            return await self.commit_update(record, old, new, subresource=subresource, manager=manager, form=form)
        except storage.Conflict:
            if pinned:
                raise errors.stale_conflict(self.ctx.type.plural, self.ctx.name, self.ctx.type.group) from None
            return None
        except storage.NotFound:
            raise self.ctx.not_found() from None

    async def replace(self, form: Form) -> Response:
        """PUT: replace the object with the body."""
        ctx = self.ctx
        subresource = ctx.subresource
        mode = params.field_validation(ctx.request)
        manager = params.field_manager(ctx.request)
        obj = await body.read_object(ctx, mode)
        objectmeta.ensure_namespace(ctx, obj)
        objectmeta.ensure_name(ctx, obj)
        expected = str(objectmeta.metadata(obj).get("resourceVersion") or "")
        for _ in range(MAX_UPDATE_RETRIES):
            record, old = await ctx.read_or_none()
            if record is None or old is None:
                if ctx.strategy.allow_create_on_update and not subresource:
                    objectmeta.metadata(obj).pop("resourceVersion", None)
                    return await self.create(obj, manager=manager, form=form)
                raise ctx.not_found()
            if expected:
                if expected != str(record.revision):
                    raise errors.stale_conflict(ctx.type.plural, ctx.name, ctx.type.group)
            elif not ctx.strategy.allow_unconditional_update:
                raise self.invalid(obj, [errors.invalid_value("metadata.resourceVersion", "0x0",
                                                              "must be specified for an update")])
            new: Obj = copy(obj)
            # an unconditional update is made against the revision just read (kube's Store.Update does this)
            objectmeta.metadata(new)["resourceVersion"] = str(record.revision)
            response = await self.try_commit(record, old, new, subresource=subresource, manager=manager, form=form,
                                             pinned=bool(expected))
            if response is not None:
                return response
        raise errors.stale_conflict(ctx.type.plural, ctx.name, ctx.type.group)


def copy(obj: Any) -> Any:
    """A deep copy of a JSON value (faster than copy.deepcopy for JSON)."""
    return orjson.loads(orjson.dumps(obj))
