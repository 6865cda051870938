"""The ASGI application: the request pipeline assembled once, in execution order, then frozen.

    parse request info → authenticate → resolve the logical cluster → authorize → handler

The handler is the resource router for resource requests and the non-resource routes otherwise (version,
health, discovery, OpenAPI). Errors of any stage become ``Status`` responses; anything unexpected is logged
and answered 500 without details. Watch streams run until they end, the client disconnects, or the server
begins to stop.

Once a response is complete (sent, failed, or abandoned by a client that went away) the app calls the release
a stage may have left in the scope under :data:`RELEASE_SCOPE_KEY` (the in-flight limit's slot) and records
the request in the server's metrics (:mod:`gitplane.server.metrics_requests`): one ``perf_counter`` at the
start and one at the end, and a few integer updates.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from gitplane.api import errors
from gitplane.server.metrics_requests import RequestMetrics
from gitplane.server.request import AnyResponse, Request, Response, StreamResponse
from gitplane.server.warning_headers import warning_headers
from gitplane.storage.interface import StorageError

log = logging.getLogger(__name__)

Stage = Callable[[Request], Awaitable[None]]
Handler = Callable[[Request], Awaitable[AnyResponse]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

RELEASE_SCOPE_KEY = "gitplane.release"
"""Where a stage leaves a function to call once the request's response is complete (see the module docstring)."""

_COMMON_HEADERS = [(b"cache-control", b"no-cache, private")]


_JSON_HEADER = (b"content-type", b"application/json")


def _headers(content_type: str, extra: list[tuple[bytes, bytes]], request: Request | None,
             length: int | None = None) -> list[tuple[bytes, bytes]]:
    kind = _JSON_HEADER if content_type == "application/json" else (b"content-type", content_type.encode())
    if not extra:
        headers = [kind, *_COMMON_HEADERS]
    elif any(name == b"cache-control" for name, _ in extra):
        headers = [kind, *extra]
    else:
        headers = [kind, *_COMMON_HEADERS, *extra]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    if request is not None and request.warnings:
        headers.extend(warning_headers(request.warnings))
    return headers


def error_response(exc: errors.APIError) -> Response:
    return Response(exc.code, exc.status_bytes(),
                    headers=[(k.lower().encode(), v.encode()) for k, v in exc.headers.items()])


class App:
    """The ASGI callable. ``recorder`` records every request (None: none are, as in the benchmark's baseline)."""

    def __init__(self, stages: Sequence[Stage], resources: Handler, non_resources: Handler, *,
                 recorder: RequestMetrics | None = None) -> None:
        self._stages = tuple(stages)
        self._resources = resources
        self._non_resources = non_resources
        self.recorder = recorder
        self.stopping = asyncio.Event()

    async def handle(self, request: Request) -> AnyResponse:
        try:
            for stage in self._stages:
                await stage(request)
            info = request.require_info()
            return await (self._resources if info.is_resource else self._non_resources)(request)
        except errors.APIError as exc:
            return error_response(exc)
        except StorageError as exc:  # a damaged value is named by its key, never its content
            log.error("Storage error serving %s %s: %s", request.method, request.raw_path.split("?", 1)[0], exc)
            return error_response(errors.internal(str(exc)))
        except Exception:
            log.exception("Unhandled error serving %s %s", request.method, request.raw_path.split("?", 1)[0])
            return error_response(errors.internal("an unexpected error occurred; see the server log"))

    async def respond(self, request: Request) -> AnyResponse:
        """The response to a request that comes without a connection (the in-process client); it is released
        and recorded like every other request when this returns."""
        started = time.perf_counter()
        status = 500
        try:
            response = await self.handle(request)
            status = response.status
            return response
        finally:
            self._finish(request, status, started)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        request = Request(scope, receive)
        status = 500
        try:
            response = await self.handle(request)
            status = response.status
            if isinstance(response, StreamResponse):
                ended = self.recorder.long_running(request) if self.recorder is not None else None
                try:
                    await self._stream(request, response, receive, send)
                finally:
                    if ended is not None:
                        ended()
                return
            body = b"" if request.method == "HEAD" else response.body
            await send({"type": "http.response.start", "status": status,
                        "headers": _headers(response.content_type, response.headers, request, len(response.body))})
            await send({"type": "http.response.body", "body": body})
        finally:
            self._finish(request, status, started)

    def _finish(self, request: Request, status: int, started: float) -> None:
        release = request.scope.get(RELEASE_SCOPE_KEY)
        if release is not None:
            release()
        if self.recorder is not None:
            self.recorder.observe(request, status, time.perf_counter() - started)

    async def _stream(self, request: Request, response: StreamResponse, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": response.status,
                    "headers": _headers(response.content_type, response.headers, request)})

        async def pump() -> None:
            async for chunk in response.chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})

        async def disconnected() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        tasks = [asyncio.create_task(pump(), name="watch-stream"),
                 asyncio.create_task(disconnected(), name="watch-disconnect"),
                 asyncio.create_task(self.stopping.wait(), name="watch-stopping")]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            close = getattr(response.chunks, "aclose", None)
            if close is not None:
                await close()
        if tasks[0] in done and not tasks[0].cancelled() and tasks[0].exception() is not None:
            log.error("Watch stream failed", exc_info=tasks[0].exception())
        if tasks[1] not in done:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
