"""PATCH in its four forms, chosen by Content-Type:

* ``application/json-patch+json`` (RFC 6902), ``application/merge-patch+json`` (RFC 7386),
* ``application/strategic-merge-patch+json`` (built-in types: lists merge by their merge keys),
* ``application/apply-patch+yaml`` (server-side apply: field ownership, conflicts, creation of a missing
  object).

The patch is applied to the current object, the result decoded against the schema like a request body, and
committed as an update expecting the revision it was applied to; when another writer got there first, the
patch is applied again to the new state (kube retries the same way), unless the patch itself pinned a
resourceVersion.
"""

from __future__ import annotations

from typing import Any

from gitplane.api import errors
from gitplane.api.apply import manager as fieldmanager
from gitplane.api.patch.json_patch import apply_json_patch
from gitplane.api.patch.merge_patch import apply_merge_patch
from gitplane.api.patch.strategic import apply_strategic_merge_patch
from gitplane.server.negotiation import Form
from gitplane.server.request import Response
from gitplane.server.rest import body, objectmeta, params
from gitplane.server.rest.context import Obj, ResourceRequest
from gitplane.server.rest.writes import MAX_UPDATE_RETRIES, Writer, copy

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH)


def _parse_patch(raw: bytes, content_type: str) -> Any:
    if content_type == APPLY_PATCH:
        return body.parse(raw, "application/yaml")
    return body.parse(raw, "application/json")


def _apply(ctx: ResourceRequest, content_type: str, current: Obj, patch: Any) -> Obj:
    if content_type == JSON_PATCH:
        return apply_json_patch(current, patch)
    if not isinstance(patch, dict):
        raise errors.bad_request("the patch must be a JSON object")
    if content_type == MERGE_PATCH:
        result = apply_merge_patch(current, patch)
    else:
        result = apply_strategic_merge_patch(current, patch, ctx.schema)
    if not isinstance(result, dict):
        raise errors.bad_request("the patch must produce a JSON object")
    return result


def _check_apply_config(ctx: ResourceRequest, config: Any) -> Obj:
    if not isinstance(config, dict):
        raise errors.bad_request("the applied configuration must be an object")
    for field in ("apiVersion", "kind"):
        if not config.get(field):
            raise errors.bad_request(f"{field} must be set in the applied configuration")
    body.check_type_meta(ctx, config)
    meta = config.get("metadata")
    if not isinstance(meta, dict):
        raise errors.bad_request("metadata must be set in the applied configuration")
    if meta.get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")
    if meta.get("name") and meta["name"] != ctx.name:
        raise errors.bad_request(
            f"the name of the object ({meta['name']}) does not match the name on the URL ({ctx.name})")
    meta["name"] = ctx.name
    return config


async def patch(ctx: ResourceRequest, writer: Writer, form: Form) -> Response:
    request = ctx.request
    content_type = request.content_type
    if content_type not in PATCH_TYPES:
        raise errors.unsupported_media_type(PATCH_TYPES)
    if content_type == STRATEGIC_PATCH and not ctx.strategy.strategic_merge_patch:
        raise errors.unsupported_media_type((JSON_PATCH, MERGE_PATCH, APPLY_PATCH))
    apply = content_type == APPLY_PATCH
    manager = params.field_manager(request, required=apply)
    force = params.flag(request, "force")
    if force and not apply:
        raise errors.invalid("PatchOptions.meta.k8s.io", "", [errors.forbidden(
            "force", "may not be specified for non-apply patch")])
    mode = params.field_validation(request)
    raw = await request.body()
    patch_value = _parse_patch(raw, content_type)
    duplicates = body.duplicates(raw, mode) if content_type != JSON_PATCH else []
    if apply:
        patch_value = _check_apply_config(ctx, patch_value)
        body.typed(ctx, patch_value, mode, duplicates)
    subresource = ctx.subresource

    for _ in range(MAX_UPDATE_RETRIES):
        record, current = await ctx.read_or_none()
        if record is None or current is None:
            if not apply or subresource:
                raise ctx.not_found()
            created = fieldmanager.apply(None, copy(patch_value), manager=manager, force=force,
                                         schema=ctx.schema, api_version=ctx.type.api_version,
                                         now=writer.timestamp, ignored=writer.ignored_fields(""))
            try:
                return await writer.create(created, manager=None, form=form)
            except errors.APIError as exc:
                if exc.reason == "AlreadyExists":
                    continue  # created concurrently: apply to it instead
                raise
        if apply:
            patched = fieldmanager.apply(current, copy(patch_value), manager=manager, force=force,
                                         schema=ctx.schema, api_version=ctx.type.api_version,
                                         now=writer.timestamp, subresource=subresource,
                                         ignored=writer.ignored_fields(subresource))
        else:
            patched = _apply(ctx, content_type, current, patch_value)
            body.check_type_meta(ctx, patched)
            body.typed(ctx, patched, mode, duplicates)
        objectmeta.ensure_namespace(ctx, patched)
        objectmeta.ensure_name(ctx, patched)
        pinned = str(objectmeta.metadata(patched).get("resourceVersion") or "")
        if pinned and pinned != str(record.revision):
            raise errors.stale_conflict(ctx.type.plural, ctx.name, ctx.type.group)
        response = await writer.try_commit(record, current, patched, subresource=subresource,
                                           manager=None if apply else manager, form=form, pinned=bool(pinned))
        if response is not None:
            return response
    raise errors.stale_conflict(ctx.type.plural, ctx.name, ctx.type.group)
