"""The request and response values that flow through the pipeline.

A :class:`Request` starts as the ASGI scope and is enriched by the stages in order: request info, the
authenticated user, the logical cluster. Handlers answer with a :class:`Response` (a complete body) or a
:class:`StreamResponse` (a watch). Nothing here knows about resources.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from gitplane.api import errors
from gitplane.server.requestinfo import RequestInfo

MAX_BODY_BYTES = 3 * 1024 * 1024  # kube-apiserver's default limit for request bodies

Receive = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class UserInfo:
    """An authenticated identity: Kubernetes user name, uid, groups and extra attributes."""

    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Request:
    """One HTTP request as the pipeline sees it."""

    __slots__ = ("_body", "cluster", "headers", "info", "method", "query", "raw_path", "receive", "scope",
                 "user", "warnings")

    def __init__(self, scope: dict[str, Any], receive: Receive) -> None:
        self.scope = scope
        self.receive = receive
        self.method: str = scope["method"]
        raw = scope.get("raw_path")
        self.raw_path: str = raw.decode("latin-1") if raw else scope["path"]
        qs: bytes = scope.get("query_string", b"")
        self.query: dict[str, str] = dict(parse_qsl(qs.decode("latin-1"), keep_blank_values=True)) if qs else {}
        raw_headers = scope["headers"]
        self.headers: dict[bytes, bytes] = dict(raw_headers)
        if len(self.headers) != len(raw_headers):  # a repeated header: the first wins, as Go's Header.Get
            self.headers = dict(reversed(raw_headers))
        self.info: RequestInfo | None = None
        self.user: UserInfo | None = None
        self.cluster: str = ""
        self.warnings: list[str] = []
        self._body: bytes | None = None

    def header(self, name: bytes) -> str:
        value = self.headers.get(name)
        return value.decode("latin-1") if value is not None else ""

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters, lower case."""
        return self.header(b"content-type").split(";", 1)[0].strip().lower()

    async def body(self) -> bytes:
        """The whole request body (read once; at most 3 MiB).

        A body that ends before its end (the client closed the connection before Content-Length bytes or the
        final chunk arrived, or the server closed it at the body timeout) is never acted on, as Go's server
        never hands a handler a short body: the request fails here, before anything is decoded or stored, and
        its answer goes nowhere, since the client is gone."""
        if self._body is None:
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await self.receive()
                if message["type"] == "http.disconnect":
                    raise errors.bad_request("the request body was cut short: the connection closed before "
                                             "the whole body arrived, and nothing was done")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise errors.too_large("the request body is larger than 3 MiB")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            self._body = b"".join(chunks)
        return self._body

    def require_info(self) -> RequestInfo:
        if self.info is None:
            raise RuntimeError("request info is not parsed yet")
        return self.info

    def require_user(self) -> UserInfo:
        if self.user is None:
            raise RuntimeError("request is not authenticated yet")
        return self.user


@dataclass(slots=True)
class Response:
    """A complete response."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


@dataclass(slots=True)
class StreamResponse:
    """A streamed response (watch): each item of ``chunks`` is written and flushed as it comes."""

    chunks: AsyncIterator[bytes]
    status: int = 200
    content_type: str = "application/json"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


AnyResponse = Response | StreamResponse
