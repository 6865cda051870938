"""GET, PUT and PATCH of ``<plural>/<name>/scale``: a custom object seen as an ``autoscaling/v1`` Scale.

As kube's apiextensions ``ScaleREST``: a read answers the Scale of the stored object (:mod:`gitplane.api.crd.
scale`); a write computes the new Scale (the body of a PUT; a JSON, merge or apply patch applied to the current
Scale), writes its ``spec.replicas`` at the spec replicas path of the stored object and commits that as an
update of the whole object, so schema, CEL rules, scale checks and admission all see the object, and answers the
Scale of what was stored. A Scale with a ``resourceVersion`` is a precondition (409 when stale); one without is
applied to the latest object (retried on a concurrent write). An object without spec replicas must be given
them (400 ``the spec replicas field ... cannot be empty``).

    request --read--> object --scale_of--> Scale --(PUT body | patch)--> Scale'
            --with_replicas--> object' --Writer.try_commit(subresource="scale")--> stored --scale_of--> Scale
"""

from __future__ import annotations

from typing import Any

import orjson

from gitplane.api import decoding, errors, tables
from gitplane.api.apply import manager as fieldmanager
from gitplane.api.crd import scale
from gitplane.api.crd.scale import ScalePaths, ScalePrinter
from gitplane.api.patch.json_patch import apply_json_patch
from gitplane.api.patch.merge_patch import apply_merge_patch
from gitplane.api.protobuf import envelope as protobuf_envelope
from gitplane.api.schema import Schema
from gitplane.server import admission
from gitplane.server.negotiation import Form
from gitplane.server.registry.custom import CustomResourceStrategy
from gitplane.server.request import Response
from gitplane.server.rest import body, objectmeta, output, params, patching
from gitplane.server.rest.context import Obj, ResourceRequest, now
from gitplane.server.rest.writes import MAX_UPDATE_RETRIES, Writer, copy

SCALE_SCHEMA = "io.k8s.api.autoscaling.v1.Scale"
INVALID_SPEC_REPLICAS = -(2**31)
"""kube's marker for "the object has no spec replicas": the smallest int32, which no patch leaves in place."""
_PATCH_TYPES = (patching.JSON_PATCH, patching.MERGE_PATCH, patching.APPLY_PATCH)
_PRINTER = ScalePrinter()


def paths_of(ctx: ResourceRequest) -> ScalePaths:
    """The scale paths of the addressed type; 404 for a type without the scale subresource."""
    strategy = ctx.strategy
    if not isinstance(strategy, CustomResourceStrategy) or strategy.scale is None:
        raise errors.route_not_found()
    return strategy.scale


async def serve(ctx: ResourceRequest, chain: admission.Chain, form: Form) -> Response:
    """GET, PUT or PATCH (the router lets no other verb through) of the addressed object's Scale."""
    paths = paths_of(ctx)
    verb = ctx.request.require_info().verb
    if verb == "get":
        _, obj = await ctx.read()
        return _response(ctx, form, _scale(obj, paths)[0])
    return await _write(ctx, Writer(ctx, chain), paths, form, verb)


def _scale(obj: Obj, paths: ScalePaths) -> tuple[Obj, bool]:
    try:
        return scale.scale_of(obj, paths)
    except scale.AccessorError as exc:
        raise errors.internal(str(exc)) from None


def _response(ctx: ResourceRequest, form: Form, value: Obj, status: int = 200) -> Response:
    if form is Form.TABLE:
        meta = value.get("metadata") or {}
        table = tables.table(ctx.type, [value], now=now(), include_object=output.include_object(ctx),
                             printer=_PRINTER, list_meta={"resourceVersion": meta.get("resourceVersion", "")})
        table["apiVersion"] = f"meta.k8s.io/{output.table_accept_version(ctx)}"
        if output.include_object(ctx) == tables.INCLUDE_OBJECT:
            for row in table["rows"]:
                row["object"] = value
        return Response(status, orjson.dumps(table))
    if form is Form.PARTIAL_METADATA:
        return Response(status, orjson.dumps(output.partial_metadata(value)))
    if form is Form.YAML:
        return Response(status, output.to_yaml(value), output.YAML_TYPE)
    return Response(status, orjson.dumps(value))


def _check_type_meta(value: Any) -> Obj:
    """The body must be a Scale (absent apiVersion and kind are filled in)."""
    if not isinstance(value, dict):
        raise errors.bad_request("the object provided is unrecognized (must be of type Scale): the body is not a "
                                 "JSON object")
    api_version, kind = value.get("apiVersion") or scale.SCALE_API_VERSION, value.get("kind") or scale.SCALE_KIND
    if api_version != scale.SCALE_API_VERSION:
        raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected API "
                                 f"version ({scale.SCALE_API_VERSION})")
    if kind != scale.SCALE_KIND:
        raise errors.bad_request(f'{kind} in version "v1" cannot be handled as a Scale: the kind in the data '
                                 f'("{kind}") is not the kind of this subresource ("Scale")')
    value["apiVersion"], value["kind"] = api_version, kind
    return value


def _decoded(ctx: ResourceRequest, value: Any, duplicates: list[str]) -> Obj:
    """A Scale decoded as Go decodes it (unknown fields per fieldValidation, int32 replicas)."""
    obj = _check_type_meta(value)
    schema = Schema.named(SCALE_SCHEMA, ctx.definitions)
    mode = params.field_validation(ctx.request)
    ctx.request.warnings.extend(decoding.decode_typed(obj, schema, mode=mode, duplicate_fields=duplicates))
    return obj


async def _new_scale(ctx: ResourceRequest, verb: str) -> tuple[str, Any, list[str]]:
    """What the request asks for: the PUT body's Scale, or the patch, with its type and duplicate fields."""
    request = ctx.request
    raw = await request.body()
    mode = params.field_validation(request)
    if verb == "update":
        if request.content_type == protobuf_envelope.MEDIA_TYPE:  # a typed client-go Scale; its type is Scale's
            value = protobuf_envelope.decode(raw, default_api_version=scale.SCALE_API_VERSION,
                                             default_kind=scale.SCALE_KIND)
            return "", value, []
        value = body.parse_object(ctx, raw, request.content_type)
        return "", value, body.duplicates(raw, mode, request.content_type, value)
    content_type = request.content_type
    if content_type not in _PATCH_TYPES:
        raise errors.unsupported_media_type(_PATCH_TYPES)
    if content_type == patching.APPLY_PATCH:
        params.field_manager(request, required=True)
    parsed = body.parse(raw, "application/yaml" if content_type == patching.APPLY_PATCH else "application/json")
    return content_type, parsed, [] if content_type == patching.JSON_PATCH else body.duplicates(raw, mode)


def _patched(ctx: ResourceRequest, content_type: str, current: Obj, patch: Any, duplicates: list[str]) -> Obj:
    """The Scale after the patch (an applied configuration is merged: only spec replicas are writable)."""
    if content_type == patching.JSON_PATCH:
        return _decoded(ctx, apply_json_patch(current, patch), duplicates)
    if not isinstance(patch, dict):
        raise errors.bad_request("the patch must be a JSON object")
    if content_type == patching.APPLY_PATCH:
        _decoded(ctx, copy(patch), duplicates)  # the configuration itself must be a valid Scale
    return _decoded(ctx, apply_merge_patch(current, patch), duplicates)


def _apply_config(ctx: ResourceRequest, paths: ScalePaths, replicas: int) -> Obj:
    """The applied Scale as a configuration of the object: ownership of spec replicas is the object's."""
    config: Obj = {"apiVersion": ctx.type.api_version, "kind": ctx.type.kind, "metadata": {"name": ctx.name}}
    if ctx.type.namespaced:
        config["metadata"]["namespace"] = ctx.namespace
    scale.with_replicas(config, paths.spec_replicas, replicas)
    return config


async def _write(ctx: ResourceRequest, writer: Writer, paths: ScalePaths, form: Form, verb: str) -> Response:
    request = ctx.request
    content_type, requested, duplicates = await _new_scale(ctx, verb)
    manager = params.field_manager(request)
    force = params.flag(request, "force")
    apply = content_type == patching.APPLY_PATCH
    for _ in range(MAX_UPDATE_RETRIES):
        record, current = await ctx.read()
        old_scale, found = _scale(current, paths)
        if not found:
            old_scale["spec"]["replicas"] = INVALID_SPEC_REPLICAS
        if verb == "update":
            new_scale = _decoded(ctx, copy(requested), duplicates)
        else:
            new_scale = _patched(ctx, content_type, old_scale, requested, duplicates)
        replicas = (new_scale.get("spec") or {}).get("replicas", 0)
        if replicas == INVALID_SPEC_REPLICAS:
            raise errors.bad_request(f'the spec replicas field "{paths.spec_replicas}" cannot be empty')
        if apply:
            new = fieldmanager.apply(current, _apply_config(ctx, paths, replicas), manager=manager or "",
                                     force=force, schema=ctx.schema, api_version=ctx.type.api_version,
                                     now=writer.timestamp, subresource="scale")
        else:
            new = copy(current)
            try:
                scale.with_replicas(new, paths.spec_replicas, replicas)
            except scale.AccessorError as exc:
                raise errors.internal(str(exc)) from None
        pinned = str((new_scale.get("metadata") or {}).get("resourceVersion") or "")
        if pinned and pinned != str(record.revision):
            raise errors.stale_conflict(ctx.type.plural, ctx.name, ctx.type.group)
        objectmeta.metadata(new)["resourceVersion"] = str(record.revision)
        response = await writer.try_commit(record, current, new, subresource="scale",
                                           manager=None if apply else manager, form=Form.JSON, pinned=bool(pinned))
        if response is not None:
            return _response(ctx, form, _scale(orjson.loads(response.body), paths)[0], response.status)
    raise errors.stale_conflict(ctx.type.plural, ctx.name, ctx.type.group)
