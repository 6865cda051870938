"""One HTTP/1.1 connection: uvicorn's httptools protocol, bounded as Go's net/http bounds kube-apiserver's.

uvicorn's protocol parses requests and runs the ASGI app; this subclass adds what an API server facing
untrusted clients needs and uvicorn does not do:

* the verified client certificate's subject, read once per connection, in every request's scope
  (``gitplane.peer``);
* a limit on the request line and headers together (``max_header_bytes``, kube: 1 MiB) and on their number,
  checked *before* bytes reach the parser, so an oversized header is refused with 431 after at most the limit
  was read, never buffered whole;
* its phase in the server's :class:`~gitplane.server.http_connections.ConnectionTable`, which closes
  connections that wait too long for headers, for a body or between requests, and makes room under the
  connection cap.

A body cut short (the client closes before Content-Length bytes or the final chunk arrived, or the body
timeout closes the connection) reaches the app as ``http.disconnect`` before the end of the body; the app
drops such a request without acting on it (:meth:`gitplane.server.request.Request.body`).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gitplane.server.http_connections import ConnectionTable, Phase
from gitplane.server.peer import PEER_SCOPE_KEY, PeerCertificate, peer_from_transport

ABORT_AFTER_CLOSE_SECONDS = 1.0
"""A TLS close waits for the client's close_notify, which a client that is gone or hostile never sends."""
REFUSAL_LINGER_SECONDS = 0.5
"""How long a refused connection stays before it is cut off (Go's rstAvoidanceDelay)."""

HEADERS_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                     b"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                     b"431 Request Header Fields Too Large")


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a refused request."""


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the client certificate, header limits and the connection table."""

    def __init__(self, *args: Any, table: ConnectionTable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        self.phase = Phase.HANDSHAKE
        self.peer: PeerCertificate | None = None
        self._max_header_bytes = table.limits.max_header_bytes
        self._max_header_count = table.limits.max_header_count
        self._open = False
        self._closed_by_us = False
        self._counting = True  # between two requests' header ends: bytes count against the header limit
        self._header_bytes = 0
        self._in_body = False
        self._refused = False
        self.headers = []  # uvicorn's is None until the first request begins; the count reads it before
        table.admit(self)

    # connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.peer = peer_from_transport(transport)
        if not self.table.opened(self):  # closed to make room while its handshake ran
            transport.abort()
            return
        self._open = True

    def connection_lost(self, exc: Exception | None) -> None:
        if self._in_body and not self._closed_by_us:
            self.table.events.rejected("truncated-body")
        super().connection_lost(exc)
        self.table.forget(self, was_open=self._open)
        self._open = False

    def close_now(self, reason: str) -> None:
        """Close at once: a timeout, the cap. An idle keep-alive connection is closed as a client expects
        (TLS close, which waits for the client's at most ``TLS_SHUTDOWN_SECONDS``); a client that was sending
        too slowly is cut off, since a TLS close would go on reading what it sends."""
        self._closed_by_us = True
        if reason == "idle-timeout":
            self.transport.close()
        else:
            self.transport.abort()

    def _refuse_after(self, response: bytes) -> None:
        """Answer ``response`` and stop reading; cut the connection off a moment later, as Go does, so that
        the client can read the answer before the reset that its unread request causes."""
        self._refused = True
        self._closed_by_us = True
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(response)
        self.transport.pause_reading()
        self.loop.call_later(REFUSAL_LINGER_SECONDS, self.transport.abort)

    def shutdown(self) -> None:
        """Server shutdown: idle connections close now (and are aborted if the TLS close hangs); busy ones
        close after their response."""
        super().shutdown()
        if self.cycle is None or self.cycle.response_complete:
            self.loop.call_later(ABORT_AFTER_CLOSE_SECONDS, self.transport.abort)

    # reading

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self.phase is Phase.IDLE:
            self.table.enter(self, Phase.HEADERS)
        if not self._counting:
            self._feed(data)
            return
        allowance = self._max_header_bytes - self._header_bytes
        if len(data) <= allowance:
            self._header_bytes += len(data)
            if self._feed(data) and self._counting and len(self.headers) > self._max_header_count:
                self._refuse_headers()
            return
        # more than the headers may still take: feed only what they may take, and see whether they ended
        self._header_bytes += allowance
        if not self._feed(data[:allowance]):
            return
        if self._reading_headers():
            self._refuse_headers()
        else:
            self.data_received(data[allowance:])

    def _reading_headers(self) -> bool:
        """Whether the headers of the current request have not ended yet (the parser callbacks say)."""
        return self._counting

    def _feed(self, data: bytes) -> bool:
        """Parse ``data``; False once the request is refused."""
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError:
            if not self._refused:
                raise
        except httptools.HttpParserUpgrade:
            self.send_400_response("Upgrade is not supported.")
        except httptools.HttpParserError:
            self.send_400_response("Invalid HTTP request received.")
        return not self._refused

    def _refuse_headers(self) -> None:
        self.table.events.rejected("header-too-large")
        self.table.forget(self, was_open=False)  # no longer a connection that can be served, or evicted
        self._refuse_after(HEADERS_TOO_LARGE)

    # parser callbacks

    # The header count is checked once per read (above) and when the headers end, not per header (a call per
    # header cost more than the rest of the guard): one read holds at most 256 KiB, so a flood of tiny
    # headers is refused having kept at most that much.

    def on_headers_complete(self) -> None:
        if len(self.headers) > self._max_header_count:
            self._refuse_headers()
            raise _Refused
        cast(dict[str, Any], self.scope)[PEER_SCOPE_KEY] = self.peer
        self._counting = False
        self._header_bytes = 0
        self._in_body = True
        self.table.enter(self, Phase.BODY)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_body = False
        self._counting = True
        self.table.enter(self, Phase.BUSY)

    def on_response_complete(self) -> None:
        """The response is sent: start a pipelined request, or wait (idle) for the next one."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
        elif not self._in_body:
            self.table.enter(self, Phase.IDLE)
