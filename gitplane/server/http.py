"""The HTTP layer: uvicorn (uvloop + httptools) serving the raw ASGI app over TLS.

Chosen by measurement (docs/decisions/0001-http-layer.md): bare uvicorn with uvloop and httptools serves a raw
ASGI app ~25 % faster than aiohttp on one core. uvicorn does not hand the client certificate to the app, so
:class:`TLSPeerProtocol` reads the verified peer certificate once per connection (the handshake is complete by
``connection_made``) and puts its subject into every request's scope under ``gitplane.peer``.

The TLS context asks for a client certificate but does not require one (bearer tokens work too); a presented
certificate must chain to the server's CA, or the handshake fails. Only HTTP/1.1 is offered (ALPN), so Go
clients do not attempt HTTP/2.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, cast

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gitplane.server.certs import PKI

PEER_SCOPE_KEY = "gitplane.peer"
IDLE_CLOSE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class PeerCertificate:
    """The subject of a verified client certificate: CN is the user, each O a group."""

    common_name: str
    organizations: tuple[str, ...]


def peer_from_transport(transport: asyncio.BaseTransport) -> PeerCertificate | None:
    cert = transport.get_extra_info("peercert")
    if not cert:
        return None
    common_name = ""
    organizations: list[str] = []
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                common_name = value
            elif key == "organizationName":
                organizations.append(value)
    if not common_name:
        return None
    return PeerCertificate(common_name, tuple(organizations))


class TLSPeerProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus the verified client certificate's subject in the scope."""

    peer: PeerCertificate | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.peer = peer_from_transport(transport)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        cast(dict[str, Any], self.scope)[PEER_SCOPE_KEY] = self.peer

    def shutdown(self) -> None:
        """Server shutdown: close idle connections. A TLS close waits for the client's close_notify, which an
        idle client may never send, so an idle connection still open after a moment is aborted."""
        super().shutdown()
        asyncio.get_running_loop().call_later(IDLE_CLOSE_SECONDS, self._abort_if_idle)

    def _abort_if_idle(self) -> None:
        if self in self.connections and (self.cycle is None or self.cycle.response_complete):
            self.transport.abort()


def server_ssl_context(pki: PKI) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki.serving_cert, pki.serving_key)
    ctx.load_verify_locations(pki.ca_cert)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the gitplane service."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def build_server(app: Callable[..., Any], *, host: str, port: int, ssl_context: ssl.SSLContext | None,
                 graceful_seconds: int = 10) -> uvicorn.Server:
    """A uvicorn server for ``app``; ``ssl_context=None`` serves plain HTTP (benchmark baselines only)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="none",
        http=TLSPeerProtocol,
        lifespan="off",
        access_log=False,
        log_config=None,
        server_header=False,
        proxy_headers=False,  # the API server is the endpoint: clients may not claim another address
        date_header=False,
        timeout_keep_alive=120,
        timeout_graceful_shutdown=graceful_seconds,
        backlog=2048,
        ssl_context_factory=(lambda _config, _default: ssl_context) if ssl_context is not None else None,
    )
    return _EmbeddedServer(config)


async def start(server: uvicorn.Server, sock: socket.socket) -> None:
    """Start listening on ``sock``; returns once the server accepts connections (raises if it cannot)."""
    config = server.config
    if not config.loaded:
        config.load()
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    if server.should_exit:
        raise RuntimeError(f"the HTTP server could not start on {sock.getsockname()}")
