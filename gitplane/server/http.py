"""The HTTP layer: uvicorn (uvloop + httptools) serving the raw ASGI app over TLS, with kube's connection limits.

Chosen by measurement (docs/decisions/0001-http-layer.md): bare uvicorn with uvloop and httptools serves a raw
ASGI app ~25 % faster than aiohttp on one core. uvicorn's own limits are not those of an API server facing
untrusted clients, so gitplane creates the listening server itself: the TLS handshake has a timeout, each
connection is a :class:`~gitplane.server.http_protocol.GuardedProtocol` (client certificate, header limits)
and every connection is in the server's :class:`~gitplane.server.http_connections.ConnectionTable`
(timeouts for headers, bodies and idle keep-alive; the connection cap). See docs/decisions/0006-connection-limits.md.

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
from typing import Any

import uvicorn

from gitplane.server.certs import PKI
from gitplane.server.http_connections import (
    ConnectionEvents,
    ConnectionTable,
    NoEvents,
    connection_cap,
    raise_descriptor_limit,
)
from gitplane.server.http_protocol import GuardedProtocol
from gitplane.settings import ConnectionLimits

TLS_SHUTDOWN_SECONDS = 2.0


def server_ssl_context(pki: PKI) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki.serving_cert, pki.serving_key)
    ctx.load_verify_locations(pki.ca_cert)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the gitplane service and creates its listening server
    itself, with gitplane's protocol, connection table and TLS handshake timeout."""

    def __init__(self, config: uvicorn.Config, limits: ConnectionLimits, events: ConnectionEvents) -> None:
        super().__init__(config)
        self.limits = limits
        self.events = events
        self.table: ConnectionTable | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if not sockets:
            raise ValueError("the gitplane HTTP server serves on sockets it is given")
        config, limits = self.config, self.limits
        loop = asyncio.get_running_loop()
        table = ConnectionTable(limits, self.events, cap=connection_cap(limits.max_connections,
                                                                         raise_descriptor_limit()),
                                clock=loop.time)

        def protocol() -> GuardedProtocol:
            return GuardedProtocol(config=config, server_state=self.server_state, app_state={}, _loop=loop,
                                   table=table)

        tls: dict[str, Any] = {}
        if config.ssl is not None:
            tls = {"ssl": config.ssl, "ssl_handshake_timeout": limits.tls_handshake_timeout,
                   "ssl_shutdown_timeout": TLS_SHUTDOWN_SECONDS}
        self.servers = [await loop.create_server(protocol, sock=sock, backlog=config.backlog, **tls)
                        for sock in sockets]
        self.table = table
        table.start(loop)
        self.started = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().shutdown(sockets)
        finally:
            if self.table is not None:
                self.table.stop()


def build_server(app: Callable[..., Any], *, host: str, port: int, ssl_context: ssl.SSLContext | None,
                 graceful_seconds: int = 10, limits: ConnectionLimits | None = None,
                 events: ConnectionEvents | None = None) -> uvicorn.Server:
    """A server for ``app``; ``ssl_context=None`` serves plain HTTP (benchmark baselines only)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="none",
        lifespan="off",
        access_log=False,
        log_config=None,
        server_header=False,
        proxy_headers=False,  # the API server is the endpoint: clients may not claim another address
        date_header=False,
        timeout_graceful_shutdown=graceful_seconds,
        backlog=2048,
        ssl_context_factory=(lambda _config, _default: ssl_context) if ssl_context is not None else None,
    )
    return _EmbeddedServer(config, limits or ConnectionLimits(), events or NoEvents())


async def start(server: uvicorn.Server, sock: socket.socket) -> None:
    """Start listening on ``sock``; returns once the server accepts connections (raises if it cannot)."""
    config = server.config
    if not config.loaded:
        config.load()
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    if server.should_exit:
        raise RuntimeError(f"the HTTP server could not start on {sock.getsockname()}")
