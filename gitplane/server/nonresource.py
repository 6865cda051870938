"""Non-resource routes: version, health, discovery and OpenAPI, for the request's logical cluster, the
server's metrics at ``/metrics`` (server-wide, so only without a ``/clusters/<path>`` prefix), and the
ServiceAccount issuer's discovery documents (``/.well-known/openid-configuration``, ``/openid/v1/jwks``).

Discovery and OpenAPI documents are computed per catalog (every cluster that serves only built-in types
shares one set) and served as cached bytes; aggregated discovery is chosen by the ``Accept`` header.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import orjson

from gitplane import __version__
from gitplane.api import errors
from gitplane.server import openapi_v2_proto
from gitplane.server.catalog import Catalog
from gitplane.server.discovery import AggregatedVersion, Discovery, aggregated_media_type, discovery_for
from gitplane.server.health import Health, version_body
from gitplane.server.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from gitplane.server.metrics import ServerMetrics
from gitplane.server.negotiation import Form, negotiate
from gitplane.server.openapi import OpenAPIDocs
from gitplane.server.request import Request, Response
from gitplane.server.serviceaccounts.signing import Signer

TEXT = "text/plain; charset=utf-8"
JWKS = "application/jwk-set+json"


def wants_protobuf(accept: str) -> bool:
    """Whether the client prefers the protobuf form of /openapi/v2 (client-go asks for it first)."""
    first = accept.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first in openapi_v2_proto.ACCEPTED_MEDIA_TYPES
_IMMUTABLE = [(b"cache-control", b"public, immutable")]


class NonResourceRoutes:
    def __init__(self, *, catalog_for: Callable[[str], Catalog], health: Health, server_address: str,
                 metrics: ServerMetrics | None = None, signer: Signer | None = None) -> None:
        self._catalog_for = catalog_for
        self._metrics = metrics
        self._health = health
        self._server_address = server_address
        self._openapi: weakref.WeakKeyDictionary[Catalog, OpenAPIDocs] = weakref.WeakKeyDictionary()
        self._version = version_body(__version__)
        self._issuer_documents: dict[str, bytes] = {}
        if signer is not None:
            self._issuer_documents = {"/.well-known/openid-configuration": orjson.dumps(signer.openid_configuration()),
                                      "/openid/v1/jwks": orjson.dumps(signer.jwks())}

    def discovery(self, catalog: Catalog) -> Discovery:
        return discovery_for(catalog.types)

    def openapi(self, catalog: Catalog) -> OpenAPIDocs:
        docs = self._openapi.get(catalog)
        if docs is None:
            docs = self._openapi[catalog] = OpenAPIDocs(catalog.types, catalog.definitions)
        return docs

    async def __call__(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise errors.method_not_allowed()
        info = request.require_info()
        path = info.path
        if path in ("/version", "/version/"):
            return Response(200, self._version)
        issuer_document = self._issuer_documents.get(path)
        if issuer_document is not None:
            return Response(200, issuer_document, JWKS if path.endswith("jwks") else "application/json")
        if path == "/metrics" and self._metrics is not None and not info.explicit_cluster:
            return Response(200, self._metrics.exposition(), METRICS_CONTENT_TYPE)
        for endpoint in ("/healthz", "/livez", "/readyz"):
            if path == endpoint or path.startswith(endpoint + "/"):
                return self._health.respond(request, endpoint)
        catalog = self._catalog_for(request.cluster)
        parts = path.strip("/").split("/")
        if path.startswith("//") or "" in parts[1:]:
            raise errors.route_not_found()  # kube cleans no path: //api and /api//v1 match no route
        if parts[0] in ("api", "apis"):
            return self._discovery(request, catalog, parts)
        if parts[0] == "openapi":
            return self._openapi_route(request, catalog, parts)
        return Response(404, b"404 page not found\n", TEXT)

    def _discovery(self, request: Request, catalog: Catalog, parts: list[str]) -> Response:
        discovery = self.discovery(catalog)
        if len(parts) == 1:
            form = negotiate(request.header(b"accept"), discovery=True)
            core = parts[0] == "api"
            if form in (Form.DISCOVERY_V2, Form.DISCOVERY_V2BETA1):
                version: AggregatedVersion = "v2" if form is Form.DISCOVERY_V2 else "v2beta1"
                return Response(200, discovery.aggregated(core=core, version=version),
                                aggregated_media_type(version))
            body = discovery.api_versions(self._server_address) if core else discovery.api_group_list()
            return Response(200, body)
        if parts[0] == "api":
            document = discovery.resource_list(parts[1]) if len(parts) == 2 else None
        elif len(parts) == 2:
            document = discovery.api_group(parts[1])
        else:
            document = discovery.resource_list(f"{parts[1]}/{parts[2]}") if len(parts) == 3 else None
        if document is None:
            raise errors.route_not_found()
        return Response(200, document)

    def _openapi_route(self, request: Request, catalog: Catalog, parts: list[str]) -> Response:
        docs = self.openapi(catalog)
        if parts == ["openapi", "v2"]:
            if wants_protobuf(request.header(b"accept")):
                return Response(200, docs.v2_protobuf(), openapi_v2_proto.CONTENT_TYPE)
            return Response(200, docs.v2())
        if parts == ["openapi", "v3"]:
            return Response(200, docs.v3_index())
        if len(parts) > 2 and parts[1] == "v3":
            group_version = "/".join(parts[2:])
            document = docs.v3(group_version)
            if document is None:
                raise errors.route_not_found()
            wanted, current = request.query.get("hash"), docs.v3_hash(group_version) or ""
            if wanted and wanted != current:
                # kube redirects a stale hash to the document's current URL (same cluster prefix)
                location = f"{request.raw_path.split('?', 1)[0]}?hash={current}"
                return Response(301, b"", headers=[(b"location", location.encode())])
            return Response(200, document, headers=_IMMUTABLE if wanted else [])
        return Response(404, b"404 page not found\n", TEXT)
