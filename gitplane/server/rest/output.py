"""Rendering objects and lists in the representation the client negotiated.

Plain JSON is the hot path: stored bytes go out as they are (a list is its items' stored bytes joined inside a
list envelope), with no decode and no re-encode. Tables, metadata-only and YAML forms decode what they need.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from ruamel.yaml import YAML

from gitplane.api import tables
from gitplane.server.negotiation import Form, table_version
from gitplane.server.request import Response
from gitplane.server.rest.context import Obj, ResourceRequest, now

YAML_TYPE = "application/yaml"
JSON_TYPE = "application/json"


def to_yaml(value: Any) -> bytes:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(value, out)
    return out.getvalue().encode()


def partial_metadata(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def table_accept_version(ctx: ResourceRequest) -> str:
    return table_version(ctx.request.header(b"accept"))


def include_object(ctx: ResourceRequest) -> str:
    value = ctx.request.query.get("includeObject", "Metadata") or "Metadata"
    return value if value in ("None", "Metadata", "Object") else "Metadata"


def object_response(ctx: ResourceRequest, form: Form, served: bytes, *, status: int = 200) -> Response:
    """One object in the negotiated form; ``served`` is its JSON as served."""
    if form is Form.JSON:
        return Response(status, served)
    obj: Obj = orjson.loads(served)
    if form is Form.TABLE:
        table = tables.table(ctx.type, [obj], now=now(), include_object=include_object(ctx),
                             printer=ctx.strategy.printer,
                             list_meta={"resourceVersion": obj.get("metadata", {}).get("resourceVersion", "")})
        table["apiVersion"] = f"meta.k8s.io/{table_accept_version(ctx)}"
        return Response(status, orjson.dumps(table))
    if form is Form.PARTIAL_METADATA:
        return Response(status, orjson.dumps(partial_metadata(obj)))
    return Response(status, to_yaml(obj), YAML_TYPE)


def list_envelope(ctx: ResourceRequest, list_meta: Obj) -> tuple[bytes, bytes]:
    head = b'{"kind":"' + ctx.type.list_kind.encode() + b'","apiVersion":"' + ctx.type.api_version.encode() + \
        b'","metadata":' + orjson.dumps(list_meta) + b',"items":['
    return head, b"]}"


def list_response(ctx: ResourceRequest, form: Form, items: Sequence[bytes], list_meta: Obj,
                  decoded: Iterable[Obj] | None = None) -> Response:
    """A list in the negotiated form. ``items`` are served JSON bytes; ``decoded`` their objects when the
    caller already has them."""
    if form is Form.JSON:
        head, tail = list_envelope(ctx, list_meta)
        return Response(200, head + b",".join(items) + tail)
    objects = list(decoded) if decoded is not None else [orjson.loads(i) for i in items]
    if form is Form.TABLE:
        table = tables.table(ctx.type, objects, now=now(), include_object=include_object(ctx),
                             printer=ctx.strategy.printer, list_meta=list_meta)
        table["apiVersion"] = f"meta.k8s.io/{table_accept_version(ctx)}"
        return Response(200, orjson.dumps(table))
    if form is Form.PARTIAL_METADATA:
        body = {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta,
                "items": [partial_metadata(o) for o in objects]}
        return Response(200, orjson.dumps(body))
    body = {"kind": ctx.type.list_kind, "apiVersion": ctx.type.api_version, "metadata": list_meta,
            "items": objects}
    return Response(200, to_yaml(body), YAML_TYPE)
