"""Reading a request body into an object of the addressed type, as kube-apiserver's decoders do.

Steps: parse JSON or YAML by Content-Type → check ``apiVersion``/``kind`` against the URL (absent ones are
filled in) → typed decoding against the type's schema (unknown and duplicate fields per fieldValidation, JSON
types, formats). Duplicates are looked for only when they would be reported, as that costs a second parse.
Warnings are added to the request and sent back as ``Warning`` headers.
"""

from __future__ import annotations

from typing import Any

from gitplane.api import decoding, errors
from gitplane.api.protobuf import envelope as protobuf_envelope
from gitplane.server.rest.context import Obj, ResourceRequest
from gitplane.server.rest.params import FieldValidation

JSON_TYPES = frozenset({"application/json", ""})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})


def parse(body: bytes, content_type: str) -> Any:
    """A JSON or YAML body (patches, options, applied configurations), nested at most MAX_DEPTH deep."""
    if content_type in JSON_TYPES:
        value = decoding.parse_json(body)
    elif content_type in YAML_TYPES:
        value = decoding.parse_yaml(body)
    else:
        raise errors.unsupported_media_type(["application/json", "application/yaml"])
    decoding.check_depth(value)
    return value


def parse_object(ctx: ResourceRequest, body: bytes, content_type: str) -> Any:
    """An object body: JSON, YAML, or (from client-go's typed clients) Kubernetes protobuf."""
    if content_type == protobuf_envelope.MEDIA_TYPE:
        value = protobuf_envelope.decode(body, default_api_version=ctx.type.api_version,
                                         default_kind=ctx.type.kind)
        decoding.check_depth(value)  # embedded JSON (managed fields) nests as deep as it likes
        return value
    if content_type in JSON_TYPES or content_type in YAML_TYPES:
        return parse(body, content_type)
    raise errors.unsupported_media_type(["application/json", "application/yaml", protobuf_envelope.MEDIA_TYPE])


def duplicates(body: bytes, mode: FieldValidation, content_type: str = "application/json",
               parsed: Any = None) -> list[str]:
    """Duplicated fields of a JSON or YAML body (``parsed``: as parsed, before any change); looked for only
    when fieldValidation reports them. Protobuf has no duplicate fields to report."""
    if mode == "Ignore" or content_type == protobuf_envelope.MEDIA_TYPE:
        return []
    return decoding.find_duplicate_fields(body, parsed)


def check_type_meta(ctx: ResourceRequest, obj: Obj) -> None:
    """The body's apiVersion and kind must be the URL's (an absent one is filled in)."""
    t = ctx.type
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if api_version in (None, ""):
        obj["apiVersion"] = t.api_version
    elif api_version != t.api_version:
        raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected API "
                                 f"version ({t.api_version})")
    if kind in (None, ""):
        obj["kind"] = t.kind
    elif kind != t.kind:
        raise errors.bad_request(f'{kind} in version "{t.version}" cannot be handled as a {t.kind}: the kind in '
                                 f'the data ("{kind}") is not the kind of resource {t.plural} ("{t.kind}")')


def typed(ctx: ResourceRequest, obj: Obj, mode: FieldValidation, duplicate_fields: list[str] | None = None) -> None:
    """Decode ``obj`` in place against the type's schema; warnings go to the response."""
    ctx.request.warnings.extend(ctx.strategy.decode(obj, ctx.schema, mode, duplicate_fields or ()))


async def read_object(ctx: ResourceRequest, mode: FieldValidation) -> Obj:
    """The request body as an object of the addressed type."""
    body = await ctx.request.body()
    content_type = ctx.request.content_type
    value = parse_object(ctx, body, content_type)
    if not isinstance(value, dict):
        raise errors.bad_request(f"the object provided is unrecognized (must be of type {ctx.type.kind}): "
                                 "the body is not a JSON object")
    duplicate_fields = duplicates(body, mode, content_type, value)
    check_type_meta(ctx, value)
    typed(ctx, value, mode, duplicate_fields)
    return value
