"""The ASGI app: stages run in order, API errors of any stage become Status responses with their headers,
anything unexpected is logged and answered 500 without details, and warnings become Warning headers."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from gitplane.api import errors
from gitplane.server.app import App
from gitplane.server.request import AnyResponse, Request, Response
from gitplane.server.stages.info import parse_request_info
from tests.unit.server.asgi_client import AsgiClient


def app_with(handler: Any, *stages: Any) -> App:
    return App(stages=[parse_request_info, *stages], resources=handler, non_resources=handler)


async def test_stages_run_in_order_before_the_handler() -> None:
    """Each stage sees what the previous ones set; the handler runs last."""
    calls: list[str] = []

    async def first(request: Request) -> None:
        calls.append(f"first:{request.require_info().verb}")

    async def second(request: Request) -> None:
        calls.append("second")

    async def handler(request: Request) -> AnyResponse:
        calls.append("handler")
        return Response(200, b"{}")

    reply = await AsgiClient(app_with(handler, first, second)).get("/api/v1/namespaces")
    assert reply.status == 200
    assert calls == ["first:list", "second", "handler"]


async def test_an_api_error_in_a_stage_ends_the_request_with_its_status_and_headers() -> None:
    """Later stages and the handler do not run; the error's headers (Retry-After) are sent."""
    async def throttle(request: Request) -> None:
        raise errors.too_many_requests("slow down", retry_after=3)

    async def handler(request: Request) -> AnyResponse:
        raise AssertionError("the handler must not run")

    reply = await AsgiClient(app_with(handler, throttle)).get("/version")
    assert reply.status == 429
    assert reply.header("retry-after") == "3"
    assert reply.json()["details"] == {"retryAfterSeconds": 3}


async def test_unexpected_errors_are_logged_and_answered_500(caplog: pytest.LogCaptureFixture) -> None:
    """The client learns nothing of the failure; the log has the traceback and the path without its query."""
    async def handler(request: Request) -> AnyResponse:
        raise RuntimeError("secret detail")

    with caplog.at_level(logging.ERROR, logger="gitplane.server.app"):
        reply = await AsgiClient(app_with(handler)).get("/api/v1/namespaces?token=hidden")
    assert reply.status == 500
    assert reply.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "Internal error occurred: an unexpected error occurred; see the server log",
                            "reason": "InternalError", "code": 500}
    [record] = caplog.records
    assert record.getMessage() == "Unhandled error serving GET /api/v1/namespaces"
    assert record.exc_info is not None and "secret detail" not in reply.body.decode()


async def test_warnings_become_escaped_warning_headers() -> None:
    """Each warning is one ``299 - "..."`` header with quotes and backslashes escaped."""
    async def handler(request: Request) -> AnyResponse:
        request.warnings.extend(['unknown field "spec.x"', "path a\\b"])
        return Response(200, b"{}")

    reply = await AsgiClient(app_with(handler)).get("/version")
    assert reply.header_values("warning") == ['299 - "unknown field \\"spec.x\\""', '299 - "path a\\\\b"']


async def test_responses_are_not_cached_by_default() -> None:
    """API answers carry ``Cache-Control: no-cache, private`` and their length."""
    async def handler(request: Request) -> AnyResponse:
        return Response(200, b'{"a":1}')

    reply = await AsgiClient(app_with(handler)).get("/version")
    assert reply.header("cache-control") == "no-cache, private"
    assert reply.header("content-length") == "7"


async def test_scopes_other_than_http_are_ignored() -> None:
    """Lifespan and websocket scopes get no answer (uvicorn runs without lifespan)."""
    async def handler(request: Request) -> AnyResponse:
        raise AssertionError("not for lifespan")

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app_with(handler)({"type": "lifespan"}, receive, send)
    assert sent == []
