"""``POST .../serviceaccounts/<name>/token``: a TokenRequest answered with a signed token (``kubectl create
token``), as kube's TokenRequest REST handler answers it.

The request names the audiences (default: the server's own), the lifetime (default one hour, at least ten
minutes, at most 2^32 seconds) and optionally the object the token is bound to (a Secret here; kube's Pods and
Nodes are not served, so a binding to one is refused as not found). The ServiceAccount must exist; a bound
object must exist with the uid given, if one is given (409 otherwise, in kube's words). The answer is the
TokenRequest with its defaults filled in and ``status: {token, expirationTimestamp}``, 201.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.api.protobuf import envelope as protobuf_envelope
from gitplane.server.request import Response
from gitplane.server.rest import body
from gitplane.server.rest.context import ResourceRequest
from gitplane.server.serviceaccounts import tokens
from gitplane.server.serviceaccounts.signing import Signer
from gitplane.storage import interface as storage

DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 600
MAX_EXPIRATION_SECONDS = 2**32
BOUND_KINDS = ("Pod", "Secret", "Node")
_KIND = "TokenRequest"
_API_VERSION = "authentication.k8s.io/v1"


def _invalid(name: str, *errs: errors.FieldError) -> errors.APIError:
    return errors.invalid(_KIND, name, errs, "authentication.k8s.io")


async def create(ctx: ResourceRequest, signer: Signer) -> Response:
    raw, content_type = await ctx.request.body(), ctx.request.content_type
    if content_type == protobuf_envelope.MEDIA_TYPE:  # kubectl 1.33 sends its TokenRequest so
        request = protobuf_envelope.decode(raw, default_api_version=_API_VERSION, default_kind=_KIND)
    else:
        request = body.parse(raw, content_type)
    if not isinstance(request, dict):
        raise errors.bad_request("the object provided is unrecognized (must be of type TokenRequest)")
    kind, api_version = request.get("kind"), request.get("apiVersion")
    if (kind or _KIND) != _KIND or (api_version or _API_VERSION) != _API_VERSION:
        raise errors.bad_request(f"the object provided is unrecognized (must be of type TokenRequest): "
                                 f"{api_version}, Kind={kind}")
    spec = request.get("spec") or {}
    if not isinstance(spec, dict):
        raise errors.bad_request("TokenRequest.spec must be an object")
    expiration = spec.get("expirationSeconds")
    if expiration is None:  # kubectl create token without --duration sends null
        expiration = DEFAULT_EXPIRATION_SECONDS
    if not isinstance(expiration, int) or isinstance(expiration, bool):
        raise errors.bad_request("TokenRequest.spec.expirationSeconds must be an integer")
    if expiration < MIN_EXPIRATION_SECONDS:
        raise _invalid(ctx.name, errors.invalid_value("spec.expirationSeconds", expiration,
                                                      "may not specify a duration less than 10 minutes"))
    if expiration > MAX_EXPIRATION_SECONDS:
        raise _invalid(ctx.name, errors.invalid_value("spec.expirationSeconds", expiration,
                                                      "may not specify a duration larger than 2^32 seconds"))
    audiences = spec.get("audiences") or list(signer.audiences)
    if not isinstance(audiences, list) or not all(isinstance(a, str) and a for a in audiences):
        raise errors.bad_request("TokenRequest.spec.audiences must be a list of strings")
    _record, account = await ctx.read()
    uid = str((account.get("metadata") or {}).get("uid", ""))
    bound = await _bound_object(ctx, spec.get("boundObjectRef"))
    now = time.time()
    token = signer.sign(tokens.claims(signer=signer, cluster=ctx.cluster, namespace=ctx.namespace, name=ctx.name,
                                      uid=uid, audiences=audiences, expiration_seconds=expiration, now=now,
                                      bound=bound))
    expires = dt.datetime.fromtimestamp(int(now) + expiration, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer: dict[str, Any] = {
        "kind": _KIND, "apiVersion": _API_VERSION,
        "metadata": {"name": ctx.name, "namespace": ctx.namespace, "creationTimestamp": None},
        "spec": {"audiences": audiences, "expirationSeconds": expiration,
                 "boundObjectRef": spec.get("boundObjectRef")},
        "status": {"token": token, "expirationTimestamp": expires},
    }
    return Response(201, orjson.dumps(answer))


async def _bound_object(ctx: ResourceRequest, ref: Any) -> tokens.Binding | None:
    if ref is None:
        return None
    if not isinstance(ref, dict):
        raise errors.bad_request("TokenRequest.spec.boundObjectRef must be an object")
    kind, name, uid = ref.get("kind") or "", ref.get("name") or "", ref.get("uid") or ""
    if kind not in BOUND_KINDS:
        raise _invalid(ctx.name, errors.not_supported("spec.boundObjectRef.kind", kind, BOUND_KINDS))
    if kind != "Secret":
        raise errors.not_found(kind.lower() + "s", name)
    try:
        record = await ctx.store.get(storage.Key("", "secrets", "", ctx.cluster, ctx.namespace, name))
    except storage.NotFound:
        raise errors.not_found("secrets", name) from None
    actual = str((orjson.loads(record.value).get("metadata") or {}).get("uid", ""))
    if uid and uid != actual:
        raise errors.conflict("secrets", name, f"the UID in the bound object reference ({uid}) does not match the "
                                               "UID in record. The object might have been deleted and then "
                                               "recreated")
    return tokens.Binding(kind, name, actual)
